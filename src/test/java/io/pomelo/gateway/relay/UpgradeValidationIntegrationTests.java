package io.pomelo.gateway.relay;

import java.time.Duration;
import java.util.stream.Stream;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.pomelo.gateway.support.EchoBackend;
import io.pomelo.gateway.support.Meters;
import io.pomelo.gateway.support.RawClient;
import io.pomelo.gateway.support.TestTls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The data port as the WebSocket server it is, tried with what broken and hostile clients
 * send: every malformed upgrade gets its status before any backend connection exists,
 * headers are bounded in size, count and time, and clients that leave mid-request are
 * counted, never logged.
 */
@ExtendWith(OutputCaptureExtension.class)
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "spring.config.location=classpath:/application.yml", "management.server.port=0",
				"pomelo.gateway.tls.certificate=" + TestTls.CERTIFICATE,
				"pomelo.gateway.tls.private-key=" + TestTls.PRIVATE_KEY,
				"pomelo.gateway.limits.tls-handshake-timeout=1s", "pomelo.gateway.limits.request-timeout=1s",
				"pomelo.gateway.limits.max-header-count=20", "server.max-http-request-header-size=4KB" })
class UpgradeValidationIntegrationTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private static final EchoBackend backend = EchoBackend.start();

	@LocalServerPort
	int port;

	@Autowired
	BackendConnector connector;

	@Autowired
	MeterRegistry meters;

	@DynamicPropertySource
	static void routes(DynamicPropertyRegistry registry) {
		registry.add("pomelo.gateway.routes[0].id", () -> "echo");
		registry.add("pomelo.gateway.routes[0].prefix", () -> "/echo/");
		registry.add("pomelo.gateway.routes[0].targets", backend::uri);
	}

	@AfterAll
	static void stopBackend() {
		backend.close();
	}

	static Stream<Arguments> malformedUpgrades() {
		String host = "Host: 127.0.0.1\r\n";
		String upgrade = "Upgrade: websocket\r\nConnection: Upgrade\r\n";
		String key = "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";
		String v13 = "Sec-WebSocket-Version: 13\r\n";
		return Stream.of(
				Arguments.of("no key", "GET /echo/ HTTP/1.1\r\n" + host + upgrade + v13 + "\r\n", 400, "bad_request"),
				Arguments.of("a short key",
						"GET /echo/ HTTP/1.1\r\n" + host + upgrade + "Sec-WebSocket-Key: short\r\n" + v13 + "\r\n", 400,
						"bad_request"),
				Arguments.of("a key of 15 bytes",
						"GET /echo/ HTTP/1.1\r\n" + host + upgrade + "Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAA\r\n" + v13
								+ "\r\n",
						400, "bad_request"),
				Arguments.of("two keys",
						"GET /echo/ HTTP/1.1\r\n" + host + upgrade + key
								+ "Sec-WebSocket-Key: x3JJHMbDL1EzLkh9GBhXDw==\r\n" + v13 + "\r\n",
						400, "bad_request"),
				Arguments.of("version 8",
						"GET /echo/ HTTP/1.1\r\n" + host + upgrade + key + "Sec-WebSocket-Version: 8\r\n\r\n", 426,
						"unsupported_version"),
				Arguments.of("no version", "GET /echo/ HTTP/1.1\r\n" + host + upgrade + key + "\r\n", 426,
						"unsupported_version"),
				Arguments.of("HTTP/1.0", "GET /echo/ HTTP/1.0\r\n" + host + upgrade + key + v13 + "\r\n", 400,
						"bad_request"),
				Arguments.of("a POST",
						"POST /echo/ HTTP/1.1\r\n" + host + upgrade + key + v13 + "Content-Length: 0\r\n\r\n", 405,
						"method_not_allowed"),
				Arguments.of("no Connection: upgrade",
						"GET /echo/ HTTP/1.1\r\n" + host + "Upgrade: websocket\r\nConnection: keep-alive\r\n" + key
								+ v13 + "\r\n",
						400, "bad_request"),
				Arguments.of("no Host", "GET /echo/ HTTP/1.1\r\n" + upgrade + key + v13 + "\r\n", 400, "bad_request"),
				Arguments.of("a body",
						"GET /echo/ HTTP/1.1\r\n" + host + upgrade + key + v13 + "Content-Length: 5\r\n\r\nhello", 400,
						"bad_request"),
				Arguments.of("a plain GET", "GET /echo/ HTTP/1.1\r\n" + host + "\r\n", 426, "not_websocket"),
				Arguments.of("an unknown path", "GET /nowhere/ HTTP/1.1\r\n" + host + upgrade + key + v13 + "\r\n", 404,
						"no_route"),
				Arguments.of("an absolute request target",
						"GET http://127.0.0.1/echo/ HTTP/1.1\r\n" + host + upgrade + key + v13 + "\r\n", 400,
						"bad_request"));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("malformedUpgrades")
	void aMalformedUpgradeGetsItsStatusAndCostsNoBackendConnection(String what, String request, int status,
			String reason) {
		int accepted = backend.acceptedConnections();
		double before = Meters.handshakeFailures(this.meters, reason);
		try (RawClient client = RawClient.tls(this.port)) {
			RawClient.Response response = client.send(request).response(WAIT);
			assertThat(response.status()).as(what).isEqualTo(status);
			assertThat(response.headers()).containsEntry("X-Pomelo-Gateway-Error", reason)
				.containsEntry("Connection", "close");
			if (status == 426 && !reason.equals("not_websocket")) {
				assertThat(response.headers()).containsEntry("Sec-WebSocket-Version", "13");
			}
			assertThat(client.closedWithin(WAIT)).as("connection closed after the refusal").isTrue();
		}
		assertThat(Meters.handshakeFailures(this.meters, reason)).isEqualTo(before + 1);
		assertThat(backend.acceptedConnections()).as("backend connections made").isEqualTo(accepted);
		assertThat(this.connector.openConnections()).isZero();
	}

	@Test
	void upgradeTokensAreMatchedWithoutRegardToCaseOrPosition() {
		try (RawClient client = RawClient.tls(this.port)) {
			client.send("GET /echo/ HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: WebSocket\r\n"
					+ "Connection: keep-alive, UPGRADE\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
					+ "Sec-WebSocket-Version: 13\r\n\r\n");
			RawClient.Response response = client.response(WAIT);
			assertThat(response.status()).isEqualTo(101);
			assertThat(response.headers()).containsEntry("Sec-WebSocket-Accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
		}
	}

	@Test
	void tooManyHeadersOrTooLargeHeadersGet431() {
		StringBuilder many = new StringBuilder();
		for (int i = 0; i < 30; i++) {
			many.append("X-Filler-").append(i).append(": x\r\n");
		}
		try (RawClient client = RawClient.tls(this.port)) {
			RawClient.Response response = client.send(RawClient.upgrade("/echo/", many.toString())).response(WAIT);
			assertThat(response.status()).isEqualTo(431);
		}
		try (RawClient client = RawClient.tls(this.port)) {
			RawClient.Response response = client
				.send(RawClient.upgrade("/echo/", "X-Big: " + "x".repeat(5000) + "\r\n"))
				.response(WAIT);
			assertThat(response.status()).isEqualTo(431);
			assertThat(response.headers()).containsEntry("X-Pomelo-Gateway-Error", "headers_too_large");
		}
	}

	@Test
	void headersSentOneByteAtATimeAreCutWith408AfterTheRequestTimeout() throws InterruptedException {
		double before = Meters.count(this.meters, "pomelo.gateway.client.timeouts", "phase", "request");
		try (RawClient client = RawClient.tls(this.port)) {
			client.send("GET /echo/ HTTP/1.1\r\nHost: 127.0.0.1\r\n");
			RawClient.Response response = null;
			for (int i = 0; i < 40 && response == null; i++) {
				try {
					client.send("X");
				}
				catch (java.io.UncheckedIOException closed) {
					break;
				}
				Thread.sleep(100);
				if (i == 30) {
					response = client.response(WAIT);
				}
			}
			RawClient.Response answer = (response != null) ? response : client.response(WAIT);
			assertThat(answer.status()).isEqualTo(408);
			assertThat(client.closedWithin(WAIT)).isTrue();
		}
		catch (java.io.UncheckedIOException closedBeforeAnAnswerWasRead) {
			// The 408 was written and the socket closed while the test was still writing.
		}
		await().atMost(WAIT)
			.untilAsserted(
					() -> assertThat(Meters.count(this.meters, "pomelo.gateway.client.timeouts", "phase", "request"))
						.isEqualTo(before + 1));
		assertThat(Meters.handshakeFailures(this.meters, "request_timeout")).isPositive();
	}

	@Test
	void aConnectionThatNeverStartsTlsIsClosedAfterTheTlsHandshakeTimeout() {
		double before = Meters.count(this.meters, "pomelo.gateway.client.timeouts", "phase", "tls_handshake");
		try (RawClient client = RawClient.plain(this.port)) {
			assertThat(client.closedWithin(WAIT)).isTrue();
		}
		assertThat(Meters.count(this.meters, "pomelo.gateway.client.timeouts", "phase", "tls_handshake"))
			.isEqualTo(before + 1);
	}

	@Test
	void plainHttpOnTheTlsPortIsCountedAsATlsFailure() {
		double before = Meters.count(this.meters, "pomelo.gateway.client.errors", "kind", "tls_handshake");
		try (RawClient client = RawClient.plain(this.port)) {
			client.send(RawClient.upgrade("/echo/", ""));
			assertThat(client.closedWithin(WAIT)).isTrue();
		}
		await().atMost(WAIT)
			.untilAsserted(
					() -> assertThat(Meters.count(this.meters, "pomelo.gateway.client.errors", "kind", "tls_handshake"))
						.isEqualTo(before + 1));
	}

	@Test
	void clientsThatLeaveMidRequestAreCountedAndNeverLogged(CapturedOutput output) {
		double before = Meters.count(this.meters, "pomelo.gateway.client.errors", "kind", "closed_early");
		int logged = output.getOut().length();
		for (int i = 0; i < 300; i++) {
			// Each leaves well within the request timeout, half with a reset and half
			// with a TLS close.
			RawClient client = RawClient.tls(this.port)
				.handshake()
				.send("GET /echo/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Half");
			if (i % 2 == 0) {
				client.abort();
			}
			else {
				client.close();
			}
		}
		await().atMost(WAIT)
			.untilAsserted(
					() -> assertThat(Meters.count(this.meters, "pomelo.gateway.client.errors", "kind", "closed_early")
							+ Meters.count(this.meters, "pomelo.gateway.client.errors", "kind", "reset"))
						.isGreaterThanOrEqualTo(before + 300));
		String written = output.getOut().substring(logged);
		assertThat(written.lines().filter((line) -> line.contains(" WARN ") || line.contains(" ERROR ")))
			.as("log lines written while 300 clients left mid-request")
			.isEmpty();
	}

}
