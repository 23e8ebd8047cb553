package io.pomelo.gateway.discovery;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.pomelo.gateway.config.DiscoveryProperties;
import io.pomelo.gateway.route.GatewayRoute;
import io.pomelo.gateway.route.RouteLimits;
import io.pomelo.gateway.route.RouteSource;
import io.pomelo.gateway.route.RouteTable;
import io.pomelo.gateway.route.TargetRoute;
import io.pomelo.gateway.support.PomeloServer;
import io.pomelo.gateway.support.PomeloTestClient;
import io.pomelo.gateway.support.RawClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Routes that follow a real Pomelo 2.2.7 cluster through its real master's admin console,
 * by polling alone (the app does not have the gateway's admin module): the gateway starts
 * with no route of its own and serves every frontend server; a connector added with the
 * console's {@code add} is served within a poll; a connector killed loses its players
 * (1011) and its route; a stopped master leaves every route in place and discovery DOWN;
 * a master back makes the table converge.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
		"spring.config.location=classpath:/application.yml", "management.server.port=0",
		"pomelo.gateway.discovery.pomelo.enabled=true", "pomelo.gateway.discovery.pomelo.username=gateway",
		"pomelo.gateway.discovery.pomelo.poll-interval=1s", "pomelo.gateway.discovery.pomelo.request-timeout=3s",
		// Discovered targets pass the same target policy as admin routes; the test
		// cluster is on loopback.
		"pomelo.gateway.targets.allow-cidrs=127.0.0.0/8", "pomelo.gateway.limits.per-address.handshake-rate=0" })
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PomeloDiscoveryIntegrationTests {

	private static final Duration WAIT = Duration.ofSeconds(30);

	private static final String PASSWORD = "gateway-secret";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static PomeloServer pomelo = PomeloServer
		.start(PomeloServer.Options.defaults().heartbeat(30).adminUser("gateway", PASSWORD));

	private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

	@LocalServerPort
	int port;

	@LocalManagementPort
	int managementPort;

	@Autowired
	RouteTable table;

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
	@Order(1)
	void wrongCredentialsSayWhyAndNeverEmptyTheTable() throws Exception {
		RouteTable table = new RouteTable(List.of(), (event) -> {
		});
		GatewayRoute before = GatewayRoute.toTargets("s-connector-server-1", "/s/connector-server-1/",
				RouteSource.DISCOVERY, new RouteLimits(true, Duration.ofMinutes(2), 0, 1 << 20),
				List.of(URI.create(pomelo.connectorUri(0))));
		table.replace(RouteSource.DISCOVERY, List.of(before));
		DiscoveryProperties.Pomelo properties = new DiscoveryProperties.Pomelo();
		properties.setMasters(List.of("127.0.0.1:" + pomelo.masterPort()));
		properties.setUsername("gateway");
		properties.setPassword("not-the-password");
		properties.setPollInterval(Duration.ofMinutes(10));
		properties.setRequestTimeout(Duration.ofSeconds(3));
		try (PomeloDiscovery discovery = new PomeloDiscovery(properties, table,
				new DiscoveredRoutes("/s/{serverId}/", "/t/{serverType}/", before.limits(), (target) -> null),
				new DiscoveryMeters(new SimpleMeterRegistry()))) {
			discovery.start();
			await().atMost(WAIT)
				.until(() -> discovery.status().get(0).lastError() != null
						&& !discovery.status().get(0).lastError().equals("not polled yet"));
			assertThat(discovery.status().get(0).lastError()).contains("refused the login of user 'gateway'");
			assertThat(table.current().get("s-connector-server-1")).as("the route known before").isNotNull();
		}
	}

	@Test
	@Order(2)
	void theGatewayFollowsTheClusterByPollingItsMaster() throws Exception {
		// 1. Every frontend server is served with no route configured.
		await().atMost(WAIT)
			.until(() -> this.table.current().get("s-connector-server-1") != null
					&& this.table.current().get("t-gate") != null);
		assertThat(this.table.configRoutes()).isEmpty();
		assertThat(this.table.current().get("t-gate").source()).isEqualTo(RouteSource.DISCOVERY);
		try (PomeloTestClient gate = player("/t/gate/")) {
			JsonNode entry = gate.request("gate.gateHandler.queryEntry", Map.of("uid", 7));
			assertThat(entry.get("serverId").asString()).isEqualTo("connector-server-1");
		}
		try (PomeloTestClient player = player("/s/connector-server-1/")) {
			assertThat(player.request("connector.entryHandler.echo", Map.of("n", 1)).get("code").asInt())
				.isEqualTo(200);
		}
		JsonNode health = health();
		assertThat(health.get("status").asString()).isEqualTo("UP");
		assertThat(health.at("/details/masters").properties().iterator().next().getValue().get("servers").asInt())
			.isEqualTo(2);

		// 2. A connector added through the master's console is served within a poll.
		List<Integer> ports = PomeloServer.freePorts(2);
		long added = System.nanoTime();
		JsonNode answer = TestConsole.addConnector(pomelo.masterPort(), "gateway", PASSWORD, "connector-server-2",
				ports.get(0), ports.get(1));
		assertThat(answer.path("status").asString()).isEqualTo("ok");
		await().atMost(WAIT)
			.pollInterval(Duration.ofMillis(20))
			.until(() -> this.table.current().get("s-connector-server-2") != null);
		long routed = System.nanoTime();
		PomeloTestClient second = await().atMost(WAIT)
			.pollInterval(Duration.ofMillis(50))
			.ignoreExceptions()
			.until(() -> player("/s/connector-server-2/"), (client) -> client != null);
		long served = System.nanoTime();
		System.out.printf(
				"connector added with the console: routed after %d ms, first player served after %d ms (polling every 1 s)%n",
				TimeUnit.NANOSECONDS.toMillis(routed - added), TimeUnit.NANOSECONDS.toMillis(served - added));
		assertThat(((TargetRoute) this.table.current().get("t-connector")).targets()).hasSize(2);

		// 3. Killed: its player gets 1011, its route goes, a new player gets 404.
		try (second) {
			assertThat(second.request("connector.entryHandler.echo", Map.of("n", 2)).get("code").asInt())
				.isEqualTo(200);
			long pid = TestConsole.pid(pomelo.masterPort(), "gateway", PASSWORD, "connector-server-2");
			assertThat(pid).isPositive();
			pomelo.killServer(pid);
			assertThat(second.ws().awaitClose(WAIT).code()).isEqualTo(1011);
		}
		await().atMost(WAIT).until(() -> this.table.current().get("s-connector-server-2") == null);
		assertThat(upgradeStatus("/s/connector-server-2/")).isEqualTo(404);
		assertThat(((TargetRoute) this.table.current().get("t-connector")).targets()).hasSize(1);

		// 4. The master stops: every route stays, discovery says why it is DOWN.
		pomelo.close();
		await().atMost(WAIT).until(() -> "DOWN".equals(health().get("status").asString()));
		assertThat(health().at("/details/masters").toString()).contains("127.0.0.1:" + pomelo.masterPort());
		assertThat(this.table.current().get("s-connector-server-1")).as("kept while the master is away").isNotNull();
		assertThat(this.table.current().get("t-gate")).isNotNull();
		assertThat(upgradeStatus("/s/connector-server-1/")).as("kept, its backend down").isEqualTo(502);

		// 5. The master is back: the table converges and players are served again.
		pomelo = pomelo.restartOnSamePorts();
		await().atMost(WAIT).until(() -> "UP".equals(health().get("status").asString()));
		// A master that has just started lists its servers as they register with it: the
		// first polls
		// may see only part of the cluster, so the table is awaited, not read once.
		await().atMost(WAIT)
			.until(() -> this.table.current().get("s-connector-server-1") != null
					&& this.table.current().get("t-gate") != null);
		assertThat(this.table.current().get("s-connector-server-2")).isNull();
		try (PomeloTestClient player = await().atMost(WAIT)
			.ignoreExceptions()
			.until(() -> player("/s/connector-server-1/"), (client) -> client != null)) {
			assertThat(player.request("connector.entryHandler.echo", Map.of("n", 3)).get("code").asInt())
				.isEqualTo(200);
		}
	}

	private PomeloTestClient player(String prefix) {
		PomeloTestClient client = PomeloTestClient.connect(URI.create("ws://127.0.0.1:" + this.port + prefix), null);
		client.handshake();
		return client;
	}

	private int upgradeStatus(String path) {
		try (RawClient client = RawClient.plain(this.port)) {
			return client.send(RawClient.upgrade(path, "")).response(WAIT).status();
		}
	}

	private JsonNode health() throws Exception {
		HttpResponse<String> response = this.http.send(HttpRequest
			.newBuilder(URI.create("http://127.0.0.1:" + this.managementPort + "/actuator/health/discovery"))
			.build(), HttpResponse.BodyHandlers.ofString());
		return JSON.readTree(response.body());
	}

}
