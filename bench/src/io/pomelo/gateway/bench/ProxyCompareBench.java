package io.pomelo.gateway.bench;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import javax.net.ssl.TrustManagerFactory;

import org.slf4j.LoggerFactory;
import reactor.netty.DisposableServer;
import reactor.netty.http.Http11SslContextSpec;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.tcp.SslProvider;

import static io.pomelo.gateway.bench.Settings.CERTIFICATE;
import static io.pomelo.gateway.bench.Settings.CONNECTIONS;
import static io.pomelo.gateway.bench.Settings.GATEWAY_HANDSHAKE_WARMUPS;
import static io.pomelo.gateway.bench.Settings.GATEWAY_WARMUP;
import static io.pomelo.gateway.bench.Settings.HANDSHAKE_COUNT;
import static io.pomelo.gateway.bench.Settings.HANDSHAKE_IN_FLIGHT;
import static io.pomelo.gateway.bench.Settings.IDLE_CONNECTIONS;
import static io.pomelo.gateway.bench.Settings.JDK_AOT;
import static io.pomelo.gateway.bench.Settings.STORM_CLIENTS;
import static io.pomelo.gateway.bench.Settings.PAYLOADS;
import static io.pomelo.gateway.bench.Settings.ROUND;
import static io.pomelo.gateway.bench.Settings.ROUNDS;
import static io.pomelo.gateway.bench.Settings.STARTUP_SAMPLES;
import static io.pomelo.gateway.bench.Settings.TLS_HANDSHAKES;
import static io.pomelo.gateway.bench.Settings.TLS_ROWS;
import static io.pomelo.gateway.bench.Settings.WARMUP;
import static io.pomelo.gateway.bench.Settings.WORK;

/**
 * Direct vs nginx vs HAProxy vs the gateway jar, side by side in one run, against a fast Reactor Netty echo
 * backend:
 * <ol>
 * <li>WebSocket ping-pong for every payload x connection count (ws), and the TLS rows (wss: the peers and
 * the gateway terminate TLS with the same certificate and key; the backend stays plain ws): round trips/s,
 * p50/p99/p999 and round trips per proxy CPU-second ({@link PingPong});</li>
 * <li>idle memory per connection: RSS delta / N for each proxy's processes, plus the gateway JVM's heap
 * (after a full GC) and direct buffers from its Prometheus endpoint ({@link Idle});</li>
 * <li>handshake rate: open, one 64 B echo, close, with a fixed number in flight, and proxy CPU per
 * handshake, ws and wss ({@link Handshakes});</li>
 * <li>start-up of the gateway to the first relayed echo and its idle RSS then: fat jar, extracted jar,
 * extracted jar with a class data sharing (CDS) archive; the peers for scale ({@link Startup}).</li>
 * </ol>
 * Rounds are interleaved (the order of the paths rotates each round) and the figures are medians. Every
 * row has the gateway's ratio to each peer and to the best peer of each figure ({@link Row}). The load
 * generator and the echo backend share this JVM, except for the idle test's backend ({@link EchoBackend}).
 * <p>
 * Not a test: it prints one table and writes proxy-compare.json and .svg in the work directory. Run
 * bench/proxy-compare.sh, which compiles this source tree; every parameter is a -D system property
 * ({@link Settings}).
 */
public final class ProxyCompareBench {

	private ProxyCompareBench() {
	}

