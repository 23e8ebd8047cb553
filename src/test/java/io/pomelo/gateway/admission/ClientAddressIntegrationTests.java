package io.pomelo.gateway.admission;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageEncoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.pomelo.gateway.relay.RelaySession;
import io.pomelo.gateway.relay.SessionRegistry;
import io.pomelo.gateway.support.EchoBackend;
import io.pomelo.gateway.support.GatewayInstance;
import io.pomelo.gateway.support.Meters;
import io.pomelo.gateway.support.RawClient;
import io.pomelo.gateway.support.TestTls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The client address behind a load balancer: from a PROXY protocol header (v1 and v2, in
 * front of TLS) or from X-Forwarded-For of a trusted proxy. That one address is what the
 * registry holds and what Pomelo gets in X-Forwarded-For and X-Real-IP; a forged header
 * from anyone else changes nothing.
 */
class ClientAddressIntegrationTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private static final EchoBackend backend = EchoBackend.start();

	// Only 127.0.0.5 is the load balancer; other loopback addresses are clients or
	// strangers.
	private static final GatewayInstance proxied = GatewayInstance
		.start(tls("pomelo.gateway.client-address.source=proxy-protocol",
				"pomelo.gateway.client-address.trusted-proxies=127.0.0.5/32", "pomelo.gateway.routes[0].id=echo",
				"pomelo.gateway.routes[0].prefix=/echo/", "pomelo.gateway.routes[0].targets=" + backend.uri()));

	private static final GatewayInstance forwarded = GatewayInstance.start(tls(
			"pomelo.gateway.client-address.source=x-forwarded-for",
			"pomelo.gateway.client-address.trusted-proxies=127.0.0.7/32,10.0.0.0/8", "pomelo.gateway.routes[0].id=echo",
			"pomelo.gateway.routes[0].prefix=/echo/", "pomelo.gateway.routes[0].targets=" + backend.uri()));

	private static String[] tls(String... properties) {
		String[] all = new String[properties.length + 2];
		all[0] = "pomelo.gateway.tls.certificate=" + TestTls.CERTIFICATE;
		all[1] = "pomelo.gateway.tls.private-key=" + TestTls.PRIVATE_KEY;
		System.arraycopy(properties, 0, all, 2, properties.length);
		return all;
	}

	@AfterAll
	static void stop() {
		proxied.close();
		forwarded.close();
		backend.close();
	}

	@BeforeEach
	void reset() {
		backend.reset();
	}

	@Test
	void aProxyV1HeaderNamesTheClientBeforeTls() {
		byte[] header = "PROXY TCP4 203.0.113.7 127.0.0.1 51234 443\r\n".getBytes(StandardCharsets.US_ASCII);
		try (RawClient client = RawClient.connect(proxied.dataPort(), true, "127.0.0.5", header)) {
			assertThat(client.send(RawClient.upgrade("/echo/", "X-Forwarded-For: 6.6.6.6\r\n")).response(WAIT).status())
				.isEqualTo(101);
			Map<String, String> headers = backend.nextHandshake(WAIT).headers();
			assertThat(headers).containsEntry("x-forwarded-for", "203.0.113.7")
				.containsEntry("x-real-ip", "203.0.113.7");
			assertThat(sessions(proxied)).extracting(RelaySession::clientAddress).containsExactly("203.0.113.7:51234");
		}
	}

	@Test
	void aProxyV2HeaderNamesAnIpv6Client() {
		HAProxyMessage message = new HAProxyMessage(HAProxyProtocolVersion.V2, HAProxyCommand.PROXY,
				HAProxyProxiedProtocol.TCP6, "2001:db8::42", "2001:db8::1", 40000, 443);
		try (RawClient client = RawClient.connect(proxied.dataPort(), true, "127.0.0.5", encode(message))) {
			assertThat(client.send(RawClient.upgrade("/echo/", "")).response(WAIT).status()).isEqualTo(101);
			assertThat(backend.nextHandshake(WAIT).headers()).containsEntry("x-forwarded-for", "2001:db8:0:0:0:0:0:42");
			assertThat(sessions(proxied)).extracting(RelaySession::clientAddress)
				.containsExactly("[2001:db8:0:0:0:0:0:42]:40000");
		}
	}

	@Test
	void aProxyHeaderFromAPeerThatIsNotTheLoadBalancerIsRefusedAtAccept() {
		MeterRegistry meters = proxied.context().getBean(MeterRegistry.class);
		double before = Meters.count(meters, "pomelo.gateway.connections.refused", "reason", "untrusted_proxy");
		byte[] header = "PROXY TCP4 203.0.113.8 127.0.0.1 51234 443\r\n".getBytes(StandardCharsets.US_ASCII);
		try (RawClient client = RawClient.connect(proxied.dataPort(), false, "127.0.0.6", header)) {
			assertThat(client.closedWithin(WAIT)).isTrue();
		}
		assertThat(Meters.count(meters, "pomelo.gateway.connections.refused", "reason", "untrusted_proxy"))
			.isEqualTo(before + 1);
	}

	@Test
	void aMissingProxyHeaderClosesTheConnection() {
		MeterRegistry meters = proxied.context().getBean(MeterRegistry.class);
		double before = Meters.count(meters, "pomelo.gateway.connections.refused", "reason", "bad_proxy_header");
		try (RawClient client = RawClient.connect(proxied.dataPort(), false, "127.0.0.5")) {
			client.send(RawClient.upgrade("/echo/", ""));
			assertThat(client.closedWithin(WAIT)).isTrue();
		}
		await().atMost(WAIT)
			.untilAsserted(() -> assertThat(
					Meters.count(meters, "pomelo.gateway.connections.refused", "reason", "bad_proxy_header"))
				.isEqualTo(before + 1));
	}

	@Test
	void xForwardedForFromATrustedProxyNamesTheRightmostUntrustedAddress() {
		try (RawClient client = RawClient.connect(forwarded.dataPort(), true, "127.0.0.7")) {
			String chain = "X-Forwarded-For: 6.6.6.6, 198.51.100.4, 10.1.2.3\r\n";
			assertThat(client.send(RawClient.upgrade("/echo/", chain)).response(WAIT).status()).isEqualTo(101);
			Map<String, String> headers = backend.nextHandshake(WAIT).headers();
			assertThat(headers).containsEntry("x-real-ip", "198.51.100.4")
				.containsEntry("x-forwarded-for", "6.6.6.6, 198.51.100.4, 10.1.2.3, 127.0.0.7");
			assertThat(sessions(forwarded)).extracting(RelaySession::clientAddress).containsExactly("198.51.100.4:0");
		}
	}

	@Test
	void xForwardedForFromAnyoneElseIsNotBelieved() {
		try (RawClient client = RawClient.connect(forwarded.dataPort(), true, "127.0.0.8")) {
			assertThat(client.send(RawClient.upgrade("/echo/", "X-Forwarded-For: 198.51.100.4\r\n"))
				.response(WAIT)
				.status()).isEqualTo(101);
			Map<String, String> headers = backend.nextHandshake(WAIT).headers();
			assertThat(headers).containsEntry("x-real-ip", "127.0.0.8").containsEntry("x-forwarded-for", "127.0.0.8");
		}
	}

	private static java.util.Collection<RelaySession> sessions(GatewayInstance gateway) {
		SessionRegistry registry = gateway.context().getBean(SessionRegistry.class);
		await().atMost(WAIT).until(() -> registry.size() == 1);
		return registry.all();
	}

	private static byte[] encode(HAProxyMessage message) {
		EmbeddedChannel channel = new EmbeddedChannel(HAProxyMessageEncoder.INSTANCE);
		channel.writeOutbound(message);
		ByteBuf encoded = channel.readOutbound();
		try {
			return ByteBufUtil.getBytes(encoded);
		}
		finally {
			encoded.release();
			channel.finishAndReleaseAll();
		}
	}

}
