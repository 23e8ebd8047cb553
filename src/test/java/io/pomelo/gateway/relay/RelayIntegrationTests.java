package io.pomelo.gateway.relay;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakeException;
import io.netty.handler.ssl.SslContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.pomelo.gateway.support.EchoBackend;
import io.pomelo.gateway.support.HttpProbe;
import io.pomelo.gateway.support.TestTls;
import io.pomelo.gateway.support.WsTestClient;
import io.pomelo.gateway.support.WsTestClient.Frame;
import io.pomelo.gateway.support.WsTestClient.Kind;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The relay over wss:// against real WebSocket backends on loopback: frames, close codes,
 * limits, failures and headers, as a client and a backend each see them.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "spring.config.location=classpath:/application.yml", "management.server.port=0",
				"pomelo.gateway.tls.certificate=" + TestTls.CERTIFICATE,
				"pomelo.gateway.tls.private-key=" + TestTls.PRIVATE_KEY })
class RelayIntegrationTests {

	private static final Duration WAIT = Duration.ofSeconds(5);

	private static final EchoBackend backend = EchoBackend.start();

	private static final EchoBackend protocolBackend = EchoBackend.start("pomelo-test, other");

	private static final SslContext tls = TestTls.clientContext();

	@LocalServerPort
	int port;

	@Autowired
	SessionRegistry registry;

	@Autowired
	BackendConnector connector;

	private final List<WsTestClient> clients = new ArrayList<>();

	@DynamicPropertySource
	static void routes(DynamicPropertyRegistry registry) {
		route(registry, 0, "echo", "/echo/", backend.uri());
		route(registry, 1, "keep", "/keep/", backend.uri());
		registry.add("pomelo.gateway.routes[1].strip-prefix", () -> "false");
		route(registry, 2, "small", "/small/", backend.uri());
		registry.add("pomelo.gateway.routes[2].max-frame-payload", () -> "1KB");
		route(registry, 3, "idle", "/idle/", backend.uri());
		registry.add("pomelo.gateway.routes[3].idle-timeout", () -> "1s");
		route(registry, 4, "limited", "/limited/", backend.uri());
		registry.add("pomelo.gateway.routes[4].max-connections", () -> "1");
		route(registry, 5, "down", "/down/", "ws://127.0.0.1:" + unusedPort());
		route(registry, 6, "proto", "/proto/", protocolBackend.uri());
		route(registry, 7, "quiet", "/quiet/", backend.uri());
		registry.add("pomelo.gateway.routes[7].idle-timeout", () -> "4s");
		// Shorter than the route's idle timeout above: it is for HTTP between requests.
		registry.add("pomelo.gateway.limits.keep-alive-timeout", () -> "1s");
		registry.add("pomelo.gateway.port-routes[0].id", () -> "ports");
		registry.add("pomelo.gateway.port-routes[0].prefix", () -> "/ws/");
		registry.add("pomelo.gateway.port-routes[0].ports", () -> String.valueOf(backend.port()));
	}

	private static void route(DynamicPropertyRegistry registry, int index, String id, String prefix, String target) {
		registry.add("pomelo.gateway.routes[" + index + "].id", () -> id);
		registry.add("pomelo.gateway.routes[" + index + "].prefix", () -> prefix);
		registry.add("pomelo.gateway.routes[" + index + "].targets", () -> target);
	}

