package io.pomelo.gateway.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import io.pomelo.gateway.support.EchoBackend;
import io.pomelo.gateway.support.GatewayInstance;
import io.pomelo.gateway.support.RawClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * TLS rotated the way Kubernetes rotates a mounted secret: the certificate and key are
 * symlinks through {@code ..data}, which is swapped for a new timestamped directory in
 * one rename. Twice in a row, new clients get the new certificate while a session opened
 * before the first swap goes on.
 */
class TlsRotationIntegrationTests {

	private static final Duration WAIT = Duration.ofSeconds(30);

	private static final Path secret = secretDirectory();

	private static final EchoBackend backend = EchoBackend.start();

	private static final GatewayInstance gateway = GatewayInstance.start(
			"pomelo.gateway.tls.certificate=file:" + secret.resolve("tls.crt"),
			"pomelo.gateway.tls.private-key=file:" + secret.resolve("tls.key"),
			"spring.ssl.bundle.watch.file.quiet-period=500ms", "pomelo.gateway.routes[0].id=echo",
			"pomelo.gateway.routes[0].prefix=/echo/", "pomelo.gateway.routes[0].targets=" + backend.uri());

	@AfterAll
	static void stop() {
		gateway.close();
		backend.close();
	}

	@Test
	void twoSecretSwapsAreEachServedToNewClientsWhileALiveSessionGoesOn() throws Exception {
		assertThat(servedSerial()).isEqualTo(BigInteger.valueOf(1001));
		try (Socket live = session()) {
			assertThat(echo(live, "before")).isEqualTo("before");
			for (int serial = 1002; serial <= 1003; serial++) {
				swapSecret(serial);
				BigInteger expected = BigInteger.valueOf(serial);
				await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> expected.equals(servedSerial()));
				assertThat(echo(live, "after " + serial)).as("the session opened before the swaps")
					.isEqualTo("after " + serial);
			}
		}
	}

	/**
	 * Makes {@code ..<serial>/} with a new pair and points {@code ..data} at it in one
	 * rename.
	 */
	private static void swapSecret(int serial) throws IOException, InterruptedException {
		Path version = secret.resolve("..2026_12_02_" + serial);
		Files.createDirectories(version);
		certificate(version, serial);
		Path link = secret.resolve("..data_tmp");
		Files.deleteIfExists(link);
		Files.createSymbolicLink(link, version.getFileName());
		Files.move(link, secret.resolve("..data"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
	}

	private static Path secretDirectory() {
		try {
			Path dir = Files.createTempDirectory("tls-secret");
			Path first = dir.resolve("..2026_12_02_1001");
			Files.createDirectories(first);
			certificate(first, 1001);
			Files.createSymbolicLink(dir.resolve("..data"), first.getFileName());
			Files.createSymbolicLink(dir.resolve("tls.crt"), Path.of("..data", "tls.crt"));
			Files.createSymbolicLink(dir.resolve("tls.key"), Path.of("..data", "tls.key"));
			return dir;
		}
		catch (IOException | InterruptedException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static void certificate(Path dir, int serial) throws IOException, InterruptedException {
		Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
				"ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj", "/CN=localhost", "-addext",
				"subjectAltName=DNS:localhost,IP:127.0.0.1", "-set_serial", String.valueOf(serial), "-keyout",
				dir.resolve("tls.key").toString(), "-out", dir.resolve("tls.crt").toString())
			.redirectErrorStream(true)
			.start();
		String output = new String(openssl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		if (!openssl.waitFor(30, TimeUnit.SECONDS) || openssl.exitValue() != 0) {
			throw new IllegalStateException("openssl failed: " + output);
		}
	}

	/** The serial of the certificate a new client is served. */
	private static BigInteger servedSerial() {
		try (SSLSocket socket = (SSLSocket) trustAll().getSocketFactory()
			.createSocket("127.0.0.1", gateway.dataPort())) {
			socket.startHandshake();
			return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
		}
		catch (IOException ex) {
			return BigInteger.ZERO;
		}
	}

	private static Socket session() throws IOException {
		SSLSocket socket = (SSLSocket) trustAll().getSocketFactory()
			.createSocket(InetAddress.getLoopbackAddress(), gateway.dataPort());
		socket.setSoTimeout(10_000);
		socket.getOutputStream().write(RawClient.upgrade("/echo/", "").getBytes(StandardCharsets.US_ASCII));
		socket.getOutputStream().flush();
		String head = readHead(socket.getInputStream());
		assertThat(head).startsWith("HTTP/1.1 101");
		return socket;
	}

	private static String echo(Socket socket, String text) throws IOException {
		OutputStream out = socket.getOutputStream();
		out.write(io.pomelo.gateway.relay.WireFeed.encode(0x1, true, text.getBytes(StandardCharsets.UTF_8), true,
				new Random(1)));
		out.flush();
		InputStream in = socket.getInputStream();
		int first = in.read();
		int length = in.read() & 0x7F;
		assertThat(first & 0x0F).isEqualTo(0x1);
		return new String(in.readNBytes(length), StandardCharsets.UTF_8);
	}

	private static String readHead(InputStream in) throws IOException {
		StringBuilder head = new StringBuilder();
		while (!head.toString().endsWith("\r\n\r\n")) {
			int b = in.read();
			if (b < 0) {
				break;
			}
			head.append((char) b);
		}
		return head.toString();
	}

	private static SSLContext trustAll() {
		try {
			SSLContext context = SSLContext.getInstance("TLS");
			context.init(null, new TrustManager[] { new X509TrustManager() {
				@Override
				public void checkClientTrusted(X509Certificate[] chain, String authType) {
				}

				@Override
				public void checkServerTrusted(X509Certificate[] chain, String authType) {
					// The test looks at which certificate it got, not whether to trust
					// it.
				}

				@Override
				public X509Certificate[] getAcceptedIssuers() {
					return new X509Certificate[0];
				}
			} }, null);
			return context;
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

}
