package io.pomelo.gateway.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import reactor.netty.http.client.HttpClient;

import static io.pomelo.gateway.bench.Settings.CDS;
import static io.pomelo.gateway.bench.Settings.JDK_AOT;
import static io.pomelo.gateway.bench.Settings.STARTUP_SAMPLES;
import static io.pomelo.gateway.bench.Settings.STARTUP_SETTLE;
import static io.pomelo.gateway.bench.Settings.WORK;

/**
 * Process start to the first echo relayed through it, and the RSS startupSettleSeconds later: the fat
 * jar, the extracted jar ({@code -Djarmode=tools extract}), the extracted jar with a dynamic CDS archive
 * from a training run ({@code -XX:ArchiveClassesAtExit} with {@code -Dspring.context.exit=onRefresh},
 * what the Dockerfile does on JDK 17), and, where a JDK 25 is found, the extracted jar on it with an AOT
 * cache and compact object headers (the Docker image's default); each peer for scale, the same samples
 * in every row. The variants and peers take turns, sample by sample. The first element of a variant's
 * launch is its java.
 */
final class Startup {

	private Startup() {
	}

	static List<Row> rows(Path jar, Processes processes, HttpClient client, int backendPort, Report report)
			throws Exception {
		Map<String, List<String>> variants = new LinkedHashMap<>();
		String java = Processes.java();
		variants.put("fat jar", List.of(java, "-jar", jar.toString()));
		if (CDS) {
			Path extracted = extract(jar, processes);
			Path archive = train(extracted, processes, backendPort);
			variants.put("extracted", List.of(java, "-jar", extracted.toString()));
			variants.put("extracted + CDS", List.of(java, "-XX:SharedArchiveFile=" + archive, "-jar", extracted.toString()));
			if (!JDK_AOT.isEmpty()) {
				String java25 = Path.of(JDK_AOT, "bin", "java").toString();
				Path cache = trainAot(java25, extracted, processes, backendPort);
				List<String> launch = new ArrayList<>(List.of(java25));
				launch.addAll(AOT_FLAGS);
				launch.addAll(List.of("-XX:AOTCache=" + cache, "-jar", extracted.toString()));
				variants.put("extracted + AOT cache, JDK " + Os.javaVersion(java25), launch);
			}
		}
		Map<String, Row> rows = new LinkedHashMap<>();
		variants.keySet().forEach((name) -> rows.put(name, new Row("startup", "startup, gateway " + name)));
		rows.values()
			.forEach((row) -> row.notes.add("gateway JVM flags: " + String.join(" ", jvmFlags())
					+ " (the Helm chart's defaults for 1 CPU and 1 GiB), then the variant's own"));
		Map<String, List<Map<String, Double>>> peerSamples = new LinkedHashMap<>();
		for (int sample = 0; sample < STARTUP_SAMPLES; sample++) {
			for (Map.Entry<String, List<String>> variant : variants.entrySet()) {
				Map<String, Double> m = startGateway(processes, client, variant.getValue(), backendPort, sample);
				rows.get(variant.getKey()).add("gateway", m);
				System.out.printf(Locale.ROOT, "startup %-16s sample %d: %,.0f ms to the first echo, idle RSS %.0f MiB%s%n",
						variant.getKey(), sample + 1, m.get("startupMillis"), m.get("idleRssMiB"),
						m.containsKey("cdsArchiveMapped")
								? " (archive mapped: " + (m.get("cdsArchiveMapped") > 0) + ")" : "");
			}
			for (Map.Entry<String, Peer.Starter> peer : Peer.starters().entrySet()) {
				Map<String, Double> m = startPeer(processes, client, peer.getValue(), backendPort, sample);
				peerSamples.computeIfAbsent(peer.getKey(), (name) -> new ArrayList<>()).add(m);
				System.out.printf(Locale.ROOT, "startup %-16s sample %d: %,.0f ms to the first echo, idle RSS %.1f MiB%n",
						peer.getKey(), sample + 1, m.get("startupMillis"), m.get("idleRssMiB"));
			}
		}
		for (Row row : rows.values()) {
			row.add("direct", Map.of());
			peerSamples.forEach((peer, samples) -> samples.forEach((m) -> row.add(peer, m)));
			if (row.rounds.get("gateway").stream().anyMatch((m) -> m.getOrDefault("cdsArchiveMapped", 1.0) == 0)) {
				row.notes.add("the CDS archive was not mapped in every start: see the gateway's log for [cds] warnings");
				report.notes.add(row.label + ": the CDS archive was not mapped in every start");
			}
		}
		report.notes.add("start-up: process start to the first relayed 64 B echo (polled every 20 ms); idle RSS "
				+ STARTUP_SETTLE.toSeconds() + " s later" + (CDS ? "; the CDS archive comes from a"
						+ " -Dspring.context.exit=onRefresh training run, as in the Dockerfile" : ""));
		return new ArrayList<>(rows.values());
	}

	static Path extract(Path jar, Processes processes) throws Exception {
		Path directory = WORK.resolve("cds");
		Os.deleteTree(directory);
		processes.runToCompletion(
				List.of(Processes.java(), "-Djarmode=tools", "-jar", jar.toString(), "extract", "--destination",
						directory.resolve("app").toString(), "--application-filename", "app.jar"),
				WORK.resolve("cds-extract.log"), Duration.ofMinutes(2));
		return directory.resolve("app").resolve("app.jar");
	}

	/** The same JVM flags as the measured starts: an archive is only used under matching conditions. */
	static Path train(Path extracted, Processes processes, int backendPort) throws Exception {
		Path archive = extracted.getParent().getParent().resolve("app.jsa");
		return trainingRun("CDS", Processes.java(), List.of("-XX:ArchiveClassesAtExit=" + archive), archive, extracted,
				processes, backendPort);
	}

