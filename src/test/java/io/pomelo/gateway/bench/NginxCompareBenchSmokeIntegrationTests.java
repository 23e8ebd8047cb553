package io.pomelo.gateway.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import io.pomelo.gateway.support.DebianPackages;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * {@code bench/NginxCompareBench.java} at smoke size, so that the benchmark cannot rot
 * between the runs that matter: every kind of row (start-up with and without CDS,
 * ping-pong over ws and wss, idle memory, handshakes over ws and wss) runs against a real
 * nginx and the packaged jar, and the JSON it writes must hold positive, finite figures
 * for every path. There are no timing thresholds: a smoke run on a shared machine says
 * nothing about speed; the benchmark itself is for that.
 */
class NginxCompareBenchSmokeIntegrationTests {

	private static final Duration LIMIT = Duration.ofMinutes(4);

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@Test
	void everyRowHasFiguresForEveryPath() throws Exception {
		DebianPackages.ensureInstalled("nginx-light", Path.of("/usr/sbin/nginx"));
		Path work = Path.of("target", "bench-smoke").toAbsolutePath();
		Files.createDirectories(work);
		Files.deleteIfExists(work.resolve("nginx-compare.json"));
		Path log = work.resolve("bench.log");
		Process bench = new ProcessBuilder(command(packagedJar(), work)).redirectErrorStream(true)
			.redirectOutput(log.toFile())
			.start();
		try {
			if (!bench.waitFor(LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
				fail("the bench did not finish within " + LIMIT + ":\n" + Files.readString(log));
			}
		}
		finally {
			stopTree(bench);
		}
		String output = Files.readString(log);
		assertThat(bench.exitValue()).as(output).isZero();

		JsonNode report = JSON.readTree(work.resolve("nginx-compare.json").toFile());
		assertThat(report.at("/command/commandLine").asText()).as("the command line is recorded")
			.contains("NginxCompareBench");
		assertThat(report.at("/parameters/rounds").asInt()).isEqualTo(1);
		List<JsonNode> rows = new ArrayList<>();
		report.get("rows").forEach(rows::add);
		assertThat(rows).extracting((row) -> row.get("kind").asText())
			.containsOnly("startup", "ping-pong", "idle", "handshake")
			.contains("startup", "ping-pong", "idle", "handshake");
		assertThat(rows).filteredOn((row) -> row.get("kind").asText().equals("startup")).hasSize(3);
		assertThat(rows).filteredOn((row) -> row.at("/parameters/tls").asBoolean()).hasSize(2);
		for (JsonNode row : rows) {
			String label = row.get("label").asText();
			switch (row.get("kind").asText()) {
				case "ping-pong" -> {
					for (String path : List.of("direct", "nginx", "gateway")) {
						assertPositive(row, path, "messagesPerSecond", label);
					}
					for (String proxy : List.of("nginx", "gateway")) {
						assertPositive(row, proxy, "proxyCpuSeconds", label);
						assertPositive(row, proxy, "messagesPerProxyCpuSecond", label);
						assertPositive(row, proxy, "p99Micros", label);
					}
					assertPositive(row.at("/gatewayToNginx/messagesPerSecond"), label + " ratio");
				}
				case "handshake" -> {
					for (String path : List.of("direct", "nginx", "gateway")) {
						assertPositive(row, path, "handshakesPerSecond", label);
						assertThat(median(row, path, "errors").asDouble()).as(label + " " + path + " errors").isZero();
					}
					for (String proxy : List.of("nginx", "gateway")) {
						assertPositive(row, proxy, "proxyCpuSeconds", label);
					}
				}
				case "idle" -> {
					int connections = row.at("/parameters/connections").asInt();
					assertThat(connections).isPositive();
					for (String proxy : List.of("nginx", "gateway")) {
						assertThat(median(row, proxy, "idleConnections").asInt()).as(label + " " + proxy)
							.isEqualTo(connections);
						assertThat(median(row, proxy, "rssBytesPerConnection").isNumber())
							.as(label + " " + proxy + " RSS")
							.isTrue();
					}
					assertThat(median(row, "gateway", "heapBytesPerConnection").isNumber()).as(label + " heap")
						.isTrue();
				}
				case "startup" -> {
					for (String proxy : List.of("nginx", "gateway")) {
						assertPositive(row, proxy, "startupMillis", label);
						assertPositive(row, proxy, "idleRssMiB", label);
					}
				}
				default -> fail("unexpected row " + row);
			}
		}
		JsonNode cds = rows.stream()
			.filter((row) -> row.get("label").asText().endsWith("CDS"))
			.findFirst()
			.orElseThrow();
		assertThat(median(cds, "gateway", "cdsArchiveMapped").asDouble()).as("the CDS archive is used").isEqualTo(1.0);
		assertThat(Files.readString(work.resolve("nginx-compare.svg"))).startsWith("<svg")
			.contains("nginx = 1.0")
			.endsWith("</svg>\n");
		assertThat(output).contains("gw/nginx");
	}

	/**
	 * Tiny parameters: one round of one second, five connections, 200 idle ones, up to
	 * 200 handshakes in one second (enough for nginx to cost a few 10 ms CPU ticks).
	 */
	private static List<String> command(Path jar, Path work) {
		return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g", "-Drounds=1",
				"-DroundSeconds=1", "-Dpayloads=64", "-Dconnections=5", "-DtlsRows=64x5", "-DwarmupSeconds=0",
				"-DgatewayWarmupSeconds=0", "-DidleConnections=200", "-DidleSettleSeconds=0", "-DhandshakeCount=200",
				"-DhandshakeSeconds=1", "-DhandshakeInFlight=5", "-DstartupSamples=1", "-DstartupSettleSeconds=0",
				"-DworkDir=" + work, "-cp", System.getProperty("java.class.path"), "bench/NginxCompareBench.java",
				jar.toString());
	}

	/** The repackaged jar from this build's package phase (failsafe runs after it). */
	private static Path packagedJar() throws IOException {
		try (Stream<Path> files = Files.list(Path.of("target"))) {
			List<Path> jars = files.filter((file) -> {
				String name = file.getFileName().toString();
				return name.startsWith("pomelo-wx-gateway-") && name.endsWith(".jar") && !name.endsWith("-plain.jar");
			}).collect(Collectors.toList());
			assertThat(jars).as("the packaged jar in target/").hasSize(1);
			return jars.get(0).toAbsolutePath();
		}
	}

	/**
	 * The bench stops its own children on SIGTERM; whatever is still alive after 15 s is
	 * killed.
	 */
	private static void stopTree(Process process) throws InterruptedException {
		List<ProcessHandle> descendants = process.descendants().collect(Collectors.toList());
		if (process.isAlive()) {
			process.destroy();
			if (!process.waitFor(15, TimeUnit.SECONDS)) {
				process.destroyForcibly();
			}
		}
		descendants.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
	}

	private static JsonNode median(JsonNode row, String path, String key) {
		return row.at("/paths/" + path + "/medians/" + key);
	}

	private static void assertPositive(JsonNode row, String path, String key, String label) {
		assertPositive(median(row, path, key), label + " " + path + " " + key);
	}

	private static void assertPositive(JsonNode value, String description) {
		assertThat(value.isNumber()).as(description + " is a number, not " + value).isTrue();
		assertThat(value.asDouble()).as(description).isPositive().isFinite();
	}

}
