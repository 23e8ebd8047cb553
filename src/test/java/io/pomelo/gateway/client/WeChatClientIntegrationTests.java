package io.pomelo.gateway.client;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import io.pomelo.gateway.support.DebianPackages;
import io.pomelo.gateway.support.PomeloServer;
import io.pomelo.gateway.support.TestTls;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the WeChat mini-program client's own test suite ({@code clients/wechat},
 * {@code node --test}) unmodified against this gateway over wss://, including its
 * real-browser test in Debian's Chromium. The node tests start their own Pomelo servers
 * on free ports and reach every one of them, gate and connectors, through the gateway's
 * port-addressed route.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "spring.config.location=classpath:/application.yml", "management.server.port=0",
				"pomelo.gateway.tls.certificate=" + TestTls.CERTIFICATE,
				"pomelo.gateway.tls.private-key=" + TestTls.PRIVATE_KEY, "pomelo.gateway.port-routes[0].id=ports",
				"pomelo.gateway.port-routes[0].prefix=/ws/", "pomelo.gateway.port-routes[0].host=127.0.0.1",
				"pomelo.gateway.port-routes[0].ports=1024-65535" })
class WeChatClientIntegrationTests {

	private static final Path CLIENT = Path.of("clients/wechat").toAbsolutePath();

	@LocalServerPort
	int port;

	@Test
	void clientSuitePassesThroughTheGateway() throws Exception {
		PomeloServer.ensureInstalled();
		ensureChromium();
		if (!Files.isDirectory(CLIENT.resolve("node_modules/ws"))) {
			PomeloServer.run(CLIENT, java.time.Duration.ofMinutes(5), "npm", "ci", "--no-audit", "--no-fund");
		}
		Path output = Files.createTempFile("wechat-client-tests-", ".log");
		ProcessBuilder builder = new ProcessBuilder("npm", "test").directory(CLIENT.toFile())
			.redirectErrorStream(true)
			.redirectOutput(output.toFile());
		builder.environment().put("PWX_URL_TEMPLATE", "wss://127.0.0.1:" + this.port + "/ws/{port}/");
		builder.environment()
			.put("PWX_CA_FILE", Path.of("src/test/resources/tls/cert.pem").toAbsolutePath().toString());
		Process process = builder.start();
		boolean finished = process.waitFor(8, TimeUnit.MINUTES);
		if (!finished) {
			process.destroyForcibly();
		}
		String log = Files.readString(output, StandardCharsets.UTF_8);
		System.out.println(log);
		assertThat(finished).as("node --test finished within 8 minutes").isTrue();
		assertThat(count(log, "pass")).as("passed node tests").isGreaterThanOrEqualTo(30);
		assertThat(count(log, "fail")).as("failed node tests").isZero();
		assertThat(count(log, "skipped")).as("skipped node tests").isZero();
		assertThat(log).containsPattern("(?m)^ok \\d+ - Chromium runs the library");
		assertThat(process.exitValue()).as("npm test exit code, output:\n" + log).isZero();
	}

	private static int count(String log, String label) {
		Matcher matcher = Pattern.compile("(?m)^\\S*\\s*" + label + " (\\d+)$").matcher(log);
		assertThat(matcher.find()).as("node test summary line '" + label + " N' in:\n" + log).isTrue();
		return Integer.parseInt(matcher.group(1));
	}

	private static void ensureChromium() {
		DebianPackages.ensureInstalled("chromium", Path.of("/usr/bin/chromium"));
	}

}