	/**
	 * What the Helm chart's defaults (resources 1 CPU and 1 GiB, jvm.*) render as JAVA_TOOL_OPTIONS, so that
	 * start-up and its RSS are those of a pod as shipped: on 1 CPU and under 1,792 MiB the JVM picks the
	 * serial collector and a heap that starts at 1/64 of the memory. -DgatewayJvmArgs come after them.
	 */
	static final List<String> CHART_FLAGS = List.of("-XX:MaxRAM=1073741824", "-XX:MaxRAMPercentage=50",
			"-XX:MaxDirectMemorySize=153m", "-XX:ActiveProcessorCount=1", "-XX:+ExitOnOutOfMemoryError");

	static List<String> jvmFlags() {
		List<String> flags = new ArrayList<>(CHART_FLAGS);
		flags.addAll(Settings.gatewayJvmArgs());
		return flags;
	}

	/** The Docker image's JVM flags on JDK 25 (docker/jvm-aot.args, less the cache itself). */
	static final List<String> AOT_FLAGS = List.of("-XX:+UseCompactObjectHeaders", "--enable-native-access=ALL-UNNAMED");

	/**
	 * An AOT cache from one training run to the refreshed context (JEP 514's one-step -XX:AOTCacheOutput),
	 * with the flags of the measured starts, which the cache requires.
	 */
	static Path trainAot(String java, Path extracted, Processes processes, int backendPort) throws Exception {
		Path cache = extracted.getParent().getParent().resolve("app.aot");
		List<String> flags = new ArrayList<>(AOT_FLAGS);
		flags.add("-XX:AOTCacheOutput=" + cache);
		return trainingRun("AOT", java, flags, cache, extracted, processes, backendPort);
	}

	/**
	 * Runs the extracted jar to its refreshed context (-Dspring.context.exit=onRefresh, as the Dockerfile's
	 * training does) with the flags that make it write {@code output}.
	 */
	private static Path trainingRun(String kind, String java, List<String> flags, Path output, Path extracted,
			Processes processes, int backendPort) throws Exception {
		Files.deleteIfExists(output);
		List<String> command = new ArrayList<>(List.of(java));
		command.addAll(jvmFlags());
		command.addAll(flags);
		command.addAll(List.of("-Dspring.context.exit=onRefresh", "-jar", extracted.toString()));
		String name = kind.toLowerCase(Locale.ROOT) + "-training";
		command.addAll(Gateway.arguments(name, Os.freePort(), Os.freePort(), false, backendPort, backendPort));
		Path log = WORK.resolve(name + ".log");
		long start = System.nanoTime();
		processes.runToCompletion(command, log, Duration.ofMinutes(3));
		if (!Files.isRegularFile(output)) {
			throw new IllegalStateException("the " + kind + " training run wrote no " + output + "; see " + log);
		}
		System.out.printf(Locale.ROOT, "%s training run (%s): %.1f s, %,d KiB%n", kind, java,
				(System.nanoTime() - start) / 1e9, Files.size(output) / 1024);
		return output;
	}

	static Map<String, Double> startGateway(Processes processes, HttpClient client, List<String> launch,
			int backendPort, int sample) throws Exception {
		int port = Os.freePort();
		List<String> command = new ArrayList<>(List.of(launch.get(0)));
		command.addAll(jvmFlags());
		command.addAll(launch.subList(1, launch.size()));
		command.addAll(Gateway.arguments("startup", port, Os.freePort(), false, backendPort, backendPort));
		long start = System.nanoTime();
		Process process = processes.start(new ProcessBuilder(command).redirectErrorStream(true)
			.redirectOutput(WORK.resolve("startup-gateway-" + sample + ".log").toFile()));
		try {
			Target target = new Target("gateway", client, "ws://127.0.0.1:" + port + "/conn/", List::of);
			Handshakes.waitForEcho(target, Duration.ofSeconds(120));
			double millis = (System.nanoTime() - start) / 1e6;
			Thread.sleep(STARTUP_SETTLE.toMillis());
			Map<String, Double> m = new LinkedHashMap<>();
			m.put("startupMillis", millis);
			m.put("idleRssMiB", Os.rssBytes(List.of(process.pid())) / 1048576.0);
			String archive = launch.stream()
				.filter((arg) -> arg.startsWith("-XX:SharedArchiveFile=") || arg.startsWith("-XX:AOTCache="))
				.findFirst()
				.orElse(null);
			if (archive != null) {
				// The JVM silently runs without an archive it cannot use; its mapping proves it was used.
				boolean mapped = Files.readString(Path.of("/proc/" + process.pid() + "/maps"))
					.contains(archive.substring(archive.indexOf('=') + 1));
				m.put("cdsArchiveMapped", mapped ? 1.0 : 0.0);
			}
			return m;
		}
		finally {
			processes.kill(process);
		}
	}

	/** The start is timed from before the configuration is written, as the gateway's from its launch. */
	static Map<String, Double> startPeer(Processes processes, HttpClient client, Peer.Starter starter, int backendPort,
			int sample) throws Exception {
		long start = System.nanoTime();
		Peer peer = starter.start(processes, "startup-" + sample, backendPort, backendPort);
		try {
			Handshakes.waitForEcho(peer.target(client, false), Duration.ofSeconds(30));
			double millis = (System.nanoTime() - start) / 1e6;
			Thread.sleep(STARTUP_SETTLE.toMillis());
			Map<String, Double> m = new LinkedHashMap<>();
			m.put("startupMillis", millis);
			m.put("idleRssMiB", Os.rssBytes(peer.pids()) / 1048576.0);
			return m;
		}
		finally {
			processes.stop(peer.process());
		}
	}

}
