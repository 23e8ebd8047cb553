package io.pomelo.gateway.discovery;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.pomelo.gateway.route.RouteTable;
import io.pomelo.gateway.support.PomeloServer;
import io.pomelo.gateway.support.PomeloTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Discovery with the gateway's admin module (clients/pomelo-gateway-discovery) registered
 * on the real master: with a poll only once a minute, a connector added or killed reaches
 * the route table through the module's events.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "spring.config.location=classpath:/application.yml", "management.server.port=0",
				"pomelo.gateway.discovery.pomelo.enabled=true", "pomelo.gateway.discovery.pomelo.username=gateway",
				"pomelo.gateway.discovery.pomelo.poll-interval=60s", "pomelo.gateway.targets.allow-cidrs=127.0.0.0/8" })
class PomeloDiscoveryEventsIntegrationTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	private static final String PASSWORD = "events-secret";

	private static final PomeloServer pomelo = PomeloServer
		.start(PomeloServer.Options.defaults().heartbeat(30).adminUser("gateway", PASSWORD).gatewayModule(true));

	@LocalServerPort
	int port;

	@Autowired
	RouteTable table;

	@Autowired
	PomeloDiscovery discovery;

	@DynamicPropertySource
	static void master(DynamicPropertyRegistry registry) {
		registry.add("pomelo.gateway.discovery.pomelo.masters", () -> "127.0.0.1:" + pomelo.masterPort());
		registry.add("pomelo.gateway.discovery.pomelo.password", () -> PASSWORD);
	}

	@AfterAll
	static void stop() {
		pomelo.close();
	}

	@Test
	void aConnectorAddedAndKilledReachesTheTableByEventsBetweenPolls() throws Exception {
		await().atMost(WAIT).until(() -> this.table.current().get("s-connector-server-1") != null);
		assertThat(this.discovery.status().get(0).events()).as("the master has the module").isTrue();
		List<Integer> ports = PomeloServer.freePorts(2);
		long added = System.nanoTime();
		assertThat(TestConsole
			.addConnector(pomelo.masterPort(), "gateway", PASSWORD, "connector-server-2", ports.get(0), ports.get(1))
			.path("status")
			.asString()).isEqualTo("ok");
		// The last poll was at start-up and the next is a minute away: within WAIT only
		// an event brings it.
		await().atMost(WAIT)
			.pollInterval(Duration.ofMillis(20))
			.until(() -> this.table.current().get("s-connector-server-2") != null);
		long routed = System.nanoTime();
		PomeloTestClient player = await().atMost(WAIT)
			.pollInterval(Duration.ofMillis(50))
			.ignoreExceptions()
			.until(() -> player("/s/connector-server-2/"), (client) -> client != null);
		long served = System.nanoTime();
		System.out.printf(
				"connector added with the console: routed after %d ms, first player served after %d ms (events, polls every 60 s)%n",
				TimeUnit.NANOSECONDS.toMillis(routed - added), TimeUnit.NANOSECONDS.toMillis(served - added));
		try (player) {
			assertThat(player.request("connector.entryHandler.echo", Map.of("n", 1)).get("code").asInt())
				.isEqualTo(200);
			long pid = TestConsole.pid(pomelo.masterPort(), "gateway", PASSWORD, "connector-server-2");
			pomelo.killServer(pid);
			assertThat(player.ws().awaitClose(WAIT).code()).isEqualTo(1011);
		}
		await().atMost(WAIT).until(() -> this.table.current().get("s-connector-server-2") == null);
	}

	private PomeloTestClient player(String prefix) {
		PomeloTestClient client = PomeloTestClient.connect(URI.create("ws://127.0.0.1:" + this.port + prefix), null);
		client.handshake();
		return client;
	}

}
