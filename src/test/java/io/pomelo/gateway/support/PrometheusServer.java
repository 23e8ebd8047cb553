package io.pomelo.gateway.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A real Prometheus scraping the gateway's management port every second, on a free
 * loopback port: the {@code prom/prometheus} image or Debian's {@code prometheus} package
 * (2.42), as {@link Fixtures} chose. The package is installed with apt on first use when
 * {@code /usr/bin/prometheus} is missing; whatever service the package itself starts is
 * left alone, because this fixture runs a process of its own.
 */
public final class PrometheusServer implements AutoCloseable {

	private static final Path BINARY = Path.of("/usr/bin/prometheus");

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final FixtureProcess process;

	private final Path directory;

	private final URI api;

	private final HttpClient http = HttpClient.newBuilder()
		.version(HttpClient.Version.HTTP_1_1)
		.connectTimeout(Duration.ofSeconds(5))
		.build();

	private PrometheusServer(FixtureProcess process, Path directory, URI api) {
		this.process = process;
		this.directory = directory;
		this.api = api;
	}

	/**
	 * Starts Prometheus scraping
	 * {@code http://127.0.0.1:<managementPort>/actuator/prometheus} every second, and
	 * waits until it is ready.
	 */
	public static PrometheusServer start(int managementPort) {
		try {
			Path directory = Files.createTempDirectory("prometheus-");
			int port = PomeloServer.freePorts(1).get(0);
			String config = """
					global:
					  scrape_interval: 1s
					  evaluation_interval: 1s
					scrape_configs:
					  - job_name: pomelo-gateway
					    metrics_path: /actuator/prometheus
					    static_configs:
					      - targets: ['127.0.0.1:%d']
					""".formatted(managementPort);
			Path localConfig = directory.resolve("prometheus.yml");
			Files.writeString(localConfig, config);
			List<String> options = List.of("--web.listen-address=127.0.0.1:" + port, "--log.level=warn");
			List<String> local = new ArrayList<>(List.of(BINARY.toString(), "--config.file=" + localConfig,
					"--storage.tsdb.path=" + directory.resolve("data")));
			local.addAll(options);
			// The official image's entry point is the binary; its data folder belongs to
			// nobody.
			String containerConfig = "/etc/prometheus/gateway-test.yml";
			List<String> container = new ArrayList<>(
					List.of("--config.file=" + containerConfig, "--storage.tsdb.path=/prometheus"));
			container.addAll(options);
			FixtureProcess process = Fixtures.launch("prometheus")
				.local(() -> DebianPackages.ensureInstalled("prometheus", BINARY), local, directory)
				.container(() -> Fixtures.image("prometheus", "prom/prometheus:latest"), container)
				.containerFile(containerConfig, config)
				.start();
			PrometheusServer server = new PrometheusServer(process, directory, URI.create("http://127.0.0.1:" + port));
			server.awaitReady(Duration.ofSeconds(30));
			return server;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private void awaitReady(Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (System.nanoTime() < deadline) {
			if (!this.process.isAlive()) {
				throw new IllegalStateException("prometheus exited:\n" + log());
			}
			try {
				HttpResponse<String> response = this.http.send(
						HttpRequest.newBuilder(this.api.resolve("/-/ready")).timeout(Duration.ofSeconds(5)).build(),
						HttpResponse.BodyHandlers.ofString());
				if (response.statusCode() == 200) {
					return;
				}
			}
			catch (IOException ex) {
				// Not listening yet.
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException(ex);
			}
			sleep(100);
		}
		close();
		throw new IllegalStateException("prometheus not ready within " + timeout);
	}

	/**
	 * Runs an instant query.
	 * @return the value of the single result, 0 when there is no result (an absent
	 * counter has counted nothing yet)
	 * @throws IllegalStateException when the query fails or returns several series
	 */
	public double value(String promql) {
		JsonNode result = get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8))
			.path("result");
		if (result.isEmpty()) {
			return 0;
		}
		if (result.size() > 1) {
			throw new IllegalStateException(promql + " returned " + result.size() + " series: " + result);
		}
		return Double.parseDouble(result.get(0).path("value").get(1).asString());
	}

	/** Every metric name Prometheus has stored. */
	public Set<String> metricNames() {
		Set<String> names = new LinkedHashSet<>();
		get("/api/v1/label/__name__/values").forEach((name) -> names.add(name.asString()));
		return names;
	}

	/** Whether the last scrape of the gateway succeeded. */
	public boolean targetUp() {
		return value("up{job=\"pomelo-gateway\"}") == 1;
	}

	/**
	 * Prometheus's view of its scrape targets, with the last error; for failure messages.
	 */
	public String targets() {
		return get("/api/v1/targets").toString();
	}

	private JsonNode get(String pathAndQuery) {
		try {
			HttpResponse<String> response = this.http.send(
					HttpRequest.newBuilder(URI.create(this.api + pathAndQuery)).timeout(Duration.ofSeconds(10)).build(),
					HttpResponse.BodyHandlers.ofString());
			JsonNode body = JSON.readTree(response.body());
			if (response.statusCode() != 200 || !"success".equals(body.path("status").asString())) {
				throw new IllegalStateException(
						pathAndQuery + " failed: " + response.statusCode() + " " + response.body());
			}
			return body.path("data");
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/** The server's own log, for failure messages. */
	public String log() {
		return this.process.output();
	}

	@Override
	public void close() {
		this.process.close();
		try (Stream<Path> files = Files.walk(this.directory)) {
			files.sorted(Comparator.reverseOrder()).forEach((file) -> file.toFile().delete());
		}
		catch (IOException ex) {
			// A leftover temp folder is harmless.
		}
	}

	private static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

}
