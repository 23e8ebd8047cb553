package io.pomelo.gateway.config;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.security.KeyStore;
import java.security.Security;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.ssl.pem.PemSslStoreBundle;
import org.springframework.boot.ssl.pem.PemSslStoreDetails;

import io.pomelo.gateway.support.TestTls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The data port accepts TLS 1.2 and 1.3 only. The JDK's own policy would already stop
 * this test's client from offering TLS 1.1, which would make the refusal prove nothing;
 * so the policy is relaxed for this JVM (failsafe gives each class its own) and a control
 * server shows the client really can speak TLS 1.1.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "spring.config.location=classpath:/application.yml", "management.server.port=0",
				"pomelo.gateway.tls.certificate=" + TestTls.CERTIFICATE,
				"pomelo.gateway.tls.private-key=" + TestTls.PRIVATE_KEY })
class TlsIntegrationTests {

	static {
		Security.setProperty("jdk.tls.disabledAlgorithms", "SSLv3, RC4, DES, NULL, anon");
	}

	@LocalServerPort
	int port;

	private static SSLContext clientContext() throws Exception {
		KeyStore trust = KeyStore.getInstance("PKCS12");
		trust.load(null, null);
		try (InputStream pem = TlsIntegrationTests.class.getResourceAsStream("/tls/cert.pem")) {
			trust.setCertificateEntry("test",
					(X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(pem));
		}
		TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
		factory.init(trust);
		SSLContext context = SSLContext.getInstance("TLS");
		context.init(null, factory.getTrustManagers(), null);
		return context;
	}

	private static String handshake(int port, String protocol) throws Exception {
		try (SSLSocket socket = (SSLSocket) clientContext().getSocketFactory()
			.createSocket(InetAddress.getLoopbackAddress(), port)) {
			socket.setEnabledProtocols(new String[] { protocol });
			socket.setSoTimeout(5000);
			socket.startHandshake();
			return socket.getSession().getProtocol();
		}
	}

	@Test
	void tls13And12AreAccepted() throws Exception {
		assertThat(handshake(this.port, "TLSv1.3")).isEqualTo("TLSv1.3");
		assertThat(handshake(this.port, "TLSv1.2")).isEqualTo("TLSv1.2");
	}

	@Test
	void tls11IsRefusedAlthoughTheClientCanSpeakIt() throws Exception {
		assertThat(handshake(controlServerAllowingTls11(), "TLSv1.1")).isEqualTo("TLSv1.1");
		assertThatThrownBy(() -> handshake(this.port, "TLSv1.1")).isInstanceOfAny(SSLHandshakeException.class,
				IOException.class);
	}

	private static int controlServerAllowingTls11() throws Exception {
		PemSslStoreBundle bundle = new PemSslStoreBundle(
				PemSslStoreDetails.forCertificate(TestTls.CERTIFICATE).withPrivateKey(TestTls.PRIVATE_KEY), null);
		javax.net.ssl.KeyManagerFactory keys = javax.net.ssl.KeyManagerFactory
			.getInstance(javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
		keys.init(bundle.getKeyStore(), null);
		SSLContext context = SSLContext.getInstance("TLS");
		context.init(keys.getKeyManagers(), null, null);
		SSLServerSocket server = (SSLServerSocket) context.getServerSocketFactory()
			.createServerSocket(0, 1, InetAddress.getLoopbackAddress());
		server.setEnabledProtocols(new String[] { "TLSv1.1" });
		Thread accept = new Thread(() -> {
			try (server; SSLSocket socket = (SSLSocket) server.accept()) {
				socket.startHandshake();
			}
			catch (IOException ex) {
				// The client side reports whether the handshake worked.
			}
		}, "tls11-control");
		accept.setDaemon(true);
		accept.start();
		return server.getLocalPort();
	}

}
