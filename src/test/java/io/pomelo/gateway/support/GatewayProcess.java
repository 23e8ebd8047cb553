package io.pomelo.gateway.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The packaged jar of this build (failsafe runs after the package phase) as a process of
 * its own, the way an operator runs it: for what only a real process shows, such as
 * SIGTERM and the exit code.
 */
public final class GatewayProcess implements AutoCloseable {

	private final Process process;

	private final int dataPort;

	private final int managementPort;

	private final Path log;

	private GatewayProcess(Process process, int dataPort, int managementPort, Path log) {
		this.process = process;
		this.dataPort = dataPort;
		this.managementPort = managementPort;
		this.log = log;
	}

	/**
	 * Starts the jar with the product's application.yml and these extra properties
	 * ({@code name=value}), and waits until its readiness probe is UP.
	 */
	public static GatewayProcess start(String... properties) {
		List<Integer> ports = PomeloServer.freePorts(2);
		try {
			Path log = Files.createTempFile("gateway-process-", ".log");
			List<String> command = new ArrayList<>(
					List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m", "-jar",
							packagedJar().toString(), "--server.port=" + ports.get(0),
							"--management.server.port=" + ports.get(1)));
			if (java.util.Arrays.stream(properties)
				.noneMatch((property) -> property.startsWith("pomelo.gateway.store."))) {
				// Not the working directory's data/routes.json, which the next test would
				// find.
				command.add("--pomelo.gateway.store.file="
						+ Files.createTempDirectory("gateway-process-").resolve("routes.json"));
			}
			for (String property : properties) {
				command.add("--" + property);
			}
			Process process = new ProcessBuilder(command).redirectErrorStream(true)
				.redirectOutput(log.toFile())
				.start();
			GatewayProcess gateway = new GatewayProcess(process, ports.get(0), ports.get(1), log);
			gateway.awaitReady(Duration.ofSeconds(60));
			return gateway;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** The repackaged jar in target/. */
	public static Path packagedJar() {
		try (Stream<Path> files = Files.list(Path.of("target"))) {
			List<Path> jars = files.filter((file) -> {
				String name = file.getFileName().toString();
				return name.startsWith("pomelo-wx-gateway-") && name.endsWith(".jar") && !name.endsWith("-plain.jar");
			}).toList();
			if (jars.size() != 1) {
				throw new IllegalStateException("expected one packaged jar in target/, found " + jars);
			}
			return jars.get(0).toAbsolutePath();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private void awaitReady(Duration timeout) {
		HttpClient http = HttpClient.newBuilder()
			.version(HttpClient.Version.HTTP_1_1)
			.connectTimeout(Duration.ofSeconds(2))
			.build();
		HttpRequest request = HttpRequest
			.newBuilder(URI.create("http://127.0.0.1:" + this.managementPort + "/actuator/health/readiness"))
			.timeout(Duration.ofSeconds(2))
			.build();
		long deadline = System.nanoTime() + timeout.toNanos();
		while (System.nanoTime() < deadline) {
			if (!this.process.isAlive()) {
				throw new IllegalStateException(
						"the gateway exited with " + this.process.exitValue() + ":\n" + output());
			}
			try {
				if (http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
					return;
				}
			}
			catch (IOException ex) {
				// not listening yet
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException(ex);
			}
			sleep(200);
		}
		throw new IllegalStateException("the gateway was not ready within " + timeout + ":\n" + output());
	}

	/** The process id, for jcmd. */
	public long pid() {
		return this.process.pid();
	}

	public int dataPort() {
		return this.dataPort;
	}

	public int managementPort() {
		return this.managementPort;
	}

	/** Sends SIGTERM, as Kubernetes and {@code docker stop} do. */
	public void terminate() {
		this.process.destroy();
	}

	/**
	 * Waits for the process to exit.
	 * @return its exit code
	 */
	public int awaitExit(Duration timeout) {
		try {
			if (!this.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
				throw new IllegalStateException("the gateway did not exit within " + timeout + ":\n" + output());
			}
			return this.process.exitValue();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/** What the process wrote so far. */
	public String output() {
		try {
			return Files.readString(this.log);
		}
		catch (IOException ex) {
			return "(no output: " + ex + ")";
		}
	}

	private static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	@Override
	public void close() {
		if (this.process.isAlive()) {
			this.process.destroyForcibly();
			try {
				this.process.waitFor(10, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
	}

}
