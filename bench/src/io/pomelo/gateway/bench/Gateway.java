package io.pomelo.gateway.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import reactor.netty.http.client.HttpClient;

import static io.pomelo.gateway.bench.Settings.CERTIFICATE;
import static io.pomelo.gateway.bench.Settings.PRIVATE_KEY;
import static io.pomelo.gateway.bench.Settings.WORK;

/**
 * A gateway JVM from the jar under test, on free loopback ports: its data port speaks either ws or wss.
 */
record Gateway(String name, Process process, int port, int managementPort, boolean tls) {

	static List<String> jvmFlags() {
		List<String> flags = new ArrayList<>(List.of("-XX:+UseParallelGC", "-Xms256m", "-Xmx512m"));
		flags.addAll(Settings.gatewayJvmArgs());
		return flags;
	}

	/** Route 'conn' to the in-process backend (the seed's shape) and 'idle' to the idle test's backend. */
	static List<String> arguments(String name, int port, int managementPort, boolean tls, int backendPort,
			int idleBackendPort) {
		List<String> args = new ArrayList<>(List.of("--spring.config.location=classpath:/application.yml",
				"--server.port=" + port, "--server.address=127.0.0.1", "--management.server.port=" + managementPort,
				"--management.server.address=127.0.0.1",
				"--pomelo.gateway.store.file=" + WORK.resolve("routes-" + name + ".json"),
				"--pomelo.gateway.routes[0].id=conn", "--pomelo.gateway.routes[0].prefix=/conn/",
				"--pomelo.gateway.routes[0].targets=ws://127.0.0.1:" + backendPort, "--pomelo.gateway.routes[1].id=idle",
				"--pomelo.gateway.routes[1].prefix=/idle/",
				"--pomelo.gateway.routes[1].targets=ws://127.0.0.1:" + idleBackendPort, "--logging.level.root=WARN",
				// Every client of the bench is one loopback address, which the per-address limits are there
				// to stop; the peers have no such limits either. The gateway-wide limits stay on.
				"--pomelo.gateway.limits.per-address.max-pending=0", "--pomelo.gateway.limits.per-address.max-sessions=0",
				"--pomelo.gateway.limits.per-address.handshake-rate=0"));
		if (tls) {
			args.add("--pomelo.gateway.tls.certificate=file:" + CERTIFICATE);
			args.add("--pomelo.gateway.tls.private-key=file:" + PRIVATE_KEY);
		}
		return args;
	}

	static Gateway start(Processes processes, String name, List<String> launch, boolean tls, int backendPort,
			int idleBackendPort) throws IOException {
		return start(processes, name, Processes.java(), launch, tls, backendPort, idleBackendPort);
	}

	/** The same on another JVM, {@code java} its launcher. */
	static Gateway start(Processes processes, String name, String java, List<String> launch, boolean tls,
			int backendPort, int idleBackendPort) throws IOException {
		int port = Os.freePort();
		int managementPort = Os.freePort();
		Files.deleteIfExists(WORK.resolve("routes-" + name + ".json"));
		List<String> command = new ArrayList<>(List.of(java));
		command.addAll(jvmFlags());
		command.addAll(launch);
		command.addAll(arguments(name, port, managementPort, tls, backendPort, idleBackendPort));
		Process process = processes.start(new ProcessBuilder(command).redirectErrorStream(true)
			.redirectOutput(WORK.resolve("gateway-" + name + ".log").toFile()));
		return new Gateway(name, process, port, managementPort, tls);
	}

	/** Whether the jar carries netty-tcnative's BoringSSL, which Netty then prefers to the JDK's TLS. */
	static boolean bundlesBoringSsl(Path jar) throws IOException {
		try (java.util.jar.JarFile file = new java.util.jar.JarFile(jar.toFile())) {
			return file.stream().anyMatch((entry) -> entry.getName().contains("netty-tcnative-boringssl-static"));
		}
	}

	long pid() {
		return this.process.pid();
	}

	List<Long> pids() {
		return List.of(pid());
	}

	Target target(HttpClient client) {
		String scheme = this.tls ? "wss" : "ws";
		return new Target("gateway", client, scheme + "://127.0.0.1:" + this.port + "/conn/", this::pids);
	}

	private static final Pattern REFUSAL_TAG = Pattern.compile("(reason|phase|kind)=\"([^\"]*)\"");

	/**
	 * The gateway's counts of what it refused or cut short before a session, by metric and reason (phase,
	 * kind), from its Prometheus endpoint: why a client of the bench failed.
	 */
	Map<String, Double> refusals() {
		Map<String, Double> counts = new TreeMap<>();
		try {
			scrape().lines()
				.filter((line) -> line.startsWith("pomelo_gateway_connections_refused_total{")
						|| line.startsWith("pomelo_gateway_client_timeouts_total{")
						|| line.startsWith("pomelo_gateway_client_errors_total{")
						|| line.startsWith("pomelo_gateway_handshake_failures_total{"))
				.forEach((line) -> {
					Matcher tag = REFUSAL_TAG.matcher(line);
					String key = line.substring(0, line.indexOf('{')).replace("pomelo_gateway_", "").replace("_total", "")
							+ (tag.find() ? "{" + tag.group(2) + "}" : "");
					counts.merge(key, Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)), Double::sum);
				});
		}
		catch (Exception ex) {
			counts.put("scrape failed: " + ex, 0.0);
		}
		return counts;
	}

	private String scrape() throws Exception {
		return java.net.http.HttpClient.newBuilder()
			.version(java.net.http.HttpClient.Version.HTTP_1_1)
			.connectTimeout(Duration.ofSeconds(5))
			.build()
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.managementPort + "/actuator/prometheus"))
				.timeout(Duration.ofSeconds(10))
				.build(), HttpResponse.BodyHandlers.ofString())
			.body();
	}

	/** Heap after a full GC (jcmd GC.run), so that it counts live objects, and direct buffers. */
	Jvm settledJvm() throws Exception {
		// The gateway's own JDK's jcmd: the gateway may run on another JDK than the bench.
		Path jcmd = this.process.info()
			.command()
			.map((java) -> Path.of(java).resolveSibling("jcmd"))
			.filter(Files::isExecutable)
			.orElse(Path.of(System.getProperty("java.home"), "bin", "jcmd"));
		Process gc = new ProcessBuilder(Files.isExecutable(jcmd) ? jcmd.toString() : "jcmd", String.valueOf(pid()),
				"GC.run")
			.redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.DISCARD)
			.start();
		if (!gc.waitFor(30, TimeUnit.SECONDS)) {
			gc.destroyForcibly();
		}
		Thread.sleep(500);
		String text = scrape();
		return new Jvm(sumOf(text, (line) -> line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")),
				sumOf(text, (line) -> line.startsWith("jvm_buffer_memory_used_bytes{") && line.contains("id=\"direct\"")));
	}

	private static long sumOf(String prometheusText, Predicate<String> line) {
		return (long) prometheusText.lines()
			.filter(line)
			.mapToDouble((l) -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
			.sum();
	}

	/** Heap and direct buffer use of a gateway JVM, from its Prometheus endpoint. */
	record Jvm(long heapUsed, long directUsed) {
	}

}
