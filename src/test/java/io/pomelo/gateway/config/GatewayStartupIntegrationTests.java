package io.pomelo.gateway.config;

import java.net.URI;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.env.Environment;
import org.springframework.beans.factory.annotation.Autowired;

import io.pomelo.gateway.support.HttpProbe;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Starts the gateway on the operator's own ./application.yml (the seed's /gate/ and
 * /conn/ routes), with no Pomelo running and no certificate, as the README's quick start
 * does.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = "management.server.port=0")
@ExtendWith(OutputCaptureExtension.class)
class GatewayStartupIntegrationTests {

	@LocalServerPort
	int port;

	@Autowired
	Environment environment;

	@Test
	void startsWithoutPomeloLogsItsRoutesAndWarnsThatWeChatNeedsTls(CapturedOutput output) {
		assertThat(output).contains("Route gate /gate/ -> [ws://127.0.0.1:3014] [config]")
			.contains("Route conn /conn/ -> [ws://127.0.0.1:3050] [config]")
			.contains("Route connectors /ws/ -> ws://127.0.0.1:{3050-3059} [config]")
			.contains("WITHOUT TLS")
			.contains("WeChat mini-programs require wss://");
	}

	@Test
	void aSeedRouteWithNoPomeloBehindItAnswers502AndOtherPaths404() {
		HttpProbe.Response gate = HttpProbe.upgrade(URI.create("http://127.0.0.1:" + this.port + "/gate/"), null);
		assertThat(gate.status()).isEqualTo(502);
		assertThat(gate.body()).isEqualTo("backend unreachable: connection refused\n");
		assertThat(
				HttpProbe.get(URI.create("http://127.0.0.1:" + this.port + "/admin/routes"), null, Map.of()).status())
			.isEqualTo(404);
		assertThat(HttpProbe.get(URI.create("http://127.0.0.1:" + this.port + "/actuator/health"), null, Map.of())
			.status()).isEqualTo(404);
	}

	@Test
	void healthIsServedOnTheManagementPortOnly() {
		String managementPort = this.environment.getProperty("local.management.port");
		HttpProbe.Response liveness = HttpProbe
			.get(URI.create("http://127.0.0.1:" + managementPort + "/actuator/health/liveness"), null, Map.of());
		assertThat(liveness.status()).isEqualTo(200);
		assertThat(liveness.body()).contains("\"status\":\"UP\"");
		// No Pomelo runs behind the seed routes: the informational backends contributor
		// says so, and
		// readiness is not affected by it.
		HttpProbe.Response readiness = HttpProbe
			.get(URI.create("http://127.0.0.1:" + managementPort + "/actuator/health/readiness"), null, Map.of());
		assertThat(readiness.status()).isEqualTo(200);
		HttpProbe.Response health = HttpProbe.get(URI.create("http://127.0.0.1:" + managementPort + "/actuator/health"),
				null, Map.of());
		assertThat(tools.jackson.databind.json.JsonMapper.builder()
			.build()
			.readTree(health.body())
			.path("components")
			.path("backends")
			.path("status")
			.asString()).isEqualTo("DOWN");
	}

}
