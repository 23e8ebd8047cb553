package io.pomelo.gateway.admin;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.env.Environment;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

import io.pomelo.gateway.route.RouteTable;
import io.pomelo.gateway.store.RouteStore;
import io.pomelo.gateway.support.EchoBackend;
import io.pomelo.gateway.support.PomeloServer;
import io.pomelo.gateway.support.PomeloTestClient;
import io.pomelo.gateway.support.WsTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The admin API on the management port with real users, a real file store and real
 * WebSocket clients.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "spring.config.location=classpath:/application.yml", "management.server.port=0",
				"pomelo.gateway.routes[0].id=gate", "pomelo.gateway.routes[0].prefix=/gate/",
				"pomelo.gateway.routes[0].targets=ws://127.0.0.1:3014",
				"pomelo.gateway.targets.allow-cidrs=127.0.0.0/8", "pomelo.gateway.admin.drain-grace=300ms" })
class AdminApiIntegrationTests {

	private static final Path STORE = tempStore();

	private static final EchoBackend one = EchoBackend.start();

	private static final EchoBackend two = EchoBackend.start();

	private static final BCryptPasswordEncoder bcrypt = new BCryptPasswordEncoder(4);

	@LocalServerPort
	int port;

	@Autowired
	Environment environment;

	@Autowired
	RouteTable table;

	@Autowired
	RouteStore store;

	private WebTestClient client;

	@DynamicPropertySource
	static void users(DynamicPropertyRegistry registry) {
		registry.add("pomelo.gateway.store.file", STORE::toString);
		registry.add("pomelo.gateway.admin.users[0].name", () -> "alice");
		registry.add("pomelo.gateway.admin.users[0].password", () -> bcrypt.encode("alice-pw"));
		registry.add("pomelo.gateway.admin.users[0].role", () -> "admin");
		registry.add("pomelo.gateway.admin.users[1].name", () -> "victor");
		registry.add("pomelo.gateway.admin.users[1].password", () -> bcrypt.encode("victor-pw"));
		registry.add("pomelo.gateway.admin.users[1].role", () -> "viewer");
	}

