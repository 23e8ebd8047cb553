package io.pomelo.gateway.metrics;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.netty.handler.ssl.SslContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.pomelo.gateway.support.HttpProbe;
import io.pomelo.gateway.support.PomeloServer;
import io.pomelo.gateway.support.PomeloTestClient;
import io.pomelo.gateway.support.PrometheusServer;
import io.pomelo.gateway.support.PromqlNames;
import io.pomelo.gateway.support.TestTls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A real Prometheus scrapes the gateway's management port every second while real Pomelo
 * clients go through it to a real Pomelo connector; every assertion is a PromQL query
 * against Prometheus's HTTP API, so names, labels and values are checked as an operator
 * would see them. Counters are compared before and after, since the tests share one
 * gateway.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "spring.config.location=classpath:/application.yml", "management.server.port=0",
				"pomelo.gateway.tls.certificate=" + TestTls.CERTIFICATE,
				"pomelo.gateway.tls.private-key=" + TestTls.PRIVATE_KEY })
class PrometheusIntegrationTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	private static final Path DASHBOARD = Path.of("helm/pomelo-wx-gateway/dashboards/pomelo-gateway.json");

	private static final PomeloServer pomelo = PomeloServer.start(PomeloServer.Options.defaults().heartbeat(0));

	private static final int DEAD_PORT = PomeloServer.freePorts(1).get(0);

	private static final SslContext tls = TestTls.clientContext();

	private static PrometheusServer prometheus;

	@LocalServerPort
	int port;

	@LocalManagementPort
	int managementPort;

	@DynamicPropertySource
	static void routes(DynamicPropertyRegistry registry) {
		registry.add("pomelo.gateway.routes[0].id", () -> "conn");
		registry.add("pomelo.gateway.routes[0].prefix", () -> "/conn/");
		registry.add("pomelo.gateway.routes[0].targets", () -> pomelo.connectorUri(0));
		registry.add("pomelo.gateway.routes[1].id", () -> "dead");
		registry.add("pomelo.gateway.routes[1].prefix", () -> "/dead/");
		registry.add("pomelo.gateway.routes[1].targets", () -> "ws://127.0.0.1:" + DEAD_PORT);
	}

	@BeforeEach
	void startPrometheus() {
		if (prometheus == null) {
			prometheus = PrometheusServer.start(this.managementPort);
		}
		await().atMost(WAIT).untilAsserted(() -> assertThat(prometheus.targetUp()).as(prometheus::targets).isTrue());
	}

	@AfterAll
	static void stop() {
		if (prometheus != null) {
			prometheus.close();
			prometheus = null;
		}
		pomelo.close();
	}

	private URI uri(String path) {
		return URI.create("wss://127.0.0.1:" + this.port + path);
	}

	@Test
	void activeConnectionsFollowTheClientsAndTheirClosesAreCountedByCode() {
		int n = 5;
		String closedByClient = "sum(pomelo_gateway_connections_closed_total{route=\"conn\",code=\"1000\",side=\"client\"})";
		double closedBefore = prometheus.value(closedByClient);
		List<PomeloTestClient> clients = new ArrayList<>();
		try {
			for (int i = 0; i < n; i++) {
				PomeloTestClient client = PomeloTestClient.connect(uri("/conn/"), tls);
				clients.add(client);
				assertThat(client.handshake().code()).isEqualTo(200);
			}
			awaitValue("pomelo_gateway_connections_active{route=\"conn\"}", n);
			for (PomeloTestClient client : clients) {
				client.ws().close(1000, "bye");
				client.ws().awaitClose(WAIT);
			}
			awaitValue("pomelo_gateway_connections_active{route=\"conn\"}", 0);
			awaitValue(closedByClient, closedBefore + n);
		}
		finally {
			clients.forEach(PomeloTestClient::close);
		}
	}

	@Test
	void echoRequestsAreTimedUnderTheirPomeloRoute() {
		int m = 25;
		String count = "sum(pomelo_gateway_pomelo_request_duration_seconds_count"
				+ "{route=\"conn\",pomelo_route=\"connector.entryHandler.echo\"})";
		double before = prometheus.value(count);
		try (PomeloTestClient client = PomeloTestClient.connect(uri("/conn/"), tls)) {
			client.handshake();
			for (int i = 0; i < m; i++) {
				assertThat(client.request("connector.entryHandler.echo", Map.of("i", i)).get("code").asInt())
					.isEqualTo(200);
			}
		}
		awaitValue(count, before + m);
		// The buckets are there for histogram_quantile, and the +Inf bucket agrees with
		// the count.
		awaitValue("sum(pomelo_gateway_pomelo_request_duration_seconds_bucket"
				+ "{route=\"conn\",pomelo_route=\"connector.entryHandler.echo\",le=\"+Inf\"})", before + m);
	}

	@Test
	void aKickShowsInTheKickCounter() {
		String kicks = "sum(pomelo_gateway_pomelo_kicks_total{route=\"conn\"})";
		double before = prometheus.value(kicks);
		try (PomeloTestClient client = PomeloTestClient.connect(uri("/conn/"), tls)) {
			client.handshake();
			client.request("connector.entryHandler.entry", Map.of("uid", "kicked"));
			client.request("connector.entryHandler.kick", Map.of("reason", "bye"));
			client.awaitKick(WAIT);
			client.ws().awaitClose(WAIT);
		}
		awaitValue(kicks, before + 1);
	}

	@Test
	void aHandshakeRefusedWith501ShowsUnderItsCode() {
		String refused = "sum(pomelo_gateway_pomelo_handshakes_total{route=\"conn\",code=\"501\"})";
		double before = prometheus.value(refused);
		try (PomeloTestClient client = PomeloTestClient.connect(uri("/conn/"), tls)) {
			assertThat(client.handshake("0.0.0-refused").code()).isEqualTo(501);
			client.ws().awaitClose(WAIT);
		}
		awaitValue(refused, before + 1);
	}

	@Test
	void everyMetricTheDashboardQueriesExistsInARealScrape() throws Exception {
		exerciseEveryMeter();
		Set<String> referenced = dashboardMetricNames();
		assertThat(referenced).contains("pomelo_gateway_connections_active",
				"pomelo_gateway_pomelo_request_duration_seconds_bucket");
		await().atMost(WAIT).untilAsserted(() -> assertThat(prometheus.metricNames()).containsAll(referenced));
	}

	private void exerciseEveryMeter() {
		HttpProbe.Response refused = HttpProbe.upgrade(uri("/dead/"), tls);
		assertThat(refused.status()).isEqualTo(502);
		try (PomeloTestClient client = PomeloTestClient.connect(uri("/conn/"), tls)) {
			client.handshake();
			client.request("connector.entryHandler.echo", Map.of("a", 1));
			client.request("connector.entryHandler.entry", Map.of("uid", "dashboard"));
			client.request("connector.entryHandler.kick", Map.of("reason", "bye"));
			client.awaitKick(WAIT);
			client.ws().awaitClose(WAIT);
		}
	}

	private static Set<String> dashboardMetricNames() throws Exception {
		JsonNode dashboard = JsonMapper.builder().build().readTree(Files.readString(DASHBOARD));
		Set<String> names = new TreeSet<>();
		for (JsonNode panel : dashboard.path("panels")) {
			for (JsonNode target : panel.path("targets")) {
				names.addAll(PromqlNames.of(target.path("expr").asString()));
			}
		}
		Pattern labelValues = Pattern.compile("label_values\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)");
		for (JsonNode variable : dashboard.path("templating").path("list")) {
			Matcher matcher = labelValues.matcher(variable.path("definition").asString(""));
			if (matcher.find()) {
				names.add(matcher.group(1));
			}
		}
		return names;
	}

	private static void awaitValue(String promql, double expected) {
		await().atMost(WAIT)
			.pollInterval(Duration.ofMillis(250))
			.untilAsserted(() -> assertThat(prometheus.value(promql)).as(promql).isEqualTo(expected));
	}

}