	private static int unusedPort() {
		try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1,
				java.net.InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
		catch (java.io.IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	@AfterAll
	static void stopBackends() {
		backend.close();
		protocolBackend.close();
	}

	@BeforeEach
	void resetBackend() {
		backend.reset();
		protocolBackend.reset();
	}

	@AfterEach
	void closeClients() {
		this.clients.forEach(WsTestClient::close);
		await().atMost(WAIT).untilAsserted(() -> {
			assertThat(this.registry.all()).isEmpty();
			assertThat(this.connector.openConnections()).isZero();
		});
	}

	private URI uri(String path) {
		return URI.create("wss://127.0.0.1:" + this.port + path);
	}

	private WsTestClient connect(String path) {
		WsTestClient client = WsTestClient.connect(uri(path), tls);
		this.clients.add(client);
		return client;
	}

	@Test
	void framesPassOneForOneAndInOrderInBothDirections() {
		WsTestClient client = connect("/echo/");
		for (int i = 0; i < 200; i++) {
			if (i % 2 == 0) {
				client.sendText("text-" + i);
			}
			else {
				client.sendBinary(("binary-" + i).getBytes(StandardCharsets.UTF_8));
			}
		}
		for (int i = 0; i < 200; i++) {
			Frame frame = client.nextFrame(WAIT);
			assertThat(frame.kind()).isEqualTo((i % 2 == 0) ? Kind.TEXT : Kind.BINARY);
			assertThat(frame.text()).isEqualTo(((i % 2 == 0) ? "text-" : "binary-") + i);
		}
		client.sendText("burst:50");
		for (int i = 0; i < 50; i++) {
			Frame frame = client.nextFrame(WAIT);
			assertThat(frame.kind()).isEqualTo(Kind.TEXT);
			assertThat(frame.text()).isEqualTo("burst-" + i);
		}
	}

	@Test
	void frameSentTheMomentTheUpgradeCompletesIsNeverLost() {
		// A Pomelo client sends its handshake right after the 101. This once lost about 1
		// frame in 100
		// when the upgrade ran off the client channel's event loop.
		for (int i = 0; i < 200; i++) {
			try (WsTestClient client = WsTestClient.connect(uri("/echo/"), tls)) {
				client.sendText("first-" + i);
				assertThat(client.nextFrame(WAIT).text()).isEqualTo("first-" + i);
			}
		}
	}

	@Test
	void fragmentsPassAsSeparateFrames() {
		WsTestClient client = connect("/echo/");
		client.sendFragment(true, false, "one-");
		client.sendFragment(false, false, "two-");
		client.sendFragment(false, true, "three");
		Frame first = client.nextFrame(WAIT);
		Frame second = client.nextFrame(WAIT);
		Frame third = client.nextFrame(WAIT);
		assertThat(List.of(first.kind(), second.kind(), third.kind())).containsExactly(Kind.TEXT, Kind.CONTINUATION,
				Kind.CONTINUATION);
		assertThat(first.text() + second.text() + third.text()).isEqualTo("one-two-three");
		assertThat(List.of(first.fin(), second.fin(), third.fin())).containsExactly(false, false, true);
	}

	@Test
	void pingsAndPongsPassThroughToTheBackend() {
		WsTestClient client = connect("/echo/");
		client.sendPing("are-you-there".getBytes(StandardCharsets.UTF_8));
		Frame pong = client.nextFrame(WAIT);
		assertThat(pong.kind()).isEqualTo(Kind.PONG);
		assertThat(pong.text()).isEqualTo("are-you-there");
		// The backend answered it, not the gateway.
		assertThat(backend.pings()).isEqualTo(1);
		client.sendPong("unsolicited".getBytes(StandardCharsets.UTF_8));
		Frame echoed = client.nextFrame(WAIT);
		assertThat(echoed.kind()).isEqualTo(Kind.PONG);
		assertThat(echoed.text()).isEqualTo("unsolicited");
	}

	@Test
	void oneMebibyteMessageIsEchoedIntact() {
		WsTestClient client = connect("/echo/");
		byte[] payload = new byte[1024 * 1024];
		new Random(42).nextBytes(payload);
		client.sendBinary(payload);
		Frame frame = client.nextFrame(Duration.ofSeconds(10));
		assertThat(frame.kind()).isEqualTo(Kind.BINARY);
		assertThat(frame.data()).isEqualTo(payload);
	}

	@Test
	void frameOverTheRouteLimitIsRefusedWith1009() {
		WsTestClient client = connect("/small/");
		client.sendBinary(new byte[1024]);
		assertThat(client.nextFrame(WAIT).data()).hasSize(1024);
		client.sendBinary(new byte[1025]);
		assertThat(client.awaitClose(WAIT).code()).isEqualTo(1009);
		assertThat(backend.nextClose(WAIT).code()).isEqualTo(1009);
	}

	@ParameterizedTest
	@ValueSource(ints = { 1000, 1001, 1008, 1011, 3000, 4001, 4999 })
	void clientCloseCodeAndReasonReachTheBackend(int code) {
		WsTestClient client = connect("/echo/");
		client.sendText("hello");
		client.nextFrame(WAIT);
		client.close(code, "client says " + code);
		WsTestClient.Close seen = backend.nextClose(WAIT);
		assertThat(seen.code()).isEqualTo(code);
		assertThat(seen.reason()).isEqualTo("client says " + code);
	}

	@ParameterizedTest
	@ValueSource(ints = { 1000, 1001, 1008, 1011, 3000, 4001, 4999 })
	void backendCloseCodeAndReasonReachTheClient(int code) {
		WsTestClient client = connect("/echo/");
		client.sendText("close:" + code + ":backend says " + code);
		WsTestClient.Close seen = client.awaitClose(WAIT);
		assertThat(seen.code()).isEqualTo(code);
		assertThat(seen.reason()).isEqualTo("backend says " + code);
	}

	@Test
	void backendVanishingGivesTheClientA1011Close() {
		WsTestClient client = connect("/echo/");
		client.sendText("vanish");
		WsTestClient.Close seen = client.awaitClose(Duration.ofSeconds(1));
		assertThat(seen.code()).isEqualTo(1011);
		assertThat(seen.reason()).isEqualTo("backend connection lost");
	}

	@Test
	void clientDroppingWithoutCloseLeavesNoBackendSocket() {
		int before = backend.openConnections();
		WsTestClient client = connect("/echo/");
		client.sendText("hello");
		client.nextFrame(WAIT);
		assertThat(backend.openConnections()).isEqualTo(before + 1);
		assertThat(this.connector.openConnections()).isEqualTo(1);
		client.abort();
		await().atMost(Duration.ofSeconds(1)).until(() -> backend.openConnections() == before);
		assertThat(this.connector.openConnections()).isZero();
		assertThat(backend.nextClose(WAIT).code()).isEqualTo(1001);
		await().atMost(WAIT).until(() -> this.registry.size() == 0);
	}

	@Test
	void unreachableBackendGets502WithAReasonAndNoUpgrade() {
		HttpProbe.Response response = HttpProbe.upgrade(uri("/down/"), tls);
		assertThat(response.status()).isEqualTo(502);
		assertThat(response.body()).contains("backend unreachable");
		assertThat(response.headers()).containsEntry("X-Pomelo-Gateway-Error", "backend_unreachable");
		assertThatThrownBy(() -> connect("/down/")).isInstanceOf(WebSocketClientHandshakeException.class)
			.hasMessageContaining("502");
		assertThat(this.registry.size()).isZero();
	}

	@Test
	void backendRefusingTheUpgradeWith4xxIsMirroredToTheClient() {
		HttpProbe.Response response = HttpProbe.upgrade(uri("/echo/forbidden"), tls);
		assertThat(response.status()).isEqualTo(403);
		assertThat(response.headers()).containsEntry("X-Pomelo-Gateway-Error", "backend_refused");
		assertThat(response.body()).contains("backend refused the WebSocket upgrade with 403");
	}

	@Test
	void subprotocolOfferedByTheClientIsNegotiatedWithTheBackend() {
		WsTestClient client = WsTestClient.connect(uri("/proto/"), tls, Map.of(), "unknown, pomelo-test");
		this.clients.add(client);
		assertThat(client.selectedSubprotocol()).isEqualTo("pomelo-test");
		assertThat(protocolBackend.nextHandshake(WAIT).headers()).containsEntry("sec-websocket-protocol",
				"unknown, pomelo-test");
	}

	@Test
	void forwardedHeadersNameTheRealClientAndApplicationHeadersAreKept() {
		// The peer is not a trusted proxy, so the X-Forwarded-For it sent is a claim, not
		// a fact: Pomelo gets
		// the address the gateway saw.
		WsTestClient client = WsTestClient.connect(uri("/echo/"), tls,
				Map.of("X-Player", "7", "X-Forwarded-For", "203.0.113.9", "X-Real-IP", "203.0.113.9"), null);
		this.clients.add(client);
		Map<String, String> headers = backend.nextHandshake(WAIT).headers();
		assertThat(headers).containsEntry("x-forwarded-for", "127.0.0.1")
			.containsEntry("x-real-ip", "127.0.0.1")
			.containsEntry("x-forwarded-proto", "https")
			.containsEntry("x-forwarded-host", "127.0.0.1:" + this.port)
			.containsEntry("x-player", "7")
			.containsEntry("host", "127.0.0.1:" + backend.port());
	}

	@Test
	void prefixIsStrippedByDefaultAndKeptWhenTheRouteSaysSo() {
		this.clients.add(WsTestClient.connect(uri("/echo/a/b?x=1"), tls));
		assertThat(backend.nextHandshake(WAIT).uri()).isEqualTo("/a/b?x=1");
		this.clients.add(WsTestClient.connect(uri("/echo"), tls));
		assertThat(backend.nextHandshake(WAIT).uri()).isEqualTo("/");
		this.clients.add(WsTestClient.connect(uri("/keep/a?x=1"), tls));
		assertThat(backend.nextHandshake(WAIT).uri()).isEqualTo("/keep/a?x=1");
	}

	@Test
	void silentSessionIsClosedAfterTheRouteIdleTimeout() {
		WsTestClient client = connect("/idle/");
		WsTestClient.Close seen = client.awaitClose(WAIT);
		assertThat(seen.code()).isEqualTo(1001);
		assertThat(seen.reason()).isEqualTo("idle timeout");
		assertThat(backend.nextClose(WAIT).code()).isEqualTo(1001);
	}

	@Test
	void aSilentSessionOutlivesTheHttpKeepAliveTimeoutAndEndsAtItsRoutesIdleTimeout() {
		// Reactor Netty's keep-alive idle handler used to stay in the pipeline after the
		// 101
		// and drop a silent session after limits.keep-alive-timeout, without a close
		// frame,
		// whatever the route's idle timeout said.
		WsTestClient client = connect("/quiet/");
		client.sendText("hello");
		assertThat(client.nextFrame(WAIT).text()).isEqualTo("hello");
		// The idle sweep runs about once a second: 4 s of silence, then the sweep.
		WsTestClient.Close seen = client.awaitClose(Duration.ofSeconds(15));
		assertThat(seen.code()).isEqualTo(1001);
		assertThat(seen.reason()).isEqualTo("idle timeout");
	}

	@Test
	void routeAtItsConnectionLimitAnswers503() {
		connect("/limited/");
		HttpProbe.Response second = HttpProbe.upgrade(uri("/limited/"), tls);
		assertThat(second.status()).isEqualTo(503);
		assertThat(second.headers()).containsEntry("X-Pomelo-Gateway-Error", "over_limit");
	}

	@Test
	void portAddressedRouteReachesOnlyAllowListedPorts() {
		WsTestClient client = connect("/ws/" + backend.port() + "/");
		client.sendText("via port route");
		assertThat(client.nextFrame(WAIT).text()).isEqualTo("via port route");
		backend.reset();
		HttpProbe.Response denied = HttpProbe
			.upgrade(uri("/ws/" + (backend.port() == 65535 ? 1 : backend.port() + 1) + "/"), tls);
		assertThat(denied.status()).isEqualTo(404);
		assertThat(HttpProbe.upgrade(uri("/ws/not-a-port/"), tls).status()).isEqualTo(404);
	}

	@Test
	void nonWebSocketRequestsGet426AndUnknownPaths404() {
		HttpProbe.Response plain = HttpProbe.get(uri("/echo/"), tls, Map.of());
		assertThat(plain.status()).isEqualTo(426);
		assertThat(plain.headers()).containsEntry("Upgrade", "websocket");
		assertThat(HttpProbe.upgrade(uri("/nowhere/"), tls).status()).isEqualTo(404);
	}

	@Test
	void registryHoldsEachLiveSessionWithItsCounters() {
		WsTestClient client = connect("/echo/");
		client.sendText("12345");
		client.nextFrame(WAIT);
		assertThat(this.registry.all()).hasSize(1);
		RelaySession session = this.registry.all().iterator().next();
		assertThat(session.routeId()).isEqualTo("echo");
		assertThat(session.backend()).isEqualTo(URI.create(backend.uri() + "/"));
		assertThat(session.clientAddress()).startsWith("127.0.0.1:");
		assertThat(session.framesUp()).isEqualTo(1);
		assertThat(session.bytesUp()).isEqualTo(5);
		assertThat(session.framesDown()).isEqualTo(1);
		assertThat(session.bytesDown()).isEqualTo(5);
		client.close(1000, "done");
		await().atMost(WAIT).until(() -> this.registry.size() == 0);
		assertThat(session.outcome()).isEqualTo(new RelaySession.CloseOutcome(Side.CLIENT, 1000));
	}

}
