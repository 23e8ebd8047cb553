package io.pomelo.gateway.pomelo;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

import io.netty.handler.ssl.SslContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.pomelo.gateway.pomelo.Handshake.ServerHandshake;
import io.pomelo.gateway.relay.BackendConnector;
import io.pomelo.gateway.relay.SessionRegistry;
import io.pomelo.gateway.support.HttpProbe;
import io.pomelo.gateway.support.PomeloServer;
import io.pomelo.gateway.support.PomeloTestClient;
import io.pomelo.gateway.support.TestTls;
import io.pomelo.gateway.support.WsTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A real Pomelo 2.2.7 gate and connector behind the gateway, reached over wss:// the way
 * a mini-program reaches them: {@code /gate/} first, then the connector the gate names.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "spring.config.location=classpath:/application.yml", "management.server.port=0",
				"pomelo.gateway.tls.certificate=" + TestTls.CERTIFICATE,
				"pomelo.gateway.tls.private-key=" + TestTls.PRIVATE_KEY })
class PomeloRelayIntegrationTests {

	private static final int HEARTBEAT_SECONDS = 2;

	private static final Duration WAIT = Duration.ofSeconds(10);

	private static final PomeloServer pomelo = PomeloServer
		.start(PomeloServer.Options.defaults().heartbeat(HEARTBEAT_SECONDS));

	// A second server that one test kills outright.
	private static final PomeloServer doomed = PomeloServer.start(PomeloServer.Options.defaults().heartbeat(0));

	private static final SslContext tls = TestTls.clientContext();

	@LocalServerPort
	int port;

	@Autowired
	SessionRegistry registry;

	@Autowired
	BackendConnector connector;

	@DynamicPropertySource
	static void routes(DynamicPropertyRegistry registry) {
		registry.add("pomelo.gateway.routes[0].id", () -> "gate");
		registry.add("pomelo.gateway.routes[0].prefix", () -> "/gate/");
		registry.add("pomelo.gateway.routes[0].targets", pomelo::gateUri);
		registry.add("pomelo.gateway.routes[1].id", () -> "conn");
		registry.add("pomelo.gateway.routes[1].prefix", () -> "/conn/");
		registry.add("pomelo.gateway.routes[1].targets", () -> pomelo.connectorUri(0));
		registry.add("pomelo.gateway.routes[2].id", () -> "doomed");
		registry.add("pomelo.gateway.routes[2].prefix", () -> "/doomed/");
		registry.add("pomelo.gateway.routes[2].targets", () -> doomed.connectorUri(0));
		registry.add("pomelo.gateway.port-routes[0].id", () -> "connectors");
		registry.add("pomelo.gateway.port-routes[0].prefix", () -> "/ws/");
		registry.add("pomelo.gateway.port-routes[0].ports", () -> String.valueOf(pomelo.connectorPorts().get(0)));
	}

	@AfterAll
	static void stopPomelo() {
		pomelo.close();
		doomed.close();
	}

	@AfterEach
	void noSessionOrBackendSocketOutlivesItsClient() {
		await().atMost(WAIT).untilAsserted(() -> {
			assertThat(this.registry.all()).isEmpty();
			assertThat(this.connector.openConnections()).isZero();
		});
	}

	private URI uri(String path) {
		return URI.create("wss://127.0.0.1:" + this.port + path);
	}

	@Test
	void clientGoesThroughTheGateToTheConnectorAndTalksToIt() {
		int connectorPort;
		try (PomeloTestClient gate = PomeloTestClient.connect(uri("/gate/"), tls)) {
			ServerHandshake hello = gate.handshake();
			assertThat(hello.code()).isEqualTo(200);
			assertThat(hello.heartbeatSeconds()).isZero();
			JsonNode entry = gate.request("gate.gateHandler.queryEntry", Map.of("uid", "player-1"));
			assertThat(entry.get("code").asInt()).isEqualTo(200);
			connectorPort = entry.get("port").asInt();
			assertThat(connectorPort).isEqualTo(pomelo.connectorPorts().get(0));
		}
		try (PomeloTestClient conn = PomeloTestClient.connect(uri("/conn/"), tls)) {
			ServerHandshake hello = conn.handshake();
			assertThat(hello.code()).isEqualTo(200);
			assertThat(hello.heartbeatSeconds()).isEqualTo(HEARTBEAT_SECONDS);
			JsonNode entered = conn.request("connector.entryHandler.entry", Map.of("uid", "player-1"));
			assertThat(entered.get("code").asInt()).isEqualTo(200);
			assertThat(entered.get("uid").asString()).isEqualTo("player-1");
			JsonNode echo = conn.request("connector.entryHandler.echo", Map.of("text", "hello pomelo"));
			assertThat(echo.get("msg").get("text").asString()).isEqualTo("hello pomelo");
			JsonNode pushed = conn.request("connector.entryHandler.push", Map.of("payload", "to you"));
			assertThat(pushed.get("code").asInt()).isEqualTo(200);
			PomeloMessage push = conn.awaitPush(WAIT);
			assertThat(push.route()).isEqualTo("onPush");
			assertThat(PomeloTestClient.json(push.bodyText()).get("payload").asString()).isEqualTo("to you");
		}
	}

