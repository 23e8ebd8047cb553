package io.pomelo.gateway.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 * {@code bench/proxy-compare.sh} at smoke size, so that the benchmark cannot rot between
 * the runs that matter: the script compiles the bench's source tree and runs it as it
 * does on its own, only without building (this build has just packaged the jar) and on
 * this test's class path. Every kind of row (start-up with and without CDS, ping-pong
 * over ws and wss, idle memory, handshakes over ws and wss) runs against a real nginx, a
 * real HAProxy and the packaged jar, and the JSON it writes must hold positive, finite
 * figures for every path, and the gateway's ratio to each peer and to the best one. There
 * are no timing thresholds: a smoke run on a shared machine says nothing about speed; the
 * benchmark itself is for that.
 */
class ProxyCompareBenchSmokeIntegrationTests {

	private static final Duration LIMIT = Duration.ofMinutes(4);

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final List<String> PEERS = List.of("nginx", "haproxy");

	private static final List<String> PROXIES = List.of("nginx", "haproxy", "gateway");

	private static final List<String> PATHS = List.of("direct", "nginx", "haproxy", "gateway");

	@Test
	void everyRowHasFiguresForEveryPath() throws Exception {
		DebianPackages.ensureInstalled("nginx-light", Path.of("/usr/sbin/nginx"));
		DebianPackages.ensureInstalled("haproxy", Path.of("/usr/sbin/haproxy"));
		assertThat(packagedJar()).as("the packaged jar the script picks").isRegularFile();
		Path work = Path.of("target", "bench-smoke").toAbsolutePath();
		Files.createDirectories(work);
		Files.deleteIfExists(work.resolve("proxy-compare.json"));
		Path log = work.resolve("bench.log");
		ProcessBuilder builder = new ProcessBuilder(command(work)).redirectErrorStream(true)
			.redirectOutput(log.toFile());
		Map<String, String> environment = builder.environment();
		environment.put("BENCH_CLASSPATH", System.getProperty("java.class.path"));
		// javac and java from this JDK, as the build's own.
		Path bin = Path.of(System.getProperty("java.home"), "bin");
		environment.put("PATH", bin + ":" + environment.getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"));
		Process bench = builder.start();
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

		JsonNode report = JSON.readTree(work.resolve("proxy-compare.json").toFile());
		assertThat(report.at("/command/commandLine").asText()).as("the command line is recorded")
			.contains("io.pomelo.gateway.bench.ProxyCompareBench");
		assertThat(report.at("/parameters/rounds").asInt()).isEqualTo(1);
		List<JsonNode> rows = new ArrayList<>();
		report.get("rows").forEach(rows::add);
		assertThat(rows).extracting((row) -> row.get("kind").asText())
			.containsOnly("startup", "ping-pong", "idle", "handshake", "storm")
			.contains("startup", "ping-pong", "idle", "handshake", "storm");
		assertThat(rows).filteredOn((row) -> row.get("kind").asText().equals("storm")).hasSize(2);
		// A JDK 25 beside the build's JDK (on this machine kind: Temurin's) adds the AOT
		// cache row.
		boolean aot = !report.at("/parameters/jdk").asText().isEmpty();
		assertThat(rows).filteredOn((row) -> row.get("kind").asText().equals("startup")).hasSize(aot ? 4 : 3);
		assertThat(rows).filteredOn((row) -> row.at("/parameters/tls").asBoolean()).hasSize(2);
		for (JsonNode row : rows) {
			String label = row.get("label").asText();
			switch (row.get("kind").asText()) {
				case "ping-pong" -> {
					for (String path : PATHS) {
						assertPositive(row, path, "messagesPerSecond", label);
					}
					for (String proxy : PROXIES) {
						assertPositive(row, proxy, "proxyCpuSeconds", label);
						assertPositive(row, proxy, "messagesPerProxyCpuSecond", label);
						assertPositive(row, proxy, "p99Micros", label);
					}
					assertRatios(row, "messagesPerSecond", true, label);
					assertRatios(row, "messagesPerProxyCpuSecond", true, label);
					assertRatios(row, "p99Micros", false, label);
				}
				case "handshake" -> {
					for (String path : PATHS) {
						assertPositive(row, path, "handshakesPerSecond", label);
						assertThat(median(row, path, "errors").asDouble()).as(label + " " + path + " errors").isZero();
					}
					for (String proxy : PROXIES) {
						assertPositive(row, proxy, "proxyCpuSeconds", label);
						assertPositive(row, proxy, "proxyCpuMsPerHandshake", label);
					}
					assertRatios(row, "handshakesPerSecond", true, label);
					assertRatios(row, "proxyCpuMsPerHandshake", false, label);
				}
				case "idle" -> {
					int connections = row.at("/parameters/connections").asInt();
					assertThat(connections).isPositive();
					for (String proxy : PROXIES) {
						assertThat(median(row, proxy, "idleConnections").asInt()).as(label + " " + proxy)
							.isEqualTo(connections);
						assertThat(median(row, proxy, "rssBytesPerConnection").isNumber())
							.as(label + " " + proxy + " RSS")
							.isTrue();
					}
					assertThat(median(row, "gateway", "heapBytesPerConnection").isNumber()).as(label + " heap")
						.isTrue();
				}
				case "storm" -> {
					int clients = row.at("/parameters/clients").asInt();
					assertThat(clients).isEqualTo(20);
					boolean resumed = row.at("/parameters/resumption").asBoolean();
					for (String proxy : PROXIES) {
						assertThat(median(row, proxy, "connectedClients").asInt()).as(label + " " + proxy)
							.isEqualTo(clients);
						assertThat(median(row, proxy, "errors").asDouble()).as(label + " " + proxy + " errors")
							.isZero();
						// 20 resumed handshakes may cost less than a clock tick.
						assertThat(median(row, proxy, "proxyCpuMsPerClient").asDouble())
							.as(label + " " + proxy + " CPU per client")
							.isGreaterThanOrEqualTo(0.0);
						// Each proxy resumes exactly the sessions offered.
						assertThat(median(row, proxy, "resumedClients").asInt()).as(label + " " + proxy + " resumed")
							.isEqualTo(resumed ? clients : 0);
					}
					assertRatios(row, "stormMillis", false, label);
				}
				case "startup" -> {
					for (String proxy : PROXIES) {
						assertPositive(row, proxy, "startupMillis", label);
						assertPositive(row, proxy, "idleRssMiB", label);
					}
					assertRatios(row, "startupMillis", false, label);
				}
				default -> fail("unexpected row " + row);
			}
		}
		JsonNode cds = rows.stream()
			.filter((row) -> row.get("label").asText().endsWith("CDS"))
			.findFirst()
			.orElseThrow();
		assertThat(median(cds, "gateway", "cdsArchiveMapped").asDouble()).as("the CDS archive is used").isEqualTo(1.0);
		if (aot) {
			JsonNode cache = rows.stream()
				.filter((row) -> row.get("label").asText().contains("AOT cache"))
				.findFirst()
				.orElseThrow();
			assertThat(median(cache, "gateway", "cdsArchiveMapped").asDouble()).as("the AOT cache is used")
				.isEqualTo(1.0);
		}
		assertThat(Files.readString(work.resolve("proxy-compare.svg"))).startsWith("<svg")
			.contains("best peer = 1.0")
			.endsWith("</svg>\n");
		assertThat(output).contains("gw/nginx", "gw/haproxy", "gw/best peer");
	}

	/**
	 * The same as {@code bench/proxy-compare.sh}'s own run, at smoke size: one round of
	 * one second, five connections, 200 idle ones, up to 200 handshakes in one second
	 * (enough for each proxy to cost a few 10 ms CPU ticks).
	 */
	private static List<String> command(Path work) {
		return List.of("bash", "bench/proxy-compare.sh", "--no-build", "-Drounds=1", "-DroundSeconds=1",
				"-Dpayloads=64", "-Dconnections=5", "-DtlsRows=64x5", "-DwarmupSeconds=0", "-DgatewayWarmupSeconds=0",
				"-DidleConnections=200", "-DidleSettleSeconds=0", "-DhandshakeCount=200", "-DhandshakeSeconds=1",
				"-DhandshakeInFlight=5", "-DstormClients=20", "-DstartupSamples=1", "-DstartupSettleSeconds=0",
				"-DworkDir=" + work);
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
	 * The script execs the bench, which stops its own children on SIGTERM; whatever is
	 * still alive after 15 s is killed.
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

	/**
	 * The gateway's ratio to each peer, and to the best peer: the one with the highest
	 * median when higher is better, the lowest otherwise.
	 */
	private static void assertRatios(JsonNode row, String key, boolean higherIsBetter, String label) {
		for (String peer : PEERS) {
			assertPositive(row.at("/gatewayTo/" + peer + "/" + key), label + " gateway/" + peer + " " + key);
		}
		assertPositive(row.at("/gatewayTo/bestPeer/" + key), label + " gateway/best peer " + key);
		String best = row.at("/bestPeer/" + key).asText();
		assertThat(best).as(label + " best peer for " + key).isIn(PEERS);
		String other = PEERS.get(1 - PEERS.indexOf(best));
		double bestValue = median(row, best, key).asDouble();
		double otherValue = median(row, other, key).asDouble();
		if (higherIsBetter) {
			assertThat(bestValue).as(label + " " + key + ": " + best + " is the best peer")
				.isGreaterThanOrEqualTo(otherValue);
		}
		else {
			assertThat(bestValue).as(label + " " + key + ": " + best + " is the best peer")
				.isLessThanOrEqualTo(otherValue);
		}
		assertThat(row.at("/gatewayTo/bestPeer/" + key).asDouble()).as(label + " " + key + " ratio to the best peer")
			.isEqualTo(row.at("/gatewayTo/" + best + "/" + key).asDouble());
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
