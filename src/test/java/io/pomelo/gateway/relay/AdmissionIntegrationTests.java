package io.pomelo.gateway.relay;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.pomelo.gateway.admission.AdmissionControl;
import io.pomelo.gateway.support.EchoBackend;
import io.pomelo.gateway.support.Meters;
import io.pomelo.gateway.support.RawClient;
import io.pomelo.gateway.support.TestTls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Admission on the data port with small limits: sessions on the gateway (503), sessions
 * and handshakes per second per client address (429, with Retry-After for the rate), and
 * connections still in their handshake per address, closed at accept before any TLS work.
 * Each test speaks from loopback addresses of its own (127.0.0.x), which the limits see
 * as different clients.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
		"spring.config.location=classpath:/application.yml", "management.server.port=0",
		"pomelo.gateway.tls.certificate=" + TestTls.CERTIFICATE,
		"pomelo.gateway.tls.private-key=" + TestTls.PRIVATE_KEY, "pomelo.gateway.limits.max-sessions=4",
		"pomelo.gateway.limits.per-address.max-sessions=2", "pomelo.gateway.limits.per-address.handshake-rate=1",
		"pomelo.gateway.limits.per-address.handshake-burst=4", "pomelo.gateway.limits.per-address.max-pending=3" })
class AdmissionIntegrationTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private static final EchoBackend backend = EchoBackend.start();

	@LocalServerPort
	int port;

	@Autowired
	SessionRegistry registry;

	@Autowired
	AdmissionControl admission;

	@Autowired
	MeterRegistry meters;

	private final List<RawClient> clients = new ArrayList<>();

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

	@AfterEach
	void closeClients() {
		this.clients.forEach(RawClient::close);
		await().atMost(WAIT).untilAsserted(() -> {
			assertThat(this.registry.size()).isZero();
			assertThat(this.admission.sessions()).isZero();
			assertThat(this.admission.pendingConnections()).isZero();
		});
	}

	private RawClient.Response upgrade(String source) {
		RawClient client = RawClient.connect(this.port, true, source);
		this.clients.add(client);
		return client.send(RawClient.upgrade("/echo/", "")).response(WAIT);
	}

	@Test
	void anAddressAtItsSessionLimitGets429UntilOneOfItsSessionsEnds() {
		assertThat(upgrade("127.0.0.21").status()).isEqualTo(101);
		assertThat(upgrade("127.0.0.21").status()).isEqualTo(101);
		RawClient.Response third = upgrade("127.0.0.21");
		assertThat(third.status()).isEqualTo(429);
		assertThat(third.headers()).containsEntry("X-Pomelo-Gateway-Error", "address_sessions");
		assertThat(upgrade("127.0.0.22").status()).as("another address").isEqualTo(101);
		this.clients.get(0).close();
		await().atMost(WAIT).until(() -> this.admission.sessions() == 2);
		assertThat(upgrade("127.0.0.21").status()).isEqualTo(101);
	}

	@Test
	void anAddressOverItsHandshakeRateGets429WithRetryAfter() throws InterruptedException {
		for (int i = 0; i < 4; i++) {
			RawClient.Response response = upgrade("127.0.0.23");
			assertThat(response.status()).isEqualTo(101);
			this.clients.remove(this.clients.size() - 1).close();
		}
		double before = Meters.handshakeFailures(this.meters, "rate_limited");
		RawClient.Response refused = upgrade("127.0.0.23");
		assertThat(refused.status()).isEqualTo(429);
		assertThat(refused.headers()).containsEntry("X-Pomelo-Gateway-Error", "rate_limited")
			.containsEntry("Retry-After", "1");
		assertThat(Meters.handshakeFailures(this.meters, "rate_limited")).isEqualTo(before + 1);
		assertThat(upgrade("127.0.0.24").status()).as("another address").isEqualTo(101);
		Thread.sleep(1100);
		assertThat(upgrade("127.0.0.23").status()).as("after Retry-After").isEqualTo(101);
	}

	@Test
	void theGatewayAtItsSessionLimitGets503() {
		for (int i = 31; i <= 34; i++) {
			assertThat(upgrade("127.0.0." + i).status()).isEqualTo(101);
		}
		RawClient.Response refused = upgrade("127.0.0.35");
		assertThat(refused.status()).isEqualTo(503);
		assertThat(refused.headers()).containsEntry("X-Pomelo-Gateway-Error", "gateway_full");
		assertThat(this.admission.maxSessions()).isEqualTo(4);
	}

	@Test
	void connectionsBeyondAnAddressPendingLimitAreClosedBeforeTls() {
		double before = Meters.count(this.meters, "pomelo.gateway.connections.refused", "reason",
				"address_pending_connections");
		for (int i = 0; i < 3; i++) {
			this.clients.add(RawClient.connect(this.port, true, "127.0.0.41").handshake());
		}
		await().atMost(WAIT).until(() -> this.admission.pendingConnections() == 3);
		RawClient fourth = RawClient.connect(this.port, true, "127.0.0.41");
		this.clients.add(fourth);
		assertThatThrownBy(fourth::handshake).as("TLS with a connection closed at accept").isNotNull();
		assertThat(Meters.count(this.meters, "pomelo.gateway.connections.refused", "reason",
				"address_pending_connections"))
			.isEqualTo(before + 1);
		assertThat(upgrade("127.0.0.42").status()).as("another address").isEqualTo(101);
		this.clients.get(0).close();
		await().atMost(WAIT).until(() -> this.admission.pendingConnections() == 2);
		assertThat(upgrade("127.0.0.41").status()).as("a place came free").isEqualTo(101);
	}

}