	@Test
	void gateAnswerMapsToThePortAddressedRoute() {
		int connectorPort;
		try (PomeloTestClient gate = PomeloTestClient.connect(uri("/gate/"), tls)) {
			gate.handshake();
			connectorPort = gate.request("gate.gateHandler.queryEntry", Map.of("uid", "player-2")).get("port").asInt();
		}
		try (PomeloTestClient conn = PomeloTestClient.connect(uri("/ws/" + connectorPort + "/"), tls)) {
			assertThat(conn.handshake().code()).isEqualTo(200);
			assertThat(conn.request("connector.entryHandler.entry", Map.of("uid", "player-2")).get("code").asInt())
				.isEqualTo(200);
			assertThat(conn.request("connector.entryHandler.echo", Map.of("n", 7)).get("msg").get("n").asInt())
				.isEqualTo(7);
		}
	}

	@Test
	void heartbeatsAloneKeepASessionAliveBeyondTwiceTheInterval() throws InterruptedException {
		try (PomeloTestClient conn = PomeloTestClient.connect(uri("/conn/"), tls)) {
			conn.handshake();
			Thread.sleep(Duration.ofSeconds(HEARTBEAT_SECONDS * 3L).toMillis());
			assertThat(conn.ws().isClosed()).isFalse();
			assertThat(conn.heartbeatsReceived()).isGreaterThanOrEqualTo(2);
			assertThat(conn.request("connector.entryHandler.echo", Map.of("still", "here")).get("code").asInt())
				.isEqualTo(200);
		}
	}

	@Test
	void clientThatStopsHeartbeatsIsClosedByPomeloNotByTheGateway() {
		// The control for the test above: without heartbeats Pomelo itself ends the
		// session.
		try (PomeloTestClient conn = PomeloTestClient.connect(uri("/conn/"), tls)) {
			conn.stopHeartbeats();
			conn.handshake();
			WsTestClient.Close close = conn.ws().awaitClose(Duration.ofSeconds(HEARTBEAT_SECONDS * 5L));
			assertThat(close.code()).isEqualTo(1000);
		}
	}

	@Test
	void kickReachesTheClientAsAKickPackage() {
		try (PomeloTestClient conn = PomeloTestClient.connect(uri("/conn/"), tls)) {
			conn.handshake();
			conn.request("connector.entryHandler.entry", Map.of("uid", "kicked-player"));
			conn.request("connector.entryHandler.kick", Map.of("reason", "bye"));
			assertThat(PomeloTestClient.json(conn.awaitKick(WAIT)).get("reason").asString()).isEqualTo("bye");
			assertThat(conn.ws().awaitClose(WAIT).code()).isEqualTo(1000);
		}
	}

	@Test
	void oneMebibyteMessageRoundTripsThroughPomelo() {
		String big = "x".repeat(1024 * 1024);
		try (PomeloTestClient conn = PomeloTestClient.connect(uri("/conn/"), tls)) {
			conn.handshake();
			JsonNode echo = conn.request("connector.entryHandler.echo", Map.of("text", big), Duration.ofSeconds(20));
			assertThat(echo.get("msg").get("text").asString()).isEqualTo(big);
		}
	}

	@Test
	void refusedClientVersionGets501() {
		try (PomeloTestClient conn = PomeloTestClient.connect(uri("/conn/"), tls)) {
			assertThat(conn.handshake("0.0.0-refused").code()).isEqualTo(501);
			assertThat(conn.ws().awaitClose(WAIT).code()).isEqualTo(1000);
		}
	}

	@Test
	void clientDroppingMidSessionClosesItsPomeloSocket() {
		PomeloTestClient conn = PomeloTestClient.connect(uri("/conn/"), tls);
		conn.handshake();
		conn.request("connector.entryHandler.echo", Map.of("a", 1));
		assertThat(this.connector.openConnections()).isEqualTo(1);
		conn.ws().abort();
		await().atMost(Duration.ofSeconds(1)).until(() -> this.connector.openConnections() == 0);
		conn.close();
	}

	@Test
	void killedPomeloClosesClientsWithin1sAndThenRefusesUpgradesWith502() {
		try (PomeloTestClient conn = PomeloTestClient.connect(uri("/doomed/"), tls)) {
			conn.handshake();
			doomed.close();
			WsTestClient.Close close = conn.ws().awaitClose(Duration.ofSeconds(1));
			assertThat(close.code()).isEqualTo(1011);
		}
		HttpProbe.Response refused = HttpProbe.upgrade(uri("/doomed/"), tls);
		assertThat(refused.status()).isEqualTo(502);
		assertThat(refused.body()).contains("backend unreachable");
	}

}
