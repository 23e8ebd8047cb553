package io.pomelo.gateway.health;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.pomelo.gateway.support.EchoBackend;
import io.pomelo.gateway.support.PomeloServer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The probes on the management port: readiness follows the route table and the drain
 * switch, and the backends contributor reports reachability per route without ever taking
 * readiness down.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "spring.config.location=classpath:/application.yml", "management.server.port=0" })
class HealthIntegrationTests {

	private static final EchoBackend backend = EchoBackend.start();

	private static final int DEAD_PORT = PomeloServer.freePorts(1).get(0);

	private static final JsonMapper JSON = JsonMapper.builder().build();

	// HTTP/1.1: the JDK client's default h2c upgrade attempt is not what a probe sends.
	private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

	@LocalManagementPort
	int managementPort;

	@Autowired
	Readiness readiness;

	@DynamicPropertySource
	static void routes(DynamicPropertyRegistry registry) {
		registry.add("pomelo.gateway.routes[0].id", () -> "echo");
		registry.add("pomelo.gateway.routes[0].prefix", () -> "/echo/");
		registry.add("pomelo.gateway.routes[0].targets", backend::uri);
		registry.add("pomelo.gateway.routes[1].id", () -> "dead");
		registry.add("pomelo.gateway.routes[1].prefix", () -> "/dead/");
		registry.add("pomelo.gateway.routes[1].targets", () -> "ws://127.0.0.1:" + DEAD_PORT);
	}

	@AfterAll
	static void stopBackend() {
		backend.close();
	}

	@Test
	void readinessIsUpWithTheRouteTableAndIgnoresDeadBackends() throws Exception {
		HttpResponse<String> readiness = get("/actuator/health/readiness");
		assertThat(readiness.statusCode()).isEqualTo(200);
		JsonNode components = JSON.readTree(readiness.body()).path("components");
		assertThat(components.path("routes").path("details").path("routes").asInt()).isEqualTo(2);
		assertThat(components.has("backends")).isFalse();
		assertThat(get("/actuator/health/liveness").statusCode()).isEqualTo(200);
	}

	@Test
	void backendsReportsEachRouteAndIsCached() throws Exception {
		JsonNode backends = JSON.readTree(get("/actuator/health/backends").body());
		assertThat(backends.path("status").asString()).isEqualTo("DOWN");
		assertThat(backends.path("details").path("echo").path("status").asString()).isEqualTo("UP");
		assertThat(backends.path("details").path("dead").path("status").asString()).isEqualTo("DOWN");
		assertThat(backends.path("details").path("dead").path("targets").path("127.0.0.1:" + DEAD_PORT).asString())
			.startsWith("unreachable");
		// Within the cache period a backend that comes up is not probed again: no fan-out
		// per call.
		try (java.net.ServerSocket listener = new java.net.ServerSocket(DEAD_PORT, 1,
				java.net.InetAddress.getLoopbackAddress())) {
			JsonNode again = JSON.readTree(get("/actuator/health/backends").body());
			assertThat(again.path("details").path("dead").path("status").asString()).isEqualTo("DOWN");
		}
	}

	@Test
	void drainTakesReadinessOutOfServiceAndBackAgain() throws Exception {
		this.readiness.refuseTraffic();
		try {
			HttpResponse<String> draining = get("/actuator/health/readiness");
			assertThat(draining.statusCode()).isEqualTo(503);
			assertThat(JSON.readTree(draining.body()).path("status").asString()).isEqualTo("OUT_OF_SERVICE");
			assertThat(get("/actuator/health/liveness").statusCode()).isEqualTo(200);
		}
		finally {
			this.readiness.acceptTraffic();
		}
		assertThat(get("/actuator/health/readiness").statusCode()).isEqualTo(200);
	}

	private HttpResponse<String> get(String path) throws Exception {
		return this.http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.managementPort + path))
			.timeout(Duration.ofSeconds(10))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

}
