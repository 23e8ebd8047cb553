package io.pomelo.gateway.pomelo;

import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.handler.ssl.SslContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.pomelo.gateway.relay.SessionRegistry;
import io.pomelo.gateway.support.Meters;
import io.pomelo.gateway.support.PomeloServer;
import io.pomelo.gateway.support.PomeloTestClient;
import io.pomelo.gateway.support.TestTls;
import io.pomelo.gateway.support.WsTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What a Pomelo 2.2.7 connector behind the gateway sees of a player, over wss: the
 * compression the player asked for, negotiated with the connector itself and passed
 * through frame for frame (and read by the Pomelo observer, which inflates it here), and
 * the player's own address.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "spring.config.location=classpath:/application.yml", "management.server.port=0",
				"pomelo.gateway.tls.certificate=" + TestTls.CERTIFICATE,
				"pomelo.gateway.tls.private-key=" + TestTls.PRIVATE_KEY,
				"pomelo.gateway.wechat-referer.appids=" + WeChatFidelityIntegrationTests.APPID,
				"pomelo.gateway.wechat-referer.routes=guarded", "pomelo.gateway.wechat-referer.allow-trial=true",
				"pomelo.gateway.pomelo.inflate=true" })
class WeChatFidelityIntegrationTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	private static final int ECHOES = 100;

	static final String APPID = "wx0123456789abcdef";

	private static final PomeloServer pomelo = PomeloServer.start(PomeloServer.Options.defaults().heartbeat(30));

	private static final SslContext tls = TestTls.clientContext();

	@LocalServerPort
	int port;

	@Autowired
	MeterRegistry meters;

	@Autowired
	SessionRegistry registry;

	// One route per run, so that each run's wire bytes are counted apart.
	@DynamicPropertySource
	static void routes(DynamicPropertyRegistry registry) {
		registry.add("pomelo.gateway.routes[0].id", () -> "plain");
		registry.add("pomelo.gateway.routes[0].prefix", () -> "/plain/");
		registry.add("pomelo.gateway.routes[0].targets", () -> pomelo.connectorUri(0));
		registry.add("pomelo.gateway.routes[1].id", () -> "deflated");
		registry.add("pomelo.gateway.routes[1].prefix", () -> "/deflated/");
		registry.add("pomelo.gateway.routes[1].targets", () -> pomelo.connectorUri(0));
		registry.add("pomelo.gateway.routes[2].id", () -> "who");
		registry.add("pomelo.gateway.routes[2].prefix", () -> "/who/");
		registry.add("pomelo.gateway.routes[2].targets", () -> pomelo.connectorUri(0));
		registry.add("pomelo.gateway.routes[3].id", () -> "guarded");
		registry.add("pomelo.gateway.routes[3].prefix", () -> "/guarded/");
		registry.add("pomelo.gateway.routes[3].targets", () -> pomelo.connectorUri(0));
	}

	@AfterAll
	static void stopPomelo() {
		pomelo.close();
	}

	@Test
	void permessageDeflateIsNegotiatedWithTheConnectorAndItsFramesPassIntactAndSmaller() {
		Map<String, Object> state = gameState();
		double compressedBefore = Meters.count(this.meters, "pomelo.gateway.connections.compressed", "route",
				"deflated");
		String plainAnswer = echoes("plain", false, state);
		String deflatedAnswer = echoes("deflated", true, state);
		assertThat(plainAnswer).as("extensions in the 101 without an offer").isNull();
		assertThat(deflatedAnswer).as("extensions in the 101 after a deflate offer").startsWith("permessage-deflate");
		await().atMost(WAIT).until(() -> this.registry.size() == 0);
		long plain = wireBytes("plain");
		long deflated = wireBytes("deflated");
		System.out.printf(
				"%d echoes of a %,d B JSON body: %,d payload bytes on the wire plain, %,d with deflate (%.1fx)%n",
				ECHOES, tools.jackson.databind.json.JsonMapper.builder().build().writeValueAsBytes(state).length, plain,
				deflated, (double) plain / deflated);
		assertThat(plain).as("plain wire bytes").isGreaterThan(ECHOES * 2L * 10_000);
		assertThat(deflated * 3).as("deflated wire bytes x 3, against %,d plain", plain).isLessThanOrEqualTo(plain);
		assertThat(Meters.count(this.meters, "pomelo.gateway.connections.compressed", "route", "deflated"))
			.isEqualTo(compressedBefore + 1);
		assertThat(Meters.count(this.meters, "pomelo.gateway.connections.compressed", "route", "plain")).isZero();
		// With inflate on, the compressed session's Pomelo figures are those of the plain
		// one.
		for (String route : new String[] { "plain", "deflated" }) {
			assertThat(echoTimings(route)).as("echo requests timed on route %s", route).isEqualTo(ECHOES);
		}
		assertThat(compressedMessages("up", "inflated")).as("compressed messages the client sent, inflated")
			.isGreaterThanOrEqualTo(ECHOES);
		assertThat(compressedMessages("down", "inflated")).as("compressed messages Pomelo sent, inflated")
			.isGreaterThanOrEqualTo(ECHOES);
		assertThat(compressedMessages("up", "given_up") + compressedMessages("down", "given_up")).isZero();
	}

	private long echoTimings(String route) {
		io.micrometer.core.instrument.Timer timer = this.meters.find("pomelo.gateway.pomelo.request.duration")
			.tags("route", route, "pomelo.route", "connector.entryHandler.echo")
			.timer();
		return (timer != null) ? timer.count() : 0;
	}

	private double compressedMessages(String direction, String read) {
		return this.meters.get("pomelo.gateway.pomelo.compressed.messages")
			.tags("route", "deflated", "direction", direction, "read", read)
			.counter()
			.count();
	}

	@Test
	void aConnectorHandlerReadsThePlayersAddressNotTheGateways() {
		URI uri = URI.create("wss://127.0.0.1:" + this.port + "/who/");
		try (PomeloTestClient player = PomeloTestClient
			.over(WsTestClient.connect(uri, tls, Map.of(), null, false, "127.0.0.23"))) {
			player.handshake();
			JsonNode who = player.request("connector.entryHandler.whoami", Map.of());
			assertThat(who.get("code").asInt()).isEqualTo(200);
			assertThat(who.get("player").asString()).as("the player's address, as the handler reads it")
				.isEqualTo("127.0.0.23");
			assertThat(who.get("realIp").asString()).isEqualTo("127.0.0.23");
			assertThat(who.get("forwardedFor").asString()).endsWith("127.0.0.23");
			assertThat(who.get("peer").asString()).as("the socket's own peer: the gateway")
				.doesNotContain("127.0.0.23");
		}
	}

	@Test
	void theRefererPolicyLetsInTheListedMiniProgramAndItsSwitchedVersionsOnly() {
		double before = Meters.handshakeFailures(this.meters, "forbidden");
		String page = "/page-frame.html";
		assertThat(upgradeWithReferer("https://servicewechat.com/" + APPID + "/17" + page))
			.as("a release of the listed appid")
			.isEqualTo(101);
		assertThat(upgradeWithReferer("https://servicewechat.com/" + APPID + "/0" + page))
			.as("its trial version, allowed")
			.isEqualTo(101);
		assertThat(upgradeWithReferer("https://servicewechat.com/" + APPID + "/devtools" + page))
			.as("the developer tools, not allowed")
			.isEqualTo(403);
		assertThat(upgradeWithReferer("https://servicewechat.com/wxffffffffffffffff/17" + page))
			.as("another mini-program")
			.isEqualTo(403);
		assertThat(upgradeWithReferer("https://evil.example.com/" + APPID + "/17" + page)).as("a web page")
			.isEqualTo(403);
		assertThat(upgradeWithReferer(null)).as("no Referer").isEqualTo(403);
		assertThat(Meters.handshakeFailures(this.meters, "forbidden")).isEqualTo(before + 4);
		try (io.pomelo.gateway.support.RawClient client = io.pomelo.gateway.support.RawClient.tls(this.port)) {
			assertThat(client.send(io.pomelo.gateway.support.RawClient.upgrade("/who/", "")).response(WAIT).status())
				.as("a route the policy does not cover")
				.isEqualTo(101);
		}
	}

	private int upgradeWithReferer(String referer) {
		try (io.pomelo.gateway.support.RawClient client = io.pomelo.gateway.support.RawClient.tls(this.port)) {
			String header = (referer != null) ? "Referer: " + referer + "\r\n" : "";
			io.pomelo.gateway.support.RawClient.Response response = client
				.send(io.pomelo.gateway.support.RawClient.upgrade("/guarded/", header))
				.response(WAIT);
			if (response.status() == 403) {
				assertThat(response.headers()).containsEntry("X-Pomelo-Gateway-Error", "forbidden");
			}
			return response.status();
		}
	}

	/**
	 * ECHOES requests of the state and their answers, each checked; the extensions of the
	 * 101.
	 */
	private String echoes(String route, boolean compress, Map<String, Object> state) {
		URI uri = URI.create("wss://127.0.0.1:" + this.port + "/" + route + "/");
		try (PomeloTestClient player = PomeloTestClient
			.over(WsTestClient.connect(uri, tls, Map.of(), null, compress, null))) {
			String extensions = player.ws().responseHeader("Sec-WebSocket-Extensions");
			player.handshake();
			for (int i = 0; i < ECHOES; i++) {
				Map<String, Object> body = new LinkedHashMap<>(state);
				body.put("seq", i);
				JsonNode echo = player.request("connector.entryHandler.echo", body, WAIT);
				assertThat(echo.get("code").asInt()).isEqualTo(200);
				assertThat(echo.get("msg").get("seq").asInt()).isEqualTo(i);
				assertThat(echo.get("msg").get("players").size()).isEqualTo(100);
				assertThat(echo.get("msg").get("players").get(99).get("name").asString()).isEqualTo("player-99");
			}
			return extensions;
		}
	}

	/**
	 * A 10 KB body shaped like a game's room state: repetitive JSON, as Pomelo traffic
	 * is.
	 */
	private static Map<String, Object> gameState() {
		java.util.List<Map<String, Object>> players = new java.util.ArrayList<>();
		for (int i = 0; i < 100; i++) {
			players.add(Map.of("uid", 100_000 + i, "name", "player-" + i, "x", i * 3 % 97, "y", i * 7 % 89, "hp", 100,
					"state", (i % 3 == 0) ? "moving" : "idle", "guild", "guild-of-the-north-wind"));
		}
		return Map.of("room", "lobby-1", "players", players);
	}

	private long wireBytes(String route) {
		return this.meters.find("pomelo.gateway.bytes")
			.tag("route", route)
			.functionCounters()
			.stream()
			.mapToLong((counter) -> (long) counter.count())
			.sum();
	}

}
