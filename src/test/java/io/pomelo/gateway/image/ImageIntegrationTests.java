package io.pomelo.gateway.image;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;

import io.pomelo.gateway.support.AdminClient;
import io.pomelo.gateway.support.PomeloServer;
import io.pomelo.gateway.support.PomeloTestClient;
import io.pomelo.gateway.support.TestTls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The shipped Dockerfile, built with podman and run as a platform team runs it: a
 * read-only root file system, the fixed non-root user, a mounted certificate and
 * configuration, and a volume for the route store. A real Pomelo player reaches the real
 * Pomelo app through it over wss; readiness is UP; the class data sharing archive is
 * mapped by the running JVM; routes written through the admin API land on the volume; and
 * {@code podman stop} drains a live session with 1001 within the grace period.
 * <p>
 * The base images are the build arguments' defaults, {@code eclipse-temurin:25-jdk} and
 * {@code -jre}: on a machine without a registry {@code scripts/podman-env.sh} makes local
 * stand-ins under those names from the machine's own Temurin 25. Runs in the
 * {@code image} profile ({@code ./mvnw verify -Pimage}).
 */
class ImageIntegrationTests {

	private static final String IMAGE = "localhost/pomelo-wx-gateway:image-test";

	private static final String CONTAINER = "pomelo-wx-gateway-image-test-" + ProcessHandle.current().pid();

	private static final String PASSWORD = "image-" + Long.toHexString(System.nanoTime());

	private static final Duration WAIT = Duration.ofSeconds(60);

	private static PomeloServer pomelo;

	private static Path config;

	private static int dataPort;

	private static int managementPort;

	private static long startedAt;