	public static void main(String[] args) {
		// Polling a starting proxy and cancelling handshakes at a round's deadline make Reactor Netty log
		// expected connection errors; real failures surface as exceptions and counts.
		((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
			.setLevel(ch.qos.logback.classic.Level.ERROR);
		if (args.length == 1 && args[0].equals("--backend")) {
			EchoBackend.runAsProcess();
			return;
		}
		if (args.length != 1) {
			System.err.println("usage: java -cp <bench classes:classes:runtime classpath> "
					+ ProxyCompareBench.class.getName() + " <gateway jar>");
			System.exit(2);
		}
		Processes processes = new Processes();
		// Ctrl-C or a SIGTERM from a test's timeout still stops the proxies and the gateway JVMs.
		Runtime.getRuntime().addShutdownHook(new Thread(processes::stopAll, "bench-cleanup"));
		int status = 0;
		try {
			run(Path.of(args[0]).toAbsolutePath(), processes);
		}
		catch (Throwable ex) {
			ex.printStackTrace();
			status = 1;
		}
		finally {
			processes.stopAll();
		}
		// Reactor Netty's threads must not keep the JVM up, whatever state they are in.
		System.exit(status);
	}

	static void run(Path jar, Processes processes) throws Exception {
		long began = System.nanoTime();
		Report report = new Report(jar, List.of(jar.toString()));
		Files.createDirectories(WORK);
		System.out.printf("parameters %s%nplanned duration about %.0f min (cores=%d)%n", Settings.asMap(),
				Settings.plannedSeconds() / 60.0, Runtime.getRuntime().availableProcessors());
		DisposableServer backend = EchoBackend.start();
		processes.onStop(backend::disposeNow);
		EchoBackend.BackendProcess idleBackend = (IDLE_CONNECTIONS > 0 || STORM_CLIENTS > 0)
				? EchoBackend.BackendProcess.start(processes)
				: null;
		int idleBackendPort = (idleBackend != null) ? idleBackend.port() : backend.port();
		HttpClient plain = HttpClient.create(ConnectionProvider.newConnection());
		// The client trusts exactly the certificate every proxy serves.
		SslProvider.GenericSslContextSpec<?> tls = Http11SslContextSpec.forClient()
			.configure((builder) -> builder.trustManager(CERTIFICATE.toFile()).protocols("TLSv1.3", "TLSv1.2"));
		HttpClient secure = plain.secure((spec) -> spec.sslContext(tls));
		Target direct = new Target("direct", plain, "ws://127.0.0.1:" + backend.port() + "/conn/", List::of);
		// The load generator's own client code is loaded and compiled before anything is timed.
		PingPong.run(direct, 5, 64, Duration.ofSeconds(1));

		if (STARTUP_SAMPLES > 0) {
			report.rows.addAll(Startup.rows(jar, processes, plain, backend.port(), report));
		}
		boolean plainPhase = !(PAYLOADS.isEmpty() || CONNECTIONS.isEmpty()) || IDLE_CONNECTIONS > 0
				|| HANDSHAKE_COUNT > 0;
		boolean tlsPhase = !TLS_ROWS.isEmpty() || (TLS_HANDSHAKES && HANDSHAKE_COUNT > 0) || STORM_CLIENTS > 0;
		if (!plainPhase && !tlsPhase) {
			report.finish(Duration.ofNanos(System.nanoTime() - began));
			return;
		}
		List<Peer> peers = new ArrayList<>();
		for (Map.Entry<String, Peer.Starter> starter : Peer.starters().entrySet()) {
			Peer peer = starter.getValue().start(processes, "main", backend.port(), idleBackendPort);
			peers.add(peer);
			report.notes.add(peer.describe());
		}
		report.notes.add("ping-pong frames carry a Pomelo request package of the row's size, echoed back unchanged, so"
				+ " the gateway's Pomelo observer (on, as by default) does its per-message work in every figure");
		if (plainPhase) {
			Gateway gateway = Gateway.start(processes, "plain", List.of("-jar", jar.toString()), false, backend.port(),
					idleBackendPort);
			List<Target> targets = targets(direct, peers, plain, false, gateway.target(plain));
			report.rows.addAll(pingPongRows(targets, false));
			Row idle = (IDLE_CONNECTIONS > 0) ? Idle.row(plain, peers, gateway, idleBackend, report) : null;
			if (idle != null) {
				report.rows.add(idle);
			}
			if (HANDSHAKE_COUNT > 0) {
				report.rows.add(handshakeRow(targets, false));
			}
			processes.kill(gateway.process());
			if (idle != null && !JDK_AOT.isEmpty()) {
				report.rows.add(Idle.rowOnJdk25(plain, idle, jar, processes, backend.port(), idleBackend));
			}
		}
		if (tlsPhase) {
			// A second gateway JVM, whose data port speaks wss. The backend stays plain ws, so 'direct' in the
			// wss rows is the same plain path, for scale.
			Gateway gateway = Gateway.start(processes, "tls", List.of("-jar", jar.toString()), true, backend.port(),
					idleBackendPort);
			List<Target> targets = targets(direct, peers, secure, true, gateway.target(secure));
			report.rows.addAll(pingPongRows(targets, true));
			if (TLS_HANDSHAKES && HANDSHAKE_COUNT > 0) {
				report.rows.add(handshakeRow(targets, true));
			}
			if (STORM_CLIENTS > 0) {
				report.rows.addAll(stormRows(peers, gateway, idleBackend));
			}
			processes.kill(gateway.process());
			report.notes.add("wss: the gateway's TLS is "
					+ (Gateway.bundlesBoringSsl(jar) ? "BoringSSL (netty-tcnative in the jar)"
							: "the JDK's (no netty-tcnative in the jar)")
					+ ", nginx's and HAProxy's are OpenSSL; the load generator's JDK client may resume TLS sessions"
					+ " with any proxy");
		}
		report.finish(Duration.ofNanos(System.nanoTime() - began));
	}

	/** The paths in table order, each proxy relaying one echo before anything is timed. */
	static List<Target> targets(Target direct, List<Peer> peers, HttpClient client, boolean tls, Target gateway)
			throws Exception {
		List<Target> targets = new ArrayList<>();
		targets.add(direct);
		for (Peer peer : peers) {
			Target target = peer.target(client, tls);
			Handshakes.waitForEcho(target, Duration.ofSeconds(30));
			targets.add(target);
		}
		Handshakes.waitForEcho(gateway, Duration.ofSeconds(120));
		targets.add(gateway);
		warmUp(targets);
		return targets;
	}

	/** The ws rows (every payload x connection count) or the wss ones (tlsRows). */
	static List<Row> pingPongRows(List<Target> targets, boolean tls) throws Exception {
		List<Row> rows = new ArrayList<>();
		if (tls) {
			for (String row : TLS_ROWS) {
				String[] parts = row.split("x");
				rows.add(pingPongRow(targets, Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim()), true));
			}
			return rows;
		}
		for (int payload : PAYLOADS) {
			for (int connections : CONNECTIONS) {
				rows.add(pingPongRow(targets, payload, connections, false));
			}
		}
		return rows;
	}

	/**
	 * Warms every path up. The gateway's warm-up is cut into sessions of at most 5 s, each with new
	 * connections, and ends with a burst of handshakes, so that the JIT compiles the handshake and close
	 * paths too: otherwise it compiles them during the measured rounds, which open new connections, and
	 * that CPU is counted against the relay.
	 */
	static void warmUp(List<Target> targets) throws Exception {
		int connections = CONNECTIONS.isEmpty() ? 50 : CONNECTIONS.get(0);
		int payload = PAYLOADS.isEmpty() ? 64 : PAYLOADS.get(0);
		for (Target target : targets) {
			Duration time = target.name().equals("gateway") ? GATEWAY_WARMUP : WARMUP;
			Duration session = Duration.ofSeconds(5);
			boolean warm = !time.isZero();
			while (!time.isZero() && !time.isNegative()) {
				Duration slice = (time.compareTo(session) < 0) ? time : session;
				PingPong.run(target, connections, payload, slice);
				time = time.minus(slice);
			}
			if (warm && HANDSHAKE_COUNT > 0) {
				// Thousands of handshakes, as a gateway in service sees every minute: every measured round
				// opens up to 500 connections, and their code must already be compiled.
				int runs = target.name().equals("gateway") ? GATEWAY_HANDSHAKE_WARMUPS : 1;
				for (int run = 0; run < runs; run++) {
					Handshakes.run(target);
				}
			}
		}
	}

	/** The paths in a different order each round, so that no path always follows the same one. */
	static List<Target> rotated(List<Target> targets, int round) {
		List<Target> order = new ArrayList<>(targets);
		Collections.rotate(order, round);
		return order;
	}

	static Row pingPongRow(List<Target> targets, int payload, int connections, boolean tls) throws Exception {
		String label = String.format(Locale.ROOT, "ping-pong %s x %d %s", size(payload), connections,
				tls ? "wss" : "ws");
		Row row = new Row("ping-pong", label);
		row.parameters.put("payloadBytes", payload);
		row.parameters.put("connections", connections);
		row.parameters.put("tls", tls);
		if (tls) {
			row.notes.add("direct is the plain ws path to the backend, for scale; the proxies terminate TLS");
		}
		for (int round = 0; round < ROUNDS; round++) {
			for (Target target : rotated(targets, round)) {
				Map<String, Double> m = PingPong.run(target, connections, payload, ROUND);
				row.add(target.name(), m);
				System.out.printf(Locale.ROOT,
						"%-26s round %d %-8s %,10.0f msg/s  p50 %6.0f us  p99 %6.0f us  cpu %5.2f s%n", label, round + 1,
						target.name(), m.get("messagesPerSecond"), m.get("p50Micros"), m.get("p99Micros"),
						m.get("proxyCpuSeconds"));
			}
		}
		return row;
	}

	static Row handshakeRow(List<Target> targets, boolean tls) throws Exception {
		String label = String.format(Locale.ROOT, "handshakes %d in flight %s", HANDSHAKE_IN_FLIGHT,
				tls ? "wss" : "ws");
		Row row = new Row("handshake", label);
		row.parameters.put("inFlight", HANDSHAKE_IN_FLIGHT);
		row.parameters.put("maxPerRound", Settings.HANDSHAKE_COUNT);
		row.parameters.put("tls", tls);
		for (int round = 0; round < ROUNDS; round++) {
			for (Target target : rotated(targets, round)) {
				Map<String, Double> m = Handshakes.run(target);
				row.add(target.name(), m);
				System.out.printf(Locale.ROOT,
						"%-26s round %d %-8s %,8.0f handshakes/s  cpu/handshake %.3f ms  errors %.0f%n", label,
						round + 1, target.name(), m.get("handshakesPerSecond"), m.get("proxyCpuMsPerHandshake"),
						m.get("errors"));
			}
		}
		return row;
	}

	/** The storm goes to each proxy's wss listener and on to the idle backend, a process of its own. */
	static List<Row> stormRows(List<Peer> peers, Gateway gateway, EchoBackend.BackendProcess backend)
			throws Exception {
		List<String> why = new ArrayList<>();
		int n = Idle.connectionsThatFit(STORM_CLIENTS, peers, gateway, backend, why);
		List<Storm.Way> ways = new ArrayList<>();
		for (Peer peer : peers) {
			ways.add(new Storm.Way(peer.name(), "wss://127.0.0.1:" + peer.tlsPort() + "/idle/", peer::pids, Map::of));
		}
		ways.add(new Storm.Way("gateway", "wss://127.0.0.1:" + gateway.port() + "/idle/", gateway::pids,
				gateway::refusals));
		return Storm.rows(ways, n, why, trustedCertificate());
	}

	/** Trusts exactly the certificate every proxy serves. */
	static TrustManagerFactory trustedCertificate() throws Exception {
		KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
		store.load(null, null);
		try (InputStream in = Files.newInputStream(CERTIFICATE)) {
			store.setCertificateEntry("proxy", CertificateFactory.getInstance("X.509").generateCertificate(in));
		}
		TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
		factory.init(store);
		return factory;
	}

	static String size(int bytes) {
		return (bytes % 1024 == 0) ? (bytes / 1024) + " KiB" : bytes + " B";
	}

}