	private static Path tempStore() {
		try {
			return Files.createTempDirectory("admin-store").resolve("routes.json");
		}
		catch (java.io.IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	@AfterAll
	static void stop() {
		one.close();
		two.close();
	}

	@BeforeEach
	void setUp() {
		this.client = WebTestClient.bindToServer()
			.baseUrl("http://127.0.0.1:" + this.environment.getProperty("local.management.port"))
			.responseTimeout(Duration.ofSeconds(20))
			.build();
		// Each test starts from an empty set of dynamic routes.
		for (Map<?, ?> route : routes()) {
			if ("dynamic".equals(route.get("source"))) {
				as("alice").delete()
					.uri("/admin/routes/" + route.get("id"))
					.header(HttpHeaders.IF_MATCH, "\"" + route.get("version") + "\"")
					.exchange()
					.expectStatus()
					.isNoContent();
			}
		}
	}

	private WebTestClient as(String user) {
		return this.client.mutate().defaultHeaders((h) -> h.setBasicAuth(user, user + "-pw")).build();
	}

	@SuppressWarnings("unchecked")
	private List<Map<String, Object>> routes() {
		return as("victor").get()
			.uri("/admin/routes")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(List.class)
			.returnResult()
			.getResponseBody();
	}

	private static Map<String, Object> route(String id, String prefix, String target) {
		return Map.of("id", id, "prefix", prefix, "targets", List.of(target));
	}

	private EntityExchangeResult<Map> create(Map<String, Object> body) {
		return as("alice").post()
			.uri("/admin/routes")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(body)
			.exchange()
			.expectBody(Map.class)
			.returnResult();
	}

	private WsTestClient ws(String path) {
		return WsTestClient.connect(URI.create("ws://127.0.0.1:" + this.port + path), null);
	}

	@ParameterizedTest
	@CsvSource({ "GET,/admin/routes,,401", "GET,/admin/routes,victor,200", "GET,/admin/routes,alice,200",
			"POST,/admin/routes,,401", "POST,/admin/routes,victor,403", "DELETE,/admin/routes/x,victor,403",
			"PUT,/admin/routes/x,victor,403", "GET,/admin/sessions,victor,200", "DELETE,/admin/sessions/x,victor,403",
			"POST,/admin/import/pomelo-servers,victor,403", "GET,/actuator/health/liveness,,200",
			"GET,/actuator/health/readiness,,200", "GET,/actuator/prometheus,,200", "GET,/actuator/info,,401",
			"GET,/actuator/info,victor,403", "GET,/actuator/info,alice,200", "GET,/actuator/gateway/routes,alice,404" })
	void accessMatrix(String method, String path, String user, int status) {
		WebTestClient caller = (user != null) ? as(user) : this.client;
		caller.method(HttpMethod.valueOf(method))
			.uri(path)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{}")
			.exchange()
			.expectStatus()
			.isEqualTo(status);
	}

	@Test
	void rootHealthNeedsNoCredentials() {
		// Its status depends on the backends contributor (the gate route's backend is not
		// running here),
		// so only the absence of an authentication challenge is asserted.
		int status = this.client.get()
			.uri("/actuator/health")
			.exchange()
			.returnResult(String.class)
			.getStatus()
			.value();
		assertThat(status).isIn(200, 503);
	}

	@Test
	void controlPlaneIsNotOnTheDataPort() {
		WebTestClient data = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + this.port).build();
		data.get()
			.uri("/admin/routes")
			.headers((h) -> h.setBasicAuth("alice", "alice-pw"))
			.exchange()
			.expectStatus()
			.isNotFound();
		data.get().uri("/actuator/health").exchange().expectStatus().isNotFound();
	}

	@Test
	void createReadReplaceDeleteWithETags() {
		EntityExchangeResult<Map> created = create(route("conn2", "/conn2/", one.uri()));
		assertThat(created.getStatus().value()).isEqualTo(201);
		assertThat(created.getResponseHeaders().getETag()).isEqualTo("\"1\"");
		assertThat(created.getResponseBody()).containsEntry("source", "dynamic").containsEntry("version", 1);
		as("victor").get()
			.uri("/admin/routes/conn2")
			.exchange()
			.expectStatus()
			.isOk()
			.expectHeader()
			.valueEquals(HttpHeaders.ETAG, "\"1\"");
		Map<String, Object> replacement = route("conn2", "/conn2/", two.uri());
		as("alice").put()
			.uri("/admin/routes/conn2")
			.bodyValue(replacement)
			.exchange()
			.expectStatus()
			.isEqualTo(428)
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON);
		as("alice").put()
			.uri("/admin/routes/conn2")
			.header(HttpHeaders.IF_MATCH, "\"7\"")
			.bodyValue(replacement)
			.exchange()
			.expectStatus()
			.isEqualTo(412);
		as("alice").put()
			.uri("/admin/routes/conn2")
			.header(HttpHeaders.IF_MATCH, "\"1\"")
			.bodyValue(replacement)
			.exchange()
			.expectStatus()
			.isOk()
			.expectHeader()
			.valueEquals(HttpHeaders.ETAG, "\"2\"")
			.expectBody()
			.jsonPath("$.targets[0]")
			.isEqualTo(two.uri());
		as("alice").delete()
			.uri("/admin/routes/conn2")
			.header(HttpHeaders.IF_MATCH, "\"1\"")
			.exchange()
			.expectStatus()
			.isEqualTo(412);
		as("alice").delete()
			.uri("/admin/routes/conn2")
			.header(HttpHeaders.IF_MATCH, "\"2\"")
			.exchange()
			.expectStatus()
			.isNoContent();
		as("victor").get().uri("/admin/routes/conn2").exchange().expectStatus().isNotFound();
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', value = {
			"{\"id\":\"Bad Id\",\"prefix\":\"/x/\",\"targets\":[\"ws://127.0.0.1:1\"]}|400|id",
			"{\"id\":\"x\",\"prefix\":\"x\",\"targets\":[\"ws://127.0.0.1:1\"]}|400|prefix",
			"{\"id\":\"x\",\"prefix\":\"/a/../b/\",\"targets\":[\"ws://127.0.0.1:1\"]}|400|prefix",
			"{\"id\":\"x\",\"prefix\":\"/a//b/\",\"targets\":[\"ws://127.0.0.1:1\"]}|400|prefix",
			"{\"id\":\"x\",\"prefix\":\"/a?q=1/\",\"targets\":[\"ws://127.0.0.1:1\"]}|400|prefix",
			"{\"id\":\"x\",\"prefix\":\"/x/\",\"targets\":[\"http://127.0.0.1:1\"]}|400|targets[0]",
			"{\"id\":\"x\",\"prefix\":\"/x/\",\"targets\":[]}|400|targets",
			"{\"id\":\"x\",\"prefix\":\"/x/\",\"targets\":[\"ws://127.0.0.1:1\"],\"maxConnections\":-1}|400|maxConnections",
			"{\"id\":\"x\",\"prefix\":\"/x/\",\"targets\":[\"ws://127.0.0.1:1\"],\"maxFramePayload\":0}|400|maxFramePayload",
			"{\"id\":\"x\",\"prefix\":\"/x/\",\"targets\":[\"ws://127.0.0.1:1\"],\"idleTimeout\":\"PT0S\"}|400|idleTimeout",
			"{\"id\":\"x\",\"prefix\":\"/x/\",\"targets\":[\"ws://127.0.0.1:1\"],\"maxConnections\":\"many\"}|400|maxConnections",
			"{\"id\":\"x\",\"prefix\":\"/x/\",\"targets\":[\"ws://169.254.169.254:80\"]}|422|targets[0]",
			"{\"id\":\"x\",\"prefix\":\"/x/\",\"targets\":[\"ws://10.1.2.3:3050\"]}|422|targets[0]",
			"{\"id\":\"x\",\"prefix\":\"/gate/\",\"targets\":[\"ws://127.0.0.1:1\"]}|409|prefix",
			"{\"id\":\"gate\",\"prefix\":\"/g2/\",\"targets\":[\"ws://127.0.0.1:1\"]}|409|id",
			"{\"id\":\"x\",\"prefix\":\"/x/\",|400|body" })
	void invalidRoutesGetAProblemNamingTheFieldAndChangeNothing(String body, int status, String field)
			throws Exception {
		List<Map<String, Object>> before = routes();
		String fileBefore = Files.exists(STORE) ? Files.readString(STORE) : "";
		as("alice").post()
			.uri("/admin/routes")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(body)
			.exchange()
			.expectStatus()
			.isEqualTo(status)
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.status")
			.isEqualTo(status)
			.jsonPath("$.errors[0].field")
			.isEqualTo(field);
		assertThat(routes()).isEqualTo(before);
		assertThat(Files.exists(STORE) ? Files.readString(STORE) : "").isEqualTo(fileBefore);
	}

	@Test
	void theGatewaysOwnPortIsNeverATarget() {
		EntityExchangeResult<Map> result = create(route("self", "/self/", "ws://127.0.0.1:" + this.port));
		assertThat(result.getStatus().value()).isEqualTo(422);
		assertThat(result.getResponseBody().toString()).contains("own port");
	}

	@Test
	void configRoutesAreReadOnly() {
		as("victor").get()
			.uri("/admin/routes/gate")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.source")
			.isEqualTo("config");
		as("alice").put()
			.uri("/admin/routes/gate")
			.header(HttpHeaders.IF_MATCH, "\"0\"")
			.bodyValue(route("gate", "/gate/", one.uri()))
			.exchange()
			.expectStatus()
			.isEqualTo(409)
			.expectBody()
			.jsonPath("$.detail")
			.value((detail) -> assertThat(detail.toString()).contains("configuration"));
		as("alice").delete()
			.uri("/admin/routes/gate")
			.header(HttpHeaders.IF_MATCH, "\"0\"")
			.exchange()
			.expectStatus()
			.isEqualTo(409);
	}

	@Test
	void aNewRouteServesTheVeryNextConnection() {
		assertThat(create(route("fresh", "/fresh/", one.uri())).getStatus().value()).isEqualTo(201);
		try (WsTestClient client = ws("/fresh/")) {
			client.sendText("at once");
			assertThat(client.nextFrame(Duration.ofSeconds(5)).text()).isEqualTo("at once");
		}
	}

	@Test
	void liveSessionsSurviveAnUpdateAndADeleteWithKeep() {
		create(route("live", "/live/", one.uri()));
		try (WsTestClient before = ws("/live/")) {
			as("alice").put()
				.uri("/admin/routes/live")
				.header(HttpHeaders.IF_MATCH, "\"1\"")
				.bodyValue(route("live", "/live/", two.uri()))
				.exchange()
				.expectStatus()
				.isOk();
			before.sendText("still one");
			assertThat(before.nextFrame(Duration.ofSeconds(5)).text()).isEqualTo("still one");
			one.reset();
			two.reset();
			try (WsTestClient after = ws("/live/")) {
				assertThat(two.nextHandshake(Duration.ofSeconds(5)).uri()).isEqualTo("/");
				after.sendText("now two");
				assertThat(after.nextFrame(Duration.ofSeconds(5)).text()).isEqualTo("now two");
			}
			as("alice").delete()
				.uri("/admin/routes/live")
				.header(HttpHeaders.IF_MATCH, "\"2\"")
				.exchange()
				.expectStatus()
				.isNoContent();
			before.sendText("after delete");
			assertThat(before.nextFrame(Duration.ofSeconds(5)).text()).isEqualTo("after delete");
			assertThat(before.isClosed()).isFalse();
		}
	}

	@Test
	void aPomeloPlayerKeepsExchangingEchoesWhileItsRouteIsUpdatedAndDeleted() {
		try (PomeloServer pomelo = PomeloServer.start(PomeloServer.Options.defaults().heartbeat(0).connectors(2))) {
			create(route("game", "/game/", pomelo.connectorUri(0)));
			try (PomeloTestClient player = PomeloTestClient
				.connect(URI.create("ws://127.0.0.1:" + this.port + "/game/"), null)) {
				assertThat(player.handshake().code()).isEqualTo(200);
				assertThat(player.request("connector.entryHandler.echo", Map.of("n", 1)).get("msg").get("n").asInt())
					.isEqualTo(1);
				as("alice").put()
					.uri("/admin/routes/game")
					.header(HttpHeaders.IF_MATCH, "\"1\"")
					.bodyValue(route("game", "/game/", pomelo.connectorUri(1)))
					.exchange()
					.expectStatus()
					.isOk();
				assertThat(player.request("connector.entryHandler.echo", Map.of("n", 2)).get("msg").get("n").asInt())
					.isEqualTo(2);
				as("alice").delete()
					.uri("/admin/routes/game")
					.header(HttpHeaders.IF_MATCH, "\"2\"")
					.exchange()
					.expectStatus()
					.isNoContent();
				assertThat(player.request("connector.entryHandler.echo", Map.of("n", 3)).get("msg").get("n").asInt())
					.isEqualTo(3);
				assertThat(player.ws().isClosed()).isFalse();
			}
		}
	}

	@Test
	void deletingARouteWithDrainClosesItsSessionsWith1001() {
		Map<String, Object> body = new java.util.HashMap<>(route("drained", "/drained/", one.uri()));
		body.put("onDelete", "DRAIN");
		create(body);
		try (WsTestClient client = ws("/drained/")) {
			as("alice").delete()
				.uri("/admin/routes/drained")
				.header(HttpHeaders.IF_MATCH, "\"1\"")
				.exchange()
				.expectStatus()
				.isNoContent();
			WsTestClient.Close close = client.awaitClose(Duration.ofSeconds(5));
			assertThat(close.code()).isEqualTo(1001);
			assertThat(close.reason()).isEqualTo("route deleted");
		}
	}

	@Test
	void sessionsAreListedAndCanBeClosedWithTheDocumentedCode() {
		create(route("watched", "/watched/", one.uri()));
		try (WsTestClient client = ws("/watched/")) {
			client.sendText("hi");
			client.nextFrame(Duration.ofSeconds(5));
			List<Map> sessions = as("victor").get()
				.uri("/admin/sessions?route=watched")
				.exchange()
				.expectStatus()
				.isOk()
				.expectBodyList(Map.class)
				.returnResult()
				.getResponseBody();
			assertThat(sessions).singleElement().satisfies((session) -> {
				assertThat(session).containsEntry("route", "watched")
					.containsEntry("framesUp", 1)
					.containsEntry("bytesUp", 2);
				assertThat(session.get("backend").toString()).startsWith(one.uri());
			});
			as("alice").delete()
				.uri("/admin/sessions/" + sessions.get(0).get("id"))
				.exchange()
				.expectStatus()
				.isNoContent();
			WsTestClient.Close close = client.awaitClose(Duration.ofSeconds(5));
			assertThat(close.code()).isEqualTo(4000);
			assertThat(close.reason()).isEqualTo("closed by operator");
		}
	}

	@Test
	void pomeloServersJsonImportsAsADryRunThenForReal() {
		String servers = """
				{"production":{
				  "gate":[{"id":"gate-server-1","host":"127.0.0.1","clientPort":%d,"frontend":true}],
				  "connector":[{"id":"connector-server-1","host":"127.0.0.1","port":4050,"clientHost":"127.0.0.1","clientPort":%d,"frontend":true},
				               {"id":"connector-server-2","host":"127.0.0.1","port":4051,"clientPort":%d,"frontend":true}],
				  "chat":[{"id":"chat-server-1","host":"127.0.0.1","port":6050}]}}
				"""
			.formatted(one.port(), one.port(), two.port());
		as("alice").post()
			.uri("/admin/import/pomelo-servers?env=production&dryRun=true")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(servers)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.dryRun")
			.isEqualTo(true)
			.jsonPath("$.added.length()")
			.isEqualTo(3);
		as("victor").get().uri("/admin/routes/connector-server-2").exchange().expectStatus().isNotFound();
		as("alice").post()
			.uri("/admin/import/pomelo-servers?env=production")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(servers)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.added.length()")
			.isEqualTo(3);
		as("victor").get()
			.uri("/admin/routes/connector-server-2")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.prefix")
			.isEqualTo("/connector-server-2/")
			.jsonPath("$.targets[0]")
			.isEqualTo(two.uri());
		try (WsTestClient client = ws("/connector-server-2/")) {
			client.sendText("imported");
			assertThat(client.nextFrame(Duration.ofSeconds(5)).text()).isEqualTo("imported");
		}
		as("alice").post()
			.uri("/admin/import/pomelo-servers?env=production&dryRun=true")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(servers)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.unchanged.length()")
			.isEqualTo(3)
			.jsonPath("$.added.length()")
			.isEqualTo(0);
	}

	@Test
	void anImportWithOneForbiddenServerAppliesNothing() {
		String servers = """
				{"production":{"connector":[
				  {"id":"ok-1","host":"127.0.0.1","clientPort":%d,"frontend":true},
				  {"id":"metadata","host":"169.254.169.254","clientPort":80,"frontend":true}]}}
				""".formatted(one.port());
		as("alice").post()
			.uri("/admin/import/pomelo-servers?env=production")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(servers)
			.exchange()
			.expectStatus()
			.isEqualTo(422)
			.expectBody()
			.jsonPath("$.errors[0].field")
			.isEqualTo("servers[metadata].targets[0]");
		as("victor").get().uri("/admin/routes/ok-1").exchange().expectStatus().isNotFound();
		as("alice").post()
			.uri("/admin/import/pomelo-servers?env=staging")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(servers)
			.exchange()
			.expectStatus()
			.isEqualTo(422)
			.expectBody()
			.jsonPath("$.errors[0].field")
			.isEqualTo("env");
	}

	@Test
	void theStoreTheApiAndTheLiveTableAgree() {
		create(route("agree", "/agree/", one.uri()));
		assertThat(this.store.load()).containsKey("agree");
		assertThat(this.table.current().get("agree")).isNotNull();
		await().atMost(Duration.ofSeconds(1)).until(() -> Files.readString(STORE).contains("\"agree\""));
	}

}