	@BeforeAll
	static void buildAndRun() throws Exception {
		run(Duration.ofMinutes(15), "bash", "scripts/podman-env.sh", "all");
		long building = System.nanoTime();
		run(Duration.ofMinutes(15), "podman", "build", "--isolation=chroot", "--network=host", "-t", IMAGE, ".");
		System.out.printf("image built in %d s, %d MB%n", TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - building),
				Long.parseLong(run(Duration.ofSeconds(30), "podman", "image", "inspect", "--format", "{{.Size}}", IMAGE)
					.trim()) / 1_000_000);
		pomelo = PomeloServer.start(PomeloServer.Options.defaults().heartbeat(30));
		List<Integer> ports = PomeloServer.freePorts(2);
		dataPort = ports.get(0);
		managementPort = ports.get(1);
		config = configuration();
		run(Duration.ofSeconds(30), "podman", "volume", "create", CONTAINER);
		startedAt = System.nanoTime();
		// Host networking reaches the Pomelo app on loopback; the gateway binds loopback
		// only.
		run(Duration.ofSeconds(60), "podman", "run", "-d", "--name", CONTAINER, "--network=host", "--read-only",
				"--tmpfs", "/tmp", "-v", CONTAINER + ":/var/lib/pomelo-gateway", "-v", config + ":/config:ro", IMAGE);
	}

	@AfterAll
	static void stop() throws Exception {
		quietly("podman", "rm", "-f", "-t", "0", CONTAINER);
		quietly("podman", "volume", "rm", "-f", CONTAINER);
		// The build stage's image, untagged after each build; the tagged image stays as
		// the next build's cache.
		quietly("podman", "image", "prune", "-f");
		if (pomelo != null) {
			pomelo.close();
		}
	}

	@Test
	void theImageServesAPlayerAsItsNonRootUserAndDrainsOnStop() throws Exception {
		await().atMost(WAIT)
			.pollInterval(Duration.ofMillis(200))
			.ignoreExceptions()
			.until(() -> readiness().contains("\"UP\""));
		URI uri = URI.create("wss://localhost:" + dataPort + "/conn/");
		PomeloTestClient player = await().atMost(WAIT)
			.pollInterval(Duration.ofMillis(100))
			.ignoreExceptions()
			.until(() -> echoing(uri), (client) -> client != null);
		System.out.printf("podman run to the first relayed Pomelo echo over wss: %d ms%n",
				TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedAt));

		assertThat(run(Duration.ofSeconds(30), "podman", "exec", CONTAINER, "id", "-u").trim()).isEqualTo("10001");
		assertThat(run(Duration.ofSeconds(30), "podman", "inspect", "--format", "{{.HostConfig.ReadonlyRootfs}}",
				CONTAINER)
			.trim()).isEqualTo("true");
		// The archive (an AOT cache on JDK 25) is mapped into the JVM's memory only when
		// it
		// was accepted.
		String arguments = run(Duration.ofSeconds(30), "podman", "exec", CONTAINER, "cat", "/application/jvm.args");
		String archive = arguments.contains("-XX:AOTCache=") ? "application.aot" : "application.jsa";
		System.out.println("the image's JVM arguments: " + arguments.replace('\n', ' '));
		assertThat(
				run(Duration.ofSeconds(30), "podman", "exec", CONTAINER, "grep", "-c", archive, "/proc/1/maps").trim())
			.as("mappings of " + archive)
			.isNotEqualTo("0");

		AdminClient admin = new AdminClient(managementPort, "ops", PASSWORD);
		String route = "{\"id\":\"gate\",\"prefix\":\"/gate/\",\"targets\":[\"" + pomelo.gateUri() + "\"]}";
		assertThat(admin.post("/admin/routes", route).status()).as("a route written to the volume").isEqualTo(201);
		assertThat(
				run(Duration.ofSeconds(30), "podman", "exec", CONTAINER, "cat", "/var/lib/pomelo-gateway/routes.json"))
			.contains("\"gate\"");

		try (player) {
			long stopping = System.nanoTime();
			Process stop = new ProcessBuilder("podman", "stop", "-t", "30", CONTAINER).redirectErrorStream(true)
				.start();
			assertThat(player.ws().awaitClose(WAIT).code()).as("the live session on stop").isEqualTo(1001);
			assertThat(stop.waitFor(45, TimeUnit.SECONDS)).isTrue();
			long stopped = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopping);
			System.out.printf("podman stop with a live session: 1001, stopped after %d ms%n", stopped);
			assertThat(stopped).as("ms to stop, the grace being 30 s").isLessThan(30_000);
		}
		assertThat(run(Duration.ofSeconds(30), "podman", "inspect", "--format", "{{.State.Running}}", CONTAINER).trim())
			.isEqualTo("false");
	}

	private static PomeloTestClient echoing(URI uri) {
		PomeloTestClient client = PomeloTestClient.connect(uri, TestTls.clientContext());
		try {
			client.handshake();
			assertThat(client.request("connector.entryHandler.echo", Map.of("n", 1)).get("code").asInt())
				.isEqualTo(200);
			return client;
		}
		catch (RuntimeException | AssertionError ex) {
			client.close();
			throw ex;
		}
	}

	private static String readiness() throws Exception {
		HttpResponse<String> response = HttpClient.newHttpClient()
			.send(HttpRequest
				.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/actuator/health/readiness"))
				.timeout(Duration.ofSeconds(5))
				.build(), HttpResponse.BodyHandlers.ofString());
		return response.body();
	}

	/**
	 * application.yml and the PEM pair, readable by the image's user (secrets mount
	 * 0644).
	 */
	private static Path configuration() throws IOException {
		Path directory = Files.createTempDirectory("image-config",
				PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
		copy("/tls/cert.pem", directory.resolve("tls.crt"));
		copy("/tls/key.pem", directory.resolve("tls.key"));
		String hash = new BCryptPasswordEncoder(4).encode(PASSWORD);
		Files.writeString(directory.resolve("application.yml"), """
				server:
				  port: %d
				  address: 127.0.0.1
				management:
				  server:
				    port: %d
				    address: 127.0.0.1
				pomelo:
				  gateway:
				    tls:
				      certificate: file:/config/tls.crt
				      private-key: file:/config/tls.key
				    targets:
				      allow-cidrs: [127.0.0.0/8]
				    admin:
				      users:
				        - { name: ops, password: "%s", role: admin }
				    routes:
				      - id: conn
				        prefix: /conn/
				        targets: [%s]
				""".formatted(dataPort, managementPort, hash, pomelo.connectorUri(0)));
		for (Path file : List.of(directory.resolve("tls.crt"), directory.resolve("tls.key"),
				directory.resolve("application.yml"))) {
			Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
		}
		return directory;
	}

	private static void copy(String resource, Path target) throws IOException {
		try (InputStream in = ImageIntegrationTests.class.getResourceAsStream(resource)) {
			Files.copy(in, target);
		}
	}

	/**
	 * Runs a command from the project directory and returns its output; fails with it
	 * when it fails.
	 */
	private static String run(Duration timeout, String... command) throws IOException, InterruptedException {
		Path log = Files.createTempFile("image-test", ".log");
		try {
			Process process = new ProcessBuilder(command).redirectErrorStream(true)
				.redirectOutput(log.toFile())
				.start();
			if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
				process.destroyForcibly();
				throw new AssertionError(String.join(" ", command) + " did not finish within " + timeout + ":\n"
						+ tail(Files.readString(log)));
			}
			String output = Files.readString(log, StandardCharsets.UTF_8);
			assertThat(process.exitValue()).as(String.join(" ", command) + ":\n" + tail(output)).isZero();
			return output;
		}
		finally {
			Files.deleteIfExists(log);
		}
	}

	private static void quietly(String... command) throws InterruptedException {
		try {
			Process process = new ProcessBuilder(new ArrayList<>(List.of(command))).redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.DISCARD)
				.start();
			process.waitFor(60, TimeUnit.SECONDS);
		}
		catch (IOException ex) {
			// podman is not there: nothing was started.
		}
	}

	private static String tail(String output) {
		return output.substring(Math.max(0, output.length() - 4000));
	}

}
