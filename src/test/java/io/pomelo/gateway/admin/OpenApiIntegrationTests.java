package io.pomelo.gateway.admin;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.env.Environment;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The admin API's OpenAPI description is served on the management port, not on the data
 * port, and equals the copy checked in at docs/openapi.json. When the API changes on
 * purpose, copy target/openapi.json (written by this test) over docs/openapi.json.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "spring.config.location=classpath:/application.yml", "management.server.port=0",
				"pomelo.gateway.store.file=target/openapi-test/routes.json" })
class OpenApiIntegrationTests {

	@DynamicPropertySource
	static void users(DynamicPropertyRegistry registry) {
		registry.add("pomelo.gateway.admin.users[0].name", () -> "victor");
		registry.add("pomelo.gateway.admin.users[0].role", () -> "viewer");
		registry.add("pomelo.gateway.admin.users[0].password", () -> new BCryptPasswordEncoder(4).encode("victor-pw"));
	}

	private static final Path CHECKED_IN = Path.of("docs/openapi.json");

	@Autowired
	Environment environment;

	@LocalServerPort
	int port;

	@Test
	void servedSpecEqualsTheCheckedInCopy() throws Exception {
		byte[] served = WebTestClient.bindToServer()
			.baseUrl("http://127.0.0.1:" + this.environment.getProperty("local.management.port"))
			.responseTimeout(Duration.ofSeconds(20))
			.build()
			.get()
			.uri("/v3/api-docs")
			.headers((h) -> h.setBasicAuth("victor", "victor-pw"))
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.returnResult()
			.getResponseBody();
		JsonMapper json = JsonMapper.builder().build();
		JsonNode actual = json.readTree(served);
		Files.createDirectories(Path.of("target"));
		Files.write(Path.of("target/openapi.json"), json.writerWithDefaultPrettyPrinter().writeValueAsBytes(actual));
		assertThat(actual.path("paths").has("/admin/routes")).isTrue();
		assertThat(actual.path("paths").has("/admin/import/pomelo-servers")).isTrue();
		assertThat(actual.path("paths").has("/admin/sessions/{id}")).isTrue();
		assertThat(json.readTree(Files.readString(CHECKED_IN)))
			.as("docs/openapi.json is out of date; copy target/openapi.json over it")
			.isEqualTo(actual);
	}

	@Test
	void specIsNotOnTheDataPort() {
		WebTestClient.bindToServer()
			.baseUrl("http://127.0.0.1:" + this.port)
			.build()
			.get()
			.uri("/v3/api-docs")
			.exchange()
			.expectStatus()
			.isNotFound();
	}

}
