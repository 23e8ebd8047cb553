package io.pomelo.gateway.config;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import io.pomelo.gateway.support.GatewayInstance;
import io.pomelo.gateway.support.TestTls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * TLS session resumption across replicas, as a player who reconnects to another pod meets
 * it: two gateways that read the same ticket key file resume each other's sessions, a
 * gateway with keys of its own does not, and a key rotation written to the file keeps old
 * tickets valid while their key is listed and ends them when it is dropped. The client is
 * OpenSSL's {@code s_client}, which saves and offers a session as a real client does.
 */
class SessionTicketKeysIntegrationTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	private static final String KEY_A = newKey();

	private static final String KEY_B = newKey();

	private static final Path work = directory();

	private static final Path keys = work.resolve("ticket-keys");

	private static final GatewayInstance first = sharing();

	private static final GatewayInstance second = sharing();

	private static final GatewayInstance alone = GatewayInstance.start(
			"pomelo.gateway.tls.certificate=" + TestTls.CERTIFICATE,
			"pomelo.gateway.tls.private-key=" + TestTls.PRIVATE_KEY);

	@AfterAll
	static void stop() {
		first.close();
		second.close();
		alone.close();
	}

	@Test
	void replicasSharingTheKeyFileResumeEachOthersSessionsThroughARotation() throws Exception {
		Path fromFirst = work.resolve("a.session");
		assertThat(handshake(first, null, fromFirst)).as("a first visit").isEqualTo("New");
		assertThat(handshake(second, fromFirst, null)).as("the other replica, same keys").isEqualTo("Reused");
		assertThat(handshake(alone, fromFirst, null)).as("a gateway with keys of its own").isEqualTo("New");

		// Rotation, step 1: a new key encrypts, the old one still decrypts.
		Files.writeString(keys, KEY_B + "\n" + KEY_A + "\n");
		awaitVersion(1);
		assertThat(handshake(second, fromFirst, null)).as("a ticket of the old key, still listed").isEqualTo("Reused");
		Path underNewKey = work.resolve("b.session");
		assertThat(handshake(first, null, underNewKey)).isEqualTo("New");

		// Step 2: the old key is dropped.
		Files.writeString(keys, "# rotated\n" + KEY_B + "\n");
		awaitVersion(2);
		assertThat(handshake(second, fromFirst, null)).as("a ticket of the dropped key").isEqualTo("New");
		assertThat(handshake(second, underNewKey, null)).as("a ticket of the key in use").isEqualTo("Reused");
	}

	@Test
	void aKeyFileThatTurnsInvalidKeepsTheKeysInUse() throws Exception {
		SessionTicketKeys inUse = first.context().getBean(SessionTicketKeys.class);
		Path broken = work.resolve("broken-keys");
		Files.writeString(broken, KEY_A + "\n");
		try (SessionTicketKeys watching = new SessionTicketKeys(broken, Duration.ofMillis(100))) {
			Files.writeString(broken, "not base64 at all!\n");
			// Three checks of the broken file later, the valid key is still the one in
			// use.
			Thread.sleep(400);
			assertThat(watching.version()).isZero();
			assertThat(watching.size()).isEqualTo(1);
			Files.writeString(broken, KEY_B + "\n" + KEY_A + "\n");
			await().atMost(WAIT).until(() -> watching.version() == 1);
			assertThat(watching.size()).isEqualTo(2);
		}
		assertThat(inUse.size()).isPositive();
	}

	private static void awaitVersion(long version) {
		await().atMost(WAIT)
			.until(() -> first.context().getBean(SessionTicketKeys.class).version() == version
					&& second.context().getBean(SessionTicketKeys.class).version() == version);
	}

	/**
	 * One TLS connection with one HTTP request, offering a saved session and saving the
	 * one it ends with.
	 * @return {@code New} or {@code Reused}, as s_client reports the session
	 */
	private static String handshake(GatewayInstance gateway, Path offer, Path save)
			throws IOException, InterruptedException {
		List<String> command = new java.util.ArrayList<>(List.of("openssl", "s_client", "-connect",
				"127.0.0.1:" + gateway.dataPort(), "-servername", "localhost", "-ign_eof"));
		if (offer != null) {
			command.addAll(List.of("-sess_in", offer.toString()));
		}
		if (save != null) {
			command.addAll(List.of("-sess_out", save.toString()));
		}
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		try (OutputStream in = process.getOutputStream()) {
			// TLS 1.3 tickets come with the server's first bytes: a request makes it
			// answer.
			in.write("GET /no-route HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
				.getBytes(StandardCharsets.US_ASCII));
		}
		assertThat(process.waitFor(15, TimeUnit.SECONDS)).as("s_client finished").isTrue();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(output).as(output).contains("HTTP/1.1 404");
		if (output.contains("\nReused, ")) {
			return "Reused";
		}
		assertThat(output).as(output).contains("\nNew, ");
		return "New";
	}

	private static GatewayInstance sharing() {
		return GatewayInstance.start("pomelo.gateway.tls.certificate=" + TestTls.CERTIFICATE,
				"pomelo.gateway.tls.private-key=" + TestTls.PRIVATE_KEY,
				"pomelo.gateway.tls.session-ticket-keys=" + keys,
				"pomelo.gateway.tls.session-ticket-keys-check-interval=200ms");
	}

	private static Path directory() {
		try {
			Path directory = Files.createTempDirectory("ticket-keys");
			Files.writeString(directory.resolve("ticket-keys"), "# first key encrypts\n" + KEY_A + "\n");
			return directory;
		}
		catch (IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
	}

	private static String newKey() {
		byte[] key = new byte[48];
		new SecureRandom().nextBytes(key);
		return Base64.getEncoder().encodeToString(key);
	}

}
