import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.Connection;
import reactor.netty.DisposableServer;
import reactor.netty.http.Http11SslContextSpec;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.websocket.WebsocketInbound;
import reactor.netty.http.websocket.WebsocketOutbound;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.tcp.SslProvider;

import io.pomelo.gateway.pomelo.PackageType;
import io.pomelo.gateway.pomelo.PomeloMessage;
import io.pomelo.gateway.pomelo.PomeloPackage;

/**
 * Direct vs nginx vs the gateway jar, side by side in one run, against a fast Reactor Netty echo backend:
 * <ol>
 * <li>WebSocket ping-pong for every payload x connection count (ws), and the TLS rows (wss: nginx and the
 * gateway terminate TLS with the same certificate and key; the backend stays plain ws): round trips/s,
 * p50/p99/p999 and round trips per proxy CPU-second;</li>
 * <li>idle memory per connection: RSS delta / N for nginx (master + workers) and the gateway JVM, plus
 * the JVM's heap (after a full GC) and direct buffers from its Prometheus endpoint;</li>
 * <li>handshake rate: open, one 64 B echo, close, with a fixed number in flight, and proxy CPU per
 * handshake (ws, and wss);</li>
 * <li>start-up of the gateway to the first relayed echo and its idle RSS then: fat jar, extracted jar,
 * extracted jar with a class data sharing (CDS) archive; nginx for scale.</li>
 * </ol>
 * Rounds are interleaved (the order of the paths rotates each round) and the figures are medians. Proxy
 * CPU and memory are read from /proc for the proxy's own processes only. The load generator and the echo
 * backend share this JVM (as in the earlier runs), except for the idle test, whose backend is a second
 * process so that no process needs more than the fd limit.
 * <p>
 * Not a test: it prints one table and writes target/bench/nginx-compare.json and .svg. Run
 * bench/nginx-compare.sh; every parameter is a -D system property (see {@link #parameters()}).
 */
public class NginxCompareBench {

	// ---------------------------------------------------------------------------------------- parameters

	static final int ROUNDS = Integer.getInteger("rounds", 3);

	static final Duration ROUND = Duration.ofSeconds(Integer.getInteger("roundSeconds", 5));

	static final List<Integer> PAYLOADS = intList(System.getProperty("payloads", "64,4096"));

	static final List<Integer> CONNECTIONS = intList(System.getProperty("connections", "50,500"));

	/** wss rows as payload x connections; time allows two of the four by default. */
	static final List<String> TLS_ROWS = stringList(System.getProperty("tlsRows", "64x50,4096x500"));

	static final Duration WARMUP = Duration.ofSeconds(Integer.getInteger("warmupSeconds", 3));

	/** Once per gateway JVM, long enough for its JIT to settle; nginx and direct need little. */
	static final Duration GATEWAY_WARMUP = Duration.ofSeconds(Integer.getInteger("gatewayWarmupSeconds", 30));

	static final int IDLE_CONNECTIONS = Integer.getInteger("idleConnections", 10_000);

	static final Duration IDLE_SETTLE = Duration.ofSeconds(Integer.getInteger("idleSettleSeconds", 3));

	/** From the first relayed echo to the idle RSS reading after start-up. */
	static final Duration STARTUP_SETTLE = Duration.ofSeconds(Integer.getInteger("startupSettleSeconds", 2));

	/** Upper bound per handshake round; the round also ends after handshakeSeconds. */
	static final int HANDSHAKE_COUNT = Integer.getInteger("handshakeCount", 20_000);

	static final Duration HANDSHAKE_TIME = Duration.ofSeconds(Integer.getInteger("handshakeSeconds", 5));

	static final int HANDSHAKE_IN_FLIGHT = Integer.getInteger("handshakeInFlight", 50);

	static final boolean TLS_HANDSHAKES = Boolean.parseBoolean(System.getProperty("tlsHandshakes", "true"));

	/** Starts per variant (fat jar, extracted, extracted + CDS, and nginx); 0 skips the start-up rows. */
	static final int STARTUP_SAMPLES = Integer.getInteger("startupSamples", 3);

	static final boolean CDS = Boolean.parseBoolean(System.getProperty("cds", "true"));

	static final String GATEWAY_JVM_ARGS = System.getProperty("gatewayJvmArgs", "");

	static final Path CERTIFICATE = Path.of(System.getProperty("tlsCertificate", "src/test/resources/tls/cert.pem"))
		.toAbsolutePath();

	static final Path PRIVATE_KEY = Path.of(System.getProperty("tlsPrivateKey", "src/test/resources/tls/key.pem"))
		.toAbsolutePath();

	static final Path WORK = Path.of(System.getProperty("workDir", "target/bench")).toAbsolutePath();

	/** This file, started again as the idle test's backend process. */
	static final Path SOURCE = Path.of(System.getProperty("benchSource", "bench/NginxCompareBench.java")).toAbsolutePath();

	static final int HANDSHAKE_PAYLOAD = 64;

	static final long TICKS_PER_SECOND = 100;

	static final Duration CYCLE_TIMEOUT = Duration.ofSeconds(5);

	static final List<String> PATHS = List.of("direct", "nginx", "gateway");

	static Map<String, Object> parameters() {
		Map<String, Object> p = new LinkedHashMap<>();
		p.put("rounds", ROUNDS);
		p.put("roundSeconds", ROUND.toSeconds());
		p.put("payloads", PAYLOADS);
		p.put("connections", CONNECTIONS);
		p.put("tlsRows", TLS_ROWS);
		p.put("warmupSeconds", WARMUP.toSeconds());
		p.put("gatewayWarmupSeconds", GATEWAY_WARMUP.toSeconds());
		p.put("idleConnections", IDLE_CONNECTIONS);
		p.put("idleSettleSeconds", IDLE_SETTLE.toSeconds());
		p.put("handshakeCount", HANDSHAKE_COUNT);
		p.put("handshakeSeconds", HANDSHAKE_TIME.toSeconds());
		p.put("handshakeInFlight", HANDSHAKE_IN_FLIGHT);
		p.put("tlsHandshakes", TLS_HANDSHAKES);
		p.put("startupSamples", STARTUP_SAMPLES);
		p.put("startupSettleSeconds", STARTUP_SETTLE.toSeconds());
		p.put("cds", CDS);
		p.put("gatewayJvmArgs", GATEWAY_JVM_ARGS);
		p.put("tlsCertificate", CERTIFICATE.toString());
		p.put("tlsPrivateKey", PRIVATE_KEY.toString());
		p.put("workDir", WORK.toString());
		return p;
	}

	// ------------------------------------------------------------------------------------- orchestration

	public static void main(String[] args) {
		// Polling a starting proxy and cancelling handshakes at a round's deadline make Reactor Netty log
		// expected connection errors; real failures surface as exceptions and counts.
		((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
			.setLevel(ch.qos.logback.classic.Level.ERROR);
		if (args.length == 1 && args[0].equals("--backend")) {
			runBackendProcess();
			return;
		}
		if (args.length != 1) {
			System.err.println("usage: java -cp <classes:runtime classpath> bench/NginxCompareBench.java <gateway jar>");
			System.exit(2);
		}
		Processes processes = new Processes();
		// Ctrl-C or a SIGTERM from a test's timeout still stops nginx and the gateway JVMs.
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
		System.out.printf("parameters %s%nplanned duration about %.0f min (cores=%d)%n", parameters(),
				plannedSeconds() / 60.0, Runtime.getRuntime().availableProcessors());
		DisposableServer backend = echoBackend();
		processes.onStop(backend::disposeNow);
		BackendProcess idleBackend = (IDLE_CONNECTIONS > 0) ? BackendProcess.start(processes) : null;
		int idleBackendPort = (idleBackend != null) ? idleBackend.port() : backend.port();
		HttpClient plain = HttpClient.create(ConnectionProvider.newConnection());
		// The client trusts exactly the certificate both proxies serve.
		SslProvider.GenericSslContextSpec<?> tls = Http11SslContextSpec.forClient()
			.configure((builder) -> builder.trustManager(CERTIFICATE.toFile()).protocols("TLSv1.3", "TLSv1.2"));
		HttpClient secure = plain.secure((spec) -> spec.sslContext(tls));
		Target direct = new Target("direct", plain, "ws://127.0.0.1:" + backend.port() + "/conn/", List::of, null);
		// The load generator's own client code is loaded and compiled before anything is timed.
		pingPong(direct, 5, 64, Duration.ofSeconds(1));

		if (STARTUP_SAMPLES > 0) {
			report.rows.addAll(Startup.rows(jar, processes, plain, backend.port(), report));
		}
		boolean plainPhase = !(PAYLOADS.isEmpty() || CONNECTIONS.isEmpty()) || IDLE_CONNECTIONS > 0 || HANDSHAKE_COUNT > 0;
		boolean tlsPhase = !TLS_ROWS.isEmpty() || (TLS_HANDSHAKES && HANDSHAKE_COUNT > 0);
		if (plainPhase || tlsPhase) {
			Nginx nginx = Nginx.start(processes, "main", backend.port(), idleBackendPort);
			report.notes.add("nginx " + nginx.version() + ", worker_processes auto (" + nginx.workerPids().size() + " workers)");
			report.notes.add("ping-pong frames carry a Pomelo request package of the row's size, echoed back unchanged, so the"
					+ " gateway's Pomelo observer (on, as by default) does its per-message work in every figure");
			if (plainPhase) {
				Gateway gateway = Gateway.start(processes, "plain", List.of("-jar", jar.toString()), false, backend.port(),
						idleBackendPort);
				List<Target> targets = List.of(direct, nginx.target(plain, false), gateway.target(plain));
				waitForEcho(targets.get(1), Duration.ofSeconds(30));
				waitForEcho(targets.get(2), Duration.ofSeconds(120));
				warmUp(targets);
				for (int payload : PAYLOADS) {
					for (int connections : CONNECTIONS) {
						report.rows.add(pingPongRow(targets, payload, connections, false));
					}
				}
				if (IDLE_CONNECTIONS > 0) {
					report.rows.add(Idle.row(plain, nginx, gateway, idleBackend, report));
				}
				if (HANDSHAKE_COUNT > 0) {
					report.rows.add(handshakeRow(targets, false));
				}
				processes.kill(gateway.process());
			}
			if (tlsPhase) {
				// A second gateway JVM: its data port speaks either ws or wss. The backend stays plain ws, so
				// 'direct' in the wss rows is the same plain path, for scale.
				Gateway gateway = Gateway.start(processes, "tls", List.of("-jar", jar.toString()), true, backend.port(),
						idleBackendPort);
				List<Target> targets = List.of(direct, nginx.target(secure, true), gateway.target(secure));
				waitForEcho(targets.get(1), Duration.ofSeconds(30));
				waitForEcho(targets.get(2), Duration.ofSeconds(120));
				warmUp(targets);
				for (String row : TLS_ROWS) {
					String[] parts = row.split("x");
					report.rows.add(pingPongRow(targets, Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim()),
							true));
				}
				if (TLS_HANDSHAKES && HANDSHAKE_COUNT > 0) {
					report.rows.add(handshakeRow(targets, true));
				}
				processes.kill(gateway.process());
				report.notes.add("wss: the gateway's TLS is " + (bundlesBoringSsl(jar) ? "BoringSSL (netty-tcnative in the jar)"
						: "the JDK's (no netty-tcnative in the jar)") + ", nginx's is OpenSSL; the load generator's JDK"
						+ " client may resume TLS sessions with either proxy");
			}
		}
		report.finish(Duration.ofNanos(System.nanoTime() - began));
	}

	/**
	 * A rough plan from the durations seen on 2 cores (connection set-up and teardown per round grow with
	 * the connection count), printed first so that a wrong -D is noticed before it costs a quarter of an hour.
	 */
	static double plannedSeconds() {
		List<Integer> rowConnections = new ArrayList<>();
		PAYLOADS.forEach((payload) -> rowConnections.addAll(CONNECTIONS));
		TLS_ROWS.forEach((row) -> rowConnections.add(Integer.parseInt(row.split("x")[1].trim())));
		double total = 10;
		for (int connections : rowConnections) {
			total += PATHS.size() * ROUNDS * (ROUND.toSeconds() + 0.5 + connections / 200.0);
		}
		total += 2 * (GATEWAY_WARMUP.toSeconds() + 2 * WARMUP.toSeconds() + 10);
		total += (HANDSHAKE_COUNT > 0 ? (TLS_HANDSHAKES ? 2 : 1) : 0) * PATHS.size() * ROUNDS * (HANDSHAKE_TIME.toSeconds() + 0.5);
		total += (IDLE_CONNECTIONS > 0) ? 20 + IDLE_CONNECTIONS / 200.0 : 0;
		total += (STARTUP_SAMPLES > 0) ? STARTUP_SAMPLES * ((CDS ? 3 : 1) * (7 + STARTUP_SETTLE.toSeconds()) + 2) + (CDS ? 15 : 0) : 0;
		return total;
	}

	/** Whether the gateway jar carries netty-tcnative's BoringSSL, which Netty then prefers to the JDK's TLS. */
	static boolean bundlesBoringSsl(Path jar) throws IOException {
		try (java.util.jar.JarFile file = new java.util.jar.JarFile(jar.toFile())) {
			return file.stream().anyMatch((entry) -> entry.getName().contains("netty-tcnative-boringssl-static"));
		}
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
				pingPong(target, connections, payload, slice);
				time = time.minus(slice);
			}
			if (warm && HANDSHAKE_COUNT > 0) {
				// Thousands of handshakes, as a gateway in service sees every minute: every measured round
				// opens up to 500 connections, and their code must already be compiled.
				handshakes(target);
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
		String label = String.format(Locale.ROOT, "ping-pong %s x %d %s", size(payload), connections, tls ? "wss" : "ws");
		Row row = new Row("ping-pong", label);
		row.parameters.put("payloadBytes", payload);
		row.parameters.put("connections", connections);
		row.parameters.put("tls", tls);
		if (tls) {
			row.notes.add("direct is the plain ws path to the backend, for scale; nginx and the gateway terminate TLS");
		}
		for (int round = 0; round < ROUNDS; round++) {
			for (Target target : rotated(targets, round)) {
				Map<String, Double> m = pingPong(target, connections, payload, ROUND);
				row.add(target.name(), m);
				System.out.printf(Locale.ROOT, "%-26s round %d %-8s %,10.0f msg/s  p50 %6.0f us  p99 %6.0f us  cpu %5.2f s%n",
						label, round + 1, target.name(), m.get("messagesPerSecond"), m.get("p50Micros"), m.get("p99Micros"),
						m.get("proxyCpuSeconds"));
			}
		}
		return row;
	}

	static Row handshakeRow(List<Target> targets, boolean tls) throws Exception {
		String label = String.format(Locale.ROOT, "handshakes %d in flight %s", HANDSHAKE_IN_FLIGHT, tls ? "wss" : "ws");
		Row row = new Row("handshake", label);
		row.parameters.put("inFlight", HANDSHAKE_IN_FLIGHT);
		row.parameters.put("maxPerRound", HANDSHAKE_COUNT);
		row.parameters.put("tls", tls);
		for (int round = 0; round < ROUNDS; round++) {
			for (Target target : rotated(targets, round)) {
				Map<String, Double> m = handshakes(target);
				row.add(target.name(), m);
				System.out.printf(Locale.ROOT, "%-26s round %d %-8s %,8.0f handshakes/s  cpu/handshake %.3f ms  errors %.0f%n",
						label, round + 1, target.name(), m.get("handshakesPerSecond"), m.get("proxyCpuMsPerHandshake"),
						m.get("errors"));
			}
		}
		return row;
	}

	// ------------------------------------------------------------------------------------------- load

	/** One way to the echo backend, and the processes whose CPU and memory are the proxy's. */
	record Target(String name, HttpClient client, String uri, java.util.function.Supplier<List<Long>> proxyPids,
			Gateway gateway) {
	}

	/**
	 * Ping-pong: every connection sends one frame and sends the next when the echo arrives. Measured after
	 * every connection has had its first echo, so connection set-up is outside the window.
	 */
	/**
	 * A Pomelo request package of exactly {@code size} bytes (or its smallest form when the size is too
	 * small), so that the gateway's Pomelo observer does its real per-message work: package header,
	 * message header, route and in-flight id on the way up, package and message header on the way down.
	 * Zero bytes would be refused by the observer's first check and cost it nothing.
	 */
	static byte[] pomeloRequest(int size) {
		String route = "connector.entryHandler.echo";
		int overhead = new PomeloPackage(PackageType.DATA, PomeloMessage.request(1, route, new byte[0]).encode()).encode().length;
		byte[] body = new byte[Math.max(0, size - overhead)];
		Arrays.fill(body, (byte) 'x');
		return new PomeloPackage(PackageType.DATA, PomeloMessage.request(1, route, body).encode()).encode();
	}

	static Map<String, Double> pingPong(Target target, int connections, int payloadBytes, Duration duration)
			throws Exception {
		Recorder recorder = new Recorder(3);
		LongAdder messages = new LongAdder();
		AtomicBoolean running = new AtomicBoolean(true);
		CountDownLatch firstEchoes = new CountDownLatch(connections);
		AtomicInteger failures = new AtomicInteger();
		byte[] payload = pomeloRequest(payloadBytes);
		List<Disposable> open = new ArrayList<>();
		try {
			for (int i = 0; i < connections; i++) {
				open.add(target.client().websocket().uri(target.uri()).handle((in, out) -> {
					Sinks.Many<WebSocketFrame> sends = Sinks.many().unicast().onBackpressureBuffer();
					long[] sentAt = { System.nanoTime() };
					boolean[] first = { true };
					sends.tryEmitNext(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(payload)));
					in.receiveFrames().subscribe((frame) -> {
						long now = System.nanoTime();
						recorder.recordValue(Math.max(1, (now - sentAt[0]) / 1000));
						messages.increment();
						if (first[0]) {
							first[0] = false;
							firstEchoes.countDown();
						}
						if (running.get()) {
							sentAt[0] = System.nanoTime();
							sends.tryEmitNext(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(payload)));
						}
					});
					return out.sendObject(sends.asFlux()).then(Mono.never());
				}).subscribe(null, (error) -> {
					failures.incrementAndGet();
					firstEchoes.countDown();
				}));
			}
			long waitSeconds = 30 + connections / 50;
			if (!firstEchoes.await(waitSeconds, TimeUnit.SECONDS) || failures.get() > 0) {
				throw new IllegalStateException(String.format("%s: %d of %d connections failed, %d had no echo within %d s",
						target.uri(), failures.get(), connections, firstEchoes.getCount(), waitSeconds));
			}
			long cpuBefore = cpuTicks(target.proxyPids().get());
			messages.reset();
			recorder.getIntervalHistogram();
			long start = System.nanoTime();
			Thread.sleep(duration.toMillis());
			long count = messages.sum();
			double seconds = (System.nanoTime() - start) / 1e9;
			long cpuAfter = cpuTicks(target.proxyPids().get());
			Histogram histogram = recorder.getIntervalHistogram();
			double cpu = cpuSeconds(target, cpuBefore, cpuAfter);
			Map<String, Double> m = new LinkedHashMap<>();
			m.put("messagesPerSecond", count / seconds);
			m.put("messagesPerProxyCpuSecond", (cpu > 0) ? count / cpu : Double.NaN);
			m.put("p50Micros", (double) histogram.getValueAtPercentile(50));
			m.put("p99Micros", (double) histogram.getValueAtPercentile(99));
			m.put("p999Micros", (double) histogram.getValueAtPercentile(99.9));
			m.put("proxyCpuSeconds", cpu);
			m.put("proxyCpuPercent", cpu / seconds * 100);
			return m;
		}
		finally {
			running.set(false);
			open.forEach(Disposable::dispose);
			// Let the proxies tear the sessions down before the next path's window opens.
			Thread.sleep(300 + connections);
		}
	}

	/**
	 * Handshakes with a fixed number in flight: none starts after handshakeCount or handshakeSeconds, and
	 * those in flight finish (within CYCLE_TIMEOUT), so that the CPU they cost is matched by their count.
	 */
	static Map<String, Double> handshakes(Target target) throws Exception {
		Recorder recorder = new Recorder(3);
		LongAdder done = new LongAdder();
		LongAdder errors = new LongAdder();
		long cpuBefore = cpuTicks(target.proxyPids().get());
		long start = System.nanoTime();
		long lastStart = start + HANDSHAKE_TIME.toNanos();
		Flux.range(0, HANDSHAKE_COUNT)
			.takeWhile((i) -> System.nanoTime() < lastStart)
			.flatMap((i) -> Mono.defer(() -> {
				long began = System.nanoTime();
				return cycle(target).doOnSuccess((v) -> {
					recorder.recordValue(Math.max(1, (System.nanoTime() - began) / 1000));
					done.increment();
				});
			}).onErrorResume((error) -> {
				errors.increment();
				return Mono.empty();
			}), HANDSHAKE_IN_FLIGHT)
			.blockLast(HANDSHAKE_TIME.plus(CYCLE_TIMEOUT).plusSeconds(5));
		double seconds = (System.nanoTime() - start) / 1e9;
		long cpuAfter = cpuTicks(target.proxyPids().get());
		Histogram histogram = recorder.getIntervalHistogram();
		double cpu = cpuSeconds(target, cpuBefore, cpuAfter);
		Map<String, Double> m = new LinkedHashMap<>();
		m.put("handshakesPerSecond", done.sum() / seconds);
		m.put("proxyCpuMsPerHandshake", (done.sum() > 0 && !Double.isNaN(cpu)) ? cpu * 1000 / done.sum() : Double.NaN);
		m.put("handshakeP50Millis", histogram.getValueAtPercentile(50) / 1000.0);
		m.put("handshakeP99Millis", histogram.getValueAtPercentile(99) / 1000.0);
		m.put("handshakes", (double) done.sum());
		m.put("errors", (double) errors.sum());
		m.put("proxyCpuSeconds", cpu);
		Thread.sleep(300);
		return m;
	}

	/** Open, one 64 B echo, a clean close (1000) answered by the peer; bounded by CYCLE_TIMEOUT. */
	static Mono<Void> cycle(Target target) {
		byte[] payload = new byte[HANDSHAKE_PAYLOAD];
		return target.client().websocket().uri(target.uri()).connect().flatMap((connection) -> {
			WebsocketInbound in = (WebsocketInbound) connection;
			WebsocketOutbound out = (WebsocketOutbound) connection;
			Sinks.Empty<Void> echoed = Sinks.empty();
			// Subscribed for the connection's life: cancelling the inbound would drop the socket without a close.
			in.receiveFrames().subscribe((frame) -> echoed.tryEmitEmpty(), echoed::tryEmitError,
					() -> echoed.tryEmitError(new IllegalStateException("closed before the echo")));
			return out.sendObject(Mono.just(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(payload))))
				.then()
				.then(echoed.asMono())
				.then(out.sendClose(1000, "done"))
				.then(connection.onDispose())
				.timeout(CYCLE_TIMEOUT)
				.doFinally((signal) -> connection.dispose());
		});
	}

	/** One connection that has had its echo and stays open; the caller disposes it. */
	static Mono<Connection> openIdle(HttpClient client, String uri) {
		byte[] payload = new byte[HANDSHAKE_PAYLOAD];
		return client.websocket().uri(uri).connect().flatMap((connection) -> {
			WebsocketInbound in = (WebsocketInbound) connection;
			WebsocketOutbound out = (WebsocketOutbound) connection;
			Sinks.Empty<Void> echoed = Sinks.empty();
			in.receiveFrames().subscribe((frame) -> echoed.tryEmitEmpty(), echoed::tryEmitError,
					() -> echoed.tryEmitError(new IllegalStateException("closed before the echo")));
			return out.sendObject(Mono.just(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(payload))))
				.then()
				.then(echoed.asMono())
				.timeout(CYCLE_TIMEOUT)
				.thenReturn(connection)
				.doOnError((error) -> connection.dispose());
		});
	}

	static boolean echoOnce(Target target) {
		try {
			cycle(target).block(CYCLE_TIMEOUT.plusSeconds(1));
			return true;
		}
		catch (RuntimeException ex) {
			return false;
		}
	}

	/** Polls until one echo goes through; the proxy may listen before its routes are ready. */
	static long waitForEcho(Target target, Duration limit) throws InterruptedException {
		long start = System.nanoTime();
		long deadline = start + limit.toNanos();
		while (System.nanoTime() < deadline) {
			if (echoOnce(target)) {
				return System.nanoTime() - start;
			}
			Thread.sleep(20);
		}
		throw new IllegalStateException("no echo through " + target.uri() + " within " + limit);
	}

	/** Proxy CPU in seconds between two readings; NaN for the direct path, which has no proxy. */
	static double cpuSeconds(Target target, long before, long after) {
		return target.proxyPids().get().isEmpty() ? Double.NaN : (after - before) / (double) TICKS_PER_SECOND;
	}

	static DisposableServer echoBackend() {
		return HttpServer.create().host("127.0.0.1").port(0)
			.handle((request, response) -> response.sendWebsocket((in, out) ->
					out.sendObject(in.receiveFrames().map(WebSocketFrame::retain))))
			.bindNow();
	}

	// --------------------------------------------------------------------------------------- idle memory

	/**
	 * N idle connections (each has had one 64 B echo) through nginx, then through the gateway; memory
	 * before and after. One pass per proxy: a second pass would start from memory the first one left
	 * behind (the JVM keeps its heap, nginx its pools), which is a different question.
	 */
	static final class Idle {

		static Row row(HttpClient client, Nginx nginx, Gateway gateway, BackendProcess backend, Report report)
				throws Exception {
			List<String> limits = new ArrayList<>();
			int n = connectionsThatFit(gateway, backend, limits);
			String label = String.format(Locale.ROOT, "idle memory, %,d connections", n);
			Row row = new Row("idle", label);
			row.parameters.put("connections", n);
			row.parameters.put("asked", IDLE_CONNECTIONS);
			row.parameters.put("settleSeconds", IDLE_SETTLE.toSeconds());
			if (n < IDLE_CONNECTIONS) {
				String note = String.format(Locale.ROOT, "idle test at %,d connections instead of %,d: %s", n, IDLE_CONNECTIONS,
						String.join("; ", limits));
				row.notes.add(note);
				report.notes.add(note);
				System.out.println(note);
			}
			row.notes.add("each connection had one 64 B echo, then stays idle; RSS is VmRSS summed over the proxy's"
					+ " processes (kernel socket buffers are not in it)");
			row.notes.add("nginx allocates its worker_connections slots at start: they are in the baseline, not the delta");
			row.notes.add("gateway: heap is measured after a full GC (live data); Netty's pooled direct memory is not in"
					+ " the JVM's direct buffer pool figure, only in the RSS");
			row.add("direct", Map.of());
			row.add("nginx", measure(client, "ws://127.0.0.1:" + nginx.idlePort() + "/idle/", n, nginx::pids, null));
			row.add("gateway", measure(client, "ws://127.0.0.1:" + gateway.port() + "/idle/", n, () -> List.of(gateway.pid()),
					gateway));
			return row;
		}

		/**
		 * The gateway holds two sockets per connection and every other process one, under each process's
		 * open-file limit. Where the gateway's limit is too low, raising its hard limit is tried (prlimit; it
		 * needs CAP_SYS_RESOURCE, which a container often lacks).
		 */
		static int connectionsThatFit(Gateway gateway, BackendProcess backend, List<String> why) throws Exception {
			int margin = 200;
			int gatewayBase = openFiles(gateway.pid());
			int wanted = 2 * IDLE_CONNECTIONS + gatewayBase + margin;
			if (openFileLimit(gateway.pid()) < wanted && !raiseOpenFileLimit(gateway.pid(), wanted)) {
				why.add("the gateway holds 2 sockets per connection, and its open-file limit is " + openFileLimit(gateway.pid())
						+ " (" + gatewayBase + " already open); raising it failed (prlimit needs CAP_SYS_RESOURCE)");
			}
			int n = IDLE_CONNECTIONS;
			n = Math.min(n, (openFileLimit(gateway.pid()) - gatewayBase - margin) / 2);
			long self = ProcessHandle.current().pid();
			int clientFit = openFileLimit(self) - openFiles(self) - margin;
			if (clientFit < n) {
				why.add("the load generator's open-file limit is " + openFileLimit(self));
				n = clientFit;
			}
			int backendFit = openFileLimit(backend.process().pid()) - openFiles(backend.process().pid()) - margin;
			if (backendFit < n) {
				why.add("the backend's open-file limit is " + openFileLimit(backend.process.pid()));
				n = backendFit;
			}
			// nginx: reuseport spreads the connections over the workers; 2 per connection, 40 % slack for skew.
			int nginxFit = (int) (Nginx.workerConnections() * Nginx.workers() / 2 / 1.4);
			if (nginxFit < n) {
				why.add("nginx worker_connections " + Nginx.workerConnections() + " x " + Nginx.workers() + " workers");
				n = nginxFit;
			}
			return Math.max(n, 1);
		}

		static Map<String, Double> measure(HttpClient client, String uri, int n,
				java.util.function.Supplier<List<Long>> pids, Gateway gateway) throws Exception {
			int fdsBefore = openFiles(pids.get());
			if (gateway != null) {
				// The first scrape allocates the endpoint's own caches; only the second is the baseline.
				gateway.settledJvm();
			}
			Jvm before = (gateway != null) ? gateway.settledJvm() : null;
			long rssBefore = rssBytes(pids.get());
			long start = System.nanoTime();
			List<Connection> open = Collections.synchronizedList(new ArrayList<>());
			Duration limit = Duration.ofSeconds(60 + n / 100);
			try {
				Flux.range(0, n)
					.flatMap((i) -> openIdle(client, uri).doOnNext(open::add), 200)
					.then()
					.block(limit);
				double openSeconds = (System.nanoTime() - start) / 1e9;
				Thread.sleep(IDLE_SETTLE.toMillis());
				Jvm after = (gateway != null) ? gateway.settledJvm() : null;
				long rssAfter = rssBytes(pids.get());
				Map<String, Double> m = new LinkedHashMap<>();
				m.put("idleConnections", (double) open.size());
				m.put("rssBytesPerConnection", (rssAfter - rssBefore) / (double) open.size());
				if (gateway != null) {
					m.put("heapBytesPerConnection", (after.heapUsed - before.heapUsed) / (double) open.size());
					m.put("directBytesPerConnection", (after.directUsed - before.directUsed) / (double) open.size());
				}
				m.put("rssBeforeMiB", rssBefore / 1048576.0);
				m.put("rssAfterMiB", rssAfter / 1048576.0);
				m.put("openSeconds", openSeconds);
				System.out.printf(Locale.ROOT, "idle %-40s %,d connections in %.1f s, RSS %.1f -> %.1f MiB, %,.0f B/connection%n",
						uri, open.size(), openSeconds, rssBefore / 1048576.0, rssAfter / 1048576.0, m.get("rssBytesPerConnection"));
				return m;
			}
			finally {
				open.forEach(Connection::dispose);
				waitForOpenFiles(pids, fdsBefore + 20, Duration.ofSeconds(30));
			}
		}

		static void waitForOpenFiles(java.util.function.Supplier<List<Long>> pids, int atMost, Duration limit)
				throws Exception {
			long deadline = System.nanoTime() + limit.toNanos();
			while (System.nanoTime() < deadline && openFiles(pids.get()) > atMost) {
				Thread.sleep(200);
			}
		}

	}

	/** Heap and direct buffer use of a gateway JVM, from its Prometheus endpoint. */
	record Jvm(long heapUsed, long directUsed) {
	}

	// ------------------------------------------------------------------------------------------ start-up

	/**
	 * Process start to the first echo relayed through it, and the RSS startupSettleSeconds later: the fat jar, the
	 * extracted jar ({@code -Djarmode=tools extract}), the extracted jar with a dynamic CDS archive from a
	 * training run ({@code -XX:ArchiveClassesAtExit} with {@code -Dspring.context.exit=onRefresh}, what
	 * the Dockerfile does); nginx for scale. The variants take turns, sample by sample.
	 */
	static final class Startup {

		static List<Row> rows(Path jar, Processes processes, HttpClient client, int backendPort, Report report)
				throws Exception {
			Map<String, List<String>> variants = new LinkedHashMap<>();
			variants.put("fat jar", List.of("-jar", jar.toString()));
			if (CDS) {
				Path extracted = extract(jar, processes);
				Path archive = train(extracted, processes, backendPort);
				variants.put("extracted", List.of("-jar", extracted.toString()));
				variants.put("extracted + CDS", List.of("-XX:SharedArchiveFile=" + archive, "-jar", extracted.toString()));
			}
			Map<String, Row> rows = new LinkedHashMap<>();
			variants.keySet().forEach((name) -> rows.put(name, new Row("startup", "startup, gateway " + name)));
			List<Map<String, Double>> nginxSamples = new ArrayList<>();
			for (int sample = 0; sample < STARTUP_SAMPLES; sample++) {
				for (Map.Entry<String, List<String>> variant : variants.entrySet()) {
					Map<String, Double> m = startGateway(processes, client, variant.getValue(), backendPort, sample);
					rows.get(variant.getKey()).add("gateway", m);
					System.out.printf(Locale.ROOT, "startup %-16s sample %d: %,.0f ms to the first echo, idle RSS %.0f MiB%s%n",
							variant.getKey(), sample + 1, m.get("startupMillis"), m.get("idleRssMiB"),
							m.containsKey("cdsArchiveMapped") ? " (archive mapped: " + (m.get("cdsArchiveMapped") > 0) + ")" : "");
				}
				Map<String, Double> n = startNginx(processes, client, backendPort, sample);
				nginxSamples.add(n);
				System.out.printf(Locale.ROOT, "startup %-16s sample %d: %,.0f ms to the first echo, idle RSS %.1f MiB%n", "nginx",
						sample + 1, n.get("startupMillis"), n.get("idleRssMiB"));
			}
			for (Row row : rows.values()) {
				row.add("direct", Map.of());
				nginxSamples.forEach((n) -> row.add("nginx", n));
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
			deleteTree(directory);
			runToCompletion(processes, List.of(java(), "-Djarmode=tools", "-jar", jar.toString(), "extract", "--destination",
					directory.resolve("app").toString(), "--application-filename", "app.jar"), WORK.resolve("cds-extract.log"),
					Duration.ofMinutes(2));
			return directory.resolve("app").resolve("app.jar");
		}

		/** The same JVM flags as the measured starts: an archive is only used under matching conditions. */
		static Path train(Path extracted, Processes processes, int backendPort) throws Exception {
			Path archive = extracted.getParent().getParent().resolve("app.jsa");
			List<String> command = new ArrayList<>(List.of(java()));
			command.addAll(Gateway.jvmFlags());
			command.addAll(List.of("-XX:ArchiveClassesAtExit=" + archive, "-Dspring.context.exit=onRefresh", "-jar",
					extracted.toString()));
			command.addAll(Gateway.arguments("training", freePort(), freePort(), false, backendPort, backendPort));
			long start = System.nanoTime();
			runToCompletion(processes, command, WORK.resolve("cds-training.log"), Duration.ofMinutes(3));
			if (!Files.isRegularFile(archive)) {
				throw new IllegalStateException("the training run wrote no " + archive + "; see " + WORK.resolve("cds-training.log"));
			}
			System.out.printf(Locale.ROOT, "CDS training run: %.1f s, archive %,d KiB%n", (System.nanoTime() - start) / 1e9,
					Files.size(archive) / 1024);
			return archive;
		}

		static Map<String, Double> startGateway(Processes processes, HttpClient client, List<String> launch, int backendPort,
				int sample) throws Exception {
			int port = freePort();
			List<String> command = new ArrayList<>(List.of(java()));
			command.addAll(Gateway.jvmFlags());
			command.addAll(launch);
			command.addAll(Gateway.arguments("startup", port, freePort(), false, backendPort, backendPort));
			long start = System.nanoTime();
			Process process = processes.start(new ProcessBuilder(command).redirectErrorStream(true)
				.redirectOutput(WORK.resolve("startup-gateway-" + sample + ".log").toFile()));
			try {
				Target target = new Target("gateway", client, "ws://127.0.0.1:" + port + "/conn/", List::of, null);
				waitForEcho(target, Duration.ofSeconds(120));
				double millis = (System.nanoTime() - start) / 1e6;
				Thread.sleep(STARTUP_SETTLE.toMillis());
				Map<String, Double> m = new LinkedHashMap<>();
				m.put("startupMillis", millis);
				m.put("idleRssMiB", rssBytes(List.of(process.pid())) / 1048576.0);
				String archive = launch.stream().filter((arg) -> arg.startsWith("-XX:SharedArchiveFile=")).findFirst().orElse(null);
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

		static Map<String, Double> startNginx(Processes processes, HttpClient client, int backendPort, int sample)
				throws Exception {
			long start = System.nanoTime();
			Nginx nginx = Nginx.start(processes, "startup-" + sample, backendPort, backendPort);
			try {
				waitForEcho(nginx.target(client, false), Duration.ofSeconds(30));
				double millis = (System.nanoTime() - start) / 1e6;
				Thread.sleep(STARTUP_SETTLE.toMillis());
				Map<String, Double> m = new LinkedHashMap<>();
				m.put("startupMillis", millis);
				m.put("idleRssMiB", rssBytes(nginx.pids()) / 1048576.0);
				return m;
			}
			finally {
				processes.stop(nginx.process());
			}
		}

	}

	// -------------------------------------------------------------------------------------- processes

	/** Everything the bench started, stopped in reverse order on success, failure or a signal. */
	static final class Processes {

		private final Deque<Object> started = new ArrayDeque<>();

		synchronized Process start(ProcessBuilder builder) throws IOException {
			Process process = builder.start();
			this.started.push(process);
			return process;
		}

		synchronized void onStop(Runnable action) {
			this.started.push(action);
		}

		/** SIGTERM first (nginx shuts its workers down, a JVM runs its hooks), SIGKILL after 10 s. */
		synchronized void stop(Process process) {
			this.started.remove(process);
			terminate(process, Duration.ofSeconds(10));
		}

		/** SIGKILL straight away, for JVMs whose shutdown is not being measured. */
		synchronized void kill(Process process) {
			this.started.remove(process);
			terminate(process, Duration.ZERO);
		}

		synchronized void stopAll() {
			while (!this.started.isEmpty()) {
				Object next = this.started.pop();
				try {
					if (next instanceof Process process) {
						terminate(process, Duration.ofSeconds(10));
					}
					else {
						((Runnable) next).run();
					}
				}
				catch (RuntimeException ex) {
					System.err.println("cleanup: " + ex);
				}
			}
		}

		static void terminate(Process process, Duration grace) {
			// nginx workers are the master's children: remembered now, killed too if the master leaves them.
			List<ProcessHandle> descendants = process.descendants().collect(Collectors.toList());
			try {
				if (!grace.isZero()) {
					process.destroy();
					process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS);
				}
				if (process.isAlive()) {
					process.destroyForcibly();
					process.waitFor(10, TimeUnit.SECONDS);
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			descendants.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
		}

	}

	/** Runs a command to its end within the limit; a non-zero exit is an error that points at the log. */
	static void runToCompletion(Processes processes, List<String> command, Path log, Duration limit) throws Exception {
		Process process = processes.start(new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()));
		boolean finished = process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS);
		processes.stop(process);
		if (!finished || process.exitValue() != 0) {
			throw new IllegalStateException(String.join(" ", command) + (finished ? " failed with " + process.exitValue()
					: " did not finish within " + limit) + "; see " + log);
		}
	}

	static String java() {
		return Path.of(System.getProperty("java.home"), "bin", "java").toString();
	}

	/** A gateway JVM from the jar under test, on free loopback ports. */
	record Gateway(String name, Process process, int port, int managementPort, boolean tls) {

		static List<String> jvmFlags() {
			List<String> flags = new ArrayList<>(List.of("-XX:+UseParallelGC", "-Xms256m", "-Xmx512m"));
			if (!GATEWAY_JVM_ARGS.isBlank()) {
				flags.addAll(Arrays.asList(GATEWAY_JVM_ARGS.trim().split("\\s+")));
			}
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
					"--pomelo.gateway.routes[1].prefix=/idle/", "--pomelo.gateway.routes[1].targets=ws://127.0.0.1:" + idleBackendPort,
					"--logging.level.root=WARN",
					// Every client of the bench is one loopback address, which the per-address limits are there
					// to stop; nginx's side has no such limits either. The gateway-wide limits stay on.
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
			int port = freePort();
			int managementPort = freePort();
			Files.deleteIfExists(WORK.resolve("routes-" + name + ".json"));
			List<String> command = new ArrayList<>(List.of(java()));
			command.addAll(jvmFlags());
			command.addAll(launch);
			command.addAll(arguments(name, port, managementPort, tls, backendPort, idleBackendPort));
			Process process = processes.start(new ProcessBuilder(command).redirectErrorStream(true)
				.redirectOutput(WORK.resolve("gateway-" + name + ".log").toFile()));
			return new Gateway(name, process, port, managementPort, tls);
		}

		long pid() {
			return this.process.pid();
		}

		Target target(HttpClient client) {
			String scheme = this.tls ? "wss" : "ws";
			return new Target("gateway", client, scheme + "://127.0.0.1:" + this.port + "/conn/", () -> List.of(pid()), this);
		}

		/** Heap after a full GC (jcmd GC.run), so that it counts live objects, and direct buffers. */
		Jvm settledJvm() throws Exception {
			Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
			Process gc = new ProcessBuilder(Files.isExecutable(jcmd) ? jcmd.toString() : "jcmd", String.valueOf(pid()), "GC.run").redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
			if (!gc.waitFor(30, TimeUnit.SECONDS)) {
				gc.destroyForcibly();
			}
			Thread.sleep(500);
			String text = java.net.http.HttpClient.newBuilder()
				.version(java.net.http.HttpClient.Version.HTTP_1_1)
				.connectTimeout(Duration.ofSeconds(5))
				.build()
				.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.managementPort + "/actuator/prometheus"))
					.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString())
				.body();
			return new Jvm(sumOf(text, (line) -> line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")),
					sumOf(text, (line) -> line.startsWith("jvm_buffer_memory_used_bytes{") && line.contains("id=\"direct\"")));
		}

		static long sumOf(String prometheusText, Predicate<String> line) {
			return (long) prometheusText.lines()
				.filter(line)
				.mapToDouble((l) -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
				.sum();
		}

	}

	/**
	 * nginx as it served the seed: a {@code location /conn/} with proxy_http_version 1.1 and the Upgrade and
	 * Connection headers; the same block behind {@code listen ... ssl} for wss, and behind a reuseport
	 * listener for the idle test, so that the kernel spreads those connections evenly over the workers.
	 */
	record Nginx(Process process, int port, int tlsPort, int idlePort, String version) {

		static int workers() {
			return Runtime.getRuntime().availableProcessors();
		}

		/** Enough for the idle test (two per connection), within the fd hard limit and no more. */
		static int workerConnections() {
			return (int) Math.min(hardOpenFileLimit() - 100, Math.max(4096, 2L * IDLE_CONNECTIONS + 1000));
		}

		static Nginx start(Processes processes, String name, int backendPort, int idleBackendPort) throws Exception {
			Path directory = WORK.resolve("nginx-" + name);
			Files.createDirectories(directory.resolve("tmp"));
			Files.createDirectories(directory.resolve("logs"));
			int port = freePort();
			int tlsPort = freePort();
			int idlePort = freePort();
			Path conf = directory.resolve("nginx.conf");
			Files.writeString(conf, config(directory, port, tlsPort, idlePort, backendPort, idleBackendPort));
			Process process = processes.start(new ProcessBuilder("nginx", "-c", conf.toString(), "-p", directory.toString())
				.redirectErrorStream(true).redirectOutput(directory.resolve("nginx.out").toFile()));
			Nginx nginx = new Nginx(process, port, tlsPort, idlePort, installedVersion());
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
			while (nginx.workerPids().size() < workers() && System.nanoTime() < deadline && process.isAlive()) {
				Thread.sleep(5);
			}
			if (!process.isAlive()) {
				throw new IllegalStateException("nginx exited: " + Files.readString(directory.resolve("nginx.out")));
			}
			return nginx;
		}

		static String config(Path directory, int port, int tlsPort, int idlePort, int backendPort, int idleBackendPort) {
			String location = """
					      proxy_http_version 1.1;
					      proxy_set_header Upgrade $http_upgrade;
					      proxy_set_header Connection "upgrade";
					      proxy_read_timeout 600s;
					""";
			return """
					worker_processes auto;
					worker_rlimit_nofile %7$d;
					daemon off;
					pid %1$s/nginx.pid;
					error_log %1$s/logs/error.log warn;
					events { worker_connections %8$d; }
					http {
					  access_log off;
					  client_body_temp_path %1$s/tmp;
					  proxy_temp_path %1$s/tmp;
					  fastcgi_temp_path %1$s/tmp;
					  uwsgi_temp_path %1$s/tmp;
					  scgi_temp_path %1$s/tmp;
					  server {
					    listen 127.0.0.1:%2$d;
					    location /conn/ {
					      proxy_pass http://127.0.0.1:%5$d;
					%9$s    }
					  }
					  server {
					    listen 127.0.0.1:%3$d ssl;
					    ssl_certificate %10$s;
					    ssl_certificate_key %11$s;
					    ssl_protocols TLSv1.2 TLSv1.3;
					    location /conn/ {
					      proxy_pass http://127.0.0.1:%5$d;
					%9$s    }
					  }
					  server {
					    listen 127.0.0.1:%4$d reuseport;
					    location /idle/ {
					      proxy_pass http://127.0.0.1:%6$d/;
					%9$s    }
					  }
					}
					""".formatted(directory, port, tlsPort, idlePort, backendPort, idleBackendPort,
					Math.min(hardOpenFileLimit(), workerConnections() + 100),
					workerConnections(), location, CERTIFICATE, PRIVATE_KEY);
		}

		static String installedVersion() throws Exception {
			Process process = new ProcessBuilder("nginx", "-v").redirectErrorStream(true).start();
			String text = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
			process.waitFor(5, TimeUnit.SECONDS);
			return text.replace("nginx version: ", "");
		}

		List<Long> workerPids() {
			return this.process.children().map(ProcessHandle::pid).collect(Collectors.toList());
		}

		List<Long> pids() {
			List<Long> pids = new ArrayList<>();
			pids.add(this.process.pid());
			pids.addAll(workerPids());
			return pids;
		}

		Target target(HttpClient client, boolean tls) {
			String uri = tls ? "wss://127.0.0.1:" + this.tlsPort + "/conn/" : "ws://127.0.0.1:" + this.port + "/conn/";
			return new Target("nginx", client, uri, this::pids, null);
		}

	}

	/**
	 * The idle test's echo backend, in a process of its own: with the load generator's sockets in this
	 * JVM, N connections need N fds here and N there instead of 2N in one process.
	 */
	record BackendProcess(Process process, int port) {

		static BackendProcess start(Processes processes) throws Exception {
			Process process = processes.start(new ProcessBuilder(java(), "-XX:+UseParallelGC", "-Xmx1g", "-cp",
					System.getProperty("java.class.path"), SOURCE.toString(), "--backend")
				.redirectError(WORK.resolve("idle-backend.log").toFile()));
			BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
			String line = CompletableFuture.supplyAsync(() -> {
				try {
					return lines.readLine();
				}
				catch (IOException ex) {
					throw new UncheckedIOException(ex);
				}
			}).get(90, TimeUnit.SECONDS);
			if (line == null || !line.startsWith("PORT ")) {
				throw new IllegalStateException("the idle backend did not start: " + line + "; see " + WORK.resolve("idle-backend.log"));
			}
			return new BackendProcess(process, Integer.parseInt(line.substring(5).trim()));
		}

	}

	/** The --backend mode: an echo server that ends with its parent (stdin closes) or after an hour. */
	static void runBackendProcess() {
		DisposableServer server = echoBackend();
		System.out.println("PORT " + server.port());
		System.out.flush();
		Thread watcher = new Thread(() -> {
			try {
				while (System.in.read() != -1) {
					// The parent never writes; end of input means it is gone.
				}
			}
			catch (IOException ex) {
				// Treated like end of input.
			}
			System.exit(0);
		}, "parent-watcher");
		watcher.setDaemon(true);
		watcher.start();
		try {
			Thread.sleep(TimeUnit.HOURS.toMillis(1));
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		System.exit(0);
	}

	// ------------------------------------------------------------------------------------------ /proc

	/** utime + stime of the processes and all their threads, in clock ticks. */
	static long cpuTicks(List<Long> pids) throws IOException {
		long total = 0;
		for (long pid : pids) {
			String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
			String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
			total += Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
		}
		return total;
	}

	/** VmRSS summed over the processes. */
	static long rssBytes(List<Long> pids) throws IOException {
		long total = 0;
		for (long pid : pids) {
			for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
				if (line.startsWith("VmRSS:")) {
					total += Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
				}
			}
		}
		return total;
	}

	static int openFiles(long pid) throws IOException {
		try (Stream<Path> fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
			return (int) fds.count();
		}
	}

	static int openFiles(List<Long> pids) throws IOException {
		int total = 0;
		for (long pid : pids) {
			total += openFiles(pid);
		}
		return total;
	}

	/** The soft RLIMIT_NOFILE of a process (a JVM raises its soft limit to the hard one by itself). */
	static int openFileLimit(long pid) throws IOException {
		return readLimit(pid, 3);
	}

	static int hardOpenFileLimit() {
		try {
			return readLimit(ProcessHandle.current().pid(), 4);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	static int readLimit(long pid, int column) throws IOException {
		for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/limits"))) {
			if (line.startsWith("Max open files")) {
				String value = line.trim().split("\\s+")[column];
				return value.equals("unlimited") ? Integer.MAX_VALUE : (int) Math.min(Integer.MAX_VALUE, Long.parseLong(value));
			}
		}
		throw new IllegalStateException("no open-file limit for " + pid);
	}

	static boolean raiseOpenFileLimit(long pid, int wanted) throws Exception {
		try {
			Process prlimit = new ProcessBuilder("prlimit", "--pid", String.valueOf(pid), "--nofile=" + wanted + ":" + wanted)
				.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
			return prlimit.waitFor(10, TimeUnit.SECONDS) && prlimit.exitValue() == 0;
		}
		catch (IOException ex) {
			return false;
		}
	}

	// ---------------------------------------------------------------------------------------- helpers

	static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

	static void deleteTree(Path directory) throws IOException {
		if (!Files.exists(directory)) {
			return;
		}
		try (Stream<Path> paths = Files.walk(directory)) {
			for (Path path : paths.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
				Files.delete(path);
			}
		}
	}

	static List<Integer> intList(String text) {
		return stringList(text).stream().map(Integer::parseInt).collect(Collectors.toList());
	}

	static List<String> stringList(String text) {
		return Arrays.stream(text.split(",")).map(String::trim).filter((s) -> !s.isEmpty()).collect(Collectors.toList());
	}

	static String size(int bytes) {
		return (bytes % 1024 == 0) ? (bytes / 1024) + " KiB" : bytes + " B";
	}

	static double median(List<Double> values) {
		double[] sorted = values.stream().filter(Double::isFinite).mapToDouble(Double::doubleValue).sorted().toArray();
		if (sorted.length == 0) {
			return Double.NaN;
		}
		int middle = sorted.length / 2;
		return (sorted.length % 2 == 1) ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
	}

	// ------------------------------------------------------------------------------------------- report

	/** What a figure means, how it is printed, and which way is better (for the chart's legend). */
	record Metric(String key, String label, String format, boolean higherIsBetter, boolean inTable, boolean inChart) {
	}

	static final List<Metric> METRICS = List.of(
			new Metric("messagesPerSecond", "msg/s (round trips)", "%,.0f", true, true, true),
			new Metric("messagesPerProxyCpuSecond", "msg per proxy CPU-s", "%,.0f", true, true, true),
			new Metric("p50Micros", "p50 round trip us", "%,.0f", false, true, false),
			new Metric("p99Micros", "p99 round trip us", "%,.0f", false, true, true),
			new Metric("p999Micros", "p999 round trip us", "%,.0f", false, true, false),
			new Metric("proxyCpuPercent", "proxy CPU %", "%.0f", false, true, false),
			new Metric("idleConnections", "idle connections held", "%,.0f", true, true, false),
			new Metric("rssBytesPerConnection", "RSS bytes per idle connection", "%,.0f", false, true, true),
			new Metric("heapBytesPerConnection", "  JVM heap (after GC) bytes/conn", "%,.0f", false, true, false),
			new Metric("directBytesPerConnection", "  JVM direct buffers bytes/conn", "%,.0f", false, true, false),
			new Metric("handshakesPerSecond", "handshakes/s", "%,.0f", true, true, true),
			new Metric("proxyCpuMsPerHandshake", "proxy CPU ms per handshake", "%.3f", false, true, true),
			new Metric("handshakeP50Millis", "p50 open+echo+close ms", "%.2f", false, true, false),
			new Metric("handshakeP99Millis", "p99 open+echo+close ms", "%.2f", false, true, false),
			new Metric("errors", "failed handshakes", "%.0f", false, true, false),
			new Metric("startupMillis", "start to first echo ms", "%,.0f", false, true, true),
			new Metric("idleRssMiB", "idle RSS after start MiB", "%,.1f", false, true, true));

	/** One row of the table: a measurement kind with its parameters, and per path the figures of each round. */
	static final class Row {

		final String kind;

		final String label;

		final Map<String, Object> parameters = new LinkedHashMap<>();

		final Map<String, List<Map<String, Double>>> rounds = new LinkedHashMap<>();

		final List<String> notes = new ArrayList<>();

		Row(String kind, String label) {
			this.kind = kind;
			this.label = label;
			PATHS.forEach((path) -> this.rounds.put(path, new ArrayList<>()));
		}

		void add(String path, Map<String, Double> figures) {
			this.rounds.get(path).add(figures);
		}

		double median(String path, String key) {
			return NginxCompareBench.median(this.rounds.get(path).stream().map((m) -> m.getOrDefault(key, Double.NaN))
				.collect(Collectors.toList()));
		}

		double ratio(String key) {
			double gateway = median("gateway", key);
			double nginx = median("nginx", key);
			return (Double.isFinite(gateway) && Double.isFinite(nginx) && nginx != 0) ? gateway / nginx : Double.NaN;
		}

		/** Metrics any path has, in catalog order, then the rest (JSON only). */
		List<String> keys() {
			List<String> present = this.rounds.values().stream().flatMap(List::stream).flatMap((m) -> m.keySet().stream())
				.distinct().collect(Collectors.toList());
			List<String> ordered = new ArrayList<>();
			METRICS.stream().map(Metric::key).filter(present::contains).forEach(ordered::add);
			present.stream().filter((key) -> !ordered.contains(key)).forEach(ordered::add);
			return ordered;
		}

		Map<String, Object> json() {
			Map<String, Object> json = new LinkedHashMap<>();
			json.put("kind", this.kind);
			json.put("label", this.label);
			json.put("parameters", this.parameters);
			Map<String, Object> paths = new LinkedHashMap<>();
			for (String path : PATHS) {
				Map<String, Object> medians = new LinkedHashMap<>();
				keys().forEach((key) -> medians.put(key, median(path, key)));
				Map<String, Object> figures = new LinkedHashMap<>();
				figures.put("medians", medians);
				figures.put("rounds", this.rounds.get(path));
				paths.put(path, figures);
			}
			json.put("paths", paths);
			Map<String, Object> ratios = new LinkedHashMap<>();
			keys().forEach((key) -> ratios.put(key, ratio(key)));
			json.put("gatewayToNginx", ratios);
			json.put("notes", this.notes);
			return json;
		}

	}

	static final class Report {

		final Path jar;

		final List<String> arguments;

		final Instant startedAt = Instant.now();

		final List<Row> rows = new ArrayList<>();

		final List<String> notes = new ArrayList<>();

		Report(Path jar, List<String> arguments) {
			this.jar = jar;
			this.arguments = arguments;
		}

		void finish(Duration took) throws IOException {
			Map<String, Object> json = new LinkedHashMap<>();
			json.put("benchmark", "nginx-compare");
			json.put("startedAt", this.startedAt.toString());
			json.put("durationSeconds", took.toSeconds());
			json.put("command", command());
			json.put("parameters", parameters());
			Map<String, Object> machine = new LinkedHashMap<>();
			machine.put("cores", Runtime.getRuntime().availableProcessors());
			machine.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
			machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
			machine.put("openFileHardLimit", hardOpenFileLimit());
			json.put("machine", machine);
			json.put("notes", this.notes);
			json.put("rows", this.rows.stream().map(Row::json).collect(Collectors.toList()));
			Files.writeString(WORK.resolve("nginx-compare.json"), Json.write(json) + "\n");
			Files.writeString(WORK.resolve("nginx-compare.svg"), Chart.svg(this));
			System.out.println();
			System.out.print(table());
			this.notes.forEach((note) -> System.out.println("note: " + note));
			this.rows.forEach((row) -> row.notes.forEach((note) -> System.out.println("note (" + row.label + "): " + note)));
			System.out.printf("%nwrote %s and %s in %d s%n", WORK.resolve("nginx-compare.json"), WORK.resolve("nginx-compare.svg"),
					took.toSeconds());
		}

		/**
		 * How this run was started. Rebuilt from the JVM's own view: /proc's command line is cut short by
		 * the long class path, and the class path itself is only counted here.
		 */
		Map<String, Object> command() {
			List<String> jvmArguments = java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments();
			String classPath = System.getProperty("java.class.path");
			List<String> line = new ArrayList<>();
			line.add(ProcessHandle.current().info().command().orElse("java"));
			line.addAll(jvmArguments);
			line.addAll(List.of("-cp", "<class path: " + classPath.split(java.io.File.pathSeparator).length + " entries>",
					SOURCE.toString()));
			line.addAll(this.arguments);
			Map<String, Object> command = new LinkedHashMap<>();
			command.put("commandLine", String.join(" ", line));
			command.put("jvmArguments", jvmArguments);
			command.put("source", SOURCE.toString());
			command.put("arguments", this.arguments);
			command.put("jar", this.jar.toString());
			command.put("workingDirectory", Path.of("").toAbsolutePath().toString());
			return command;
		}

		String table() {
			StringBuilder out = new StringBuilder();
			String format = "%-34s %-34s %12s %12s %12s %9s%n";
			out.append(String.format(Locale.ROOT, format, "row (medians)", "figure", "direct", "nginx", "gateway",
					"gw/nginx"));
			for (Row row : this.rows) {
				String label = row.label;
				for (Metric metric : METRICS) {
					if (!metric.inTable() || !row.keys().contains(metric.key())) {
						continue;
					}
					double ratio = row.ratio(metric.key());
					out.append(String.format(Locale.ROOT, format, label, metric.label(),
							number(metric, row.median("direct", metric.key())), number(metric, row.median("nginx", metric.key())),
							number(metric, row.median("gateway", metric.key())),
							Double.isFinite(ratio) ? String.format(Locale.ROOT, "%.2f", ratio) : "-"));
					label = "";
				}
			}
			return out.toString();
		}

		static String number(Metric metric, double value) {
			return Double.isFinite(value) ? String.format(Locale.ROOT, metric.format(), value) : "-";
		}

	}

	/** A JSON writer for maps, lists, strings, numbers and booleans; NaN and infinities become null. */
	static final class Json {

		static String write(Object value) {
			StringBuilder out = new StringBuilder();
			write(value, out);
			return out.toString();
		}

		static void write(Object value, StringBuilder out) {
			if (value == null) {
				out.append("null");
			}
			else if (value instanceof Map<?, ?> map) {
				out.append('{');
				boolean first = true;
				for (Map.Entry<?, ?> entry : map.entrySet()) {
					out.append(first ? "" : ",");
					first = false;
					string(String.valueOf(entry.getKey()), out);
					out.append(':');
					write(entry.getValue(), out);
				}
				out.append('}');
			}
			else if (value instanceof List<?> list) {
				out.append('[');
				for (int i = 0; i < list.size(); i++) {
					out.append(i == 0 ? "" : ",");
					write(list.get(i), out);
				}
				out.append(']');
			}
			else if (value instanceof Double || value instanceof Float) {
				double d = ((Number) value).doubleValue();
				out.append(Double.isFinite(d) ? (d == Math.rint(d) && Math.abs(d) < 1e15 ? String.valueOf((long) d)
						: String.format(Locale.ROOT, "%.4f", d)) : "null");
			}
			else if (value instanceof Number || value instanceof Boolean) {
				out.append(value);
			}
			else {
				string(value.toString(), out);
			}
		}

		static void string(String text, StringBuilder out) {
			out.append('"');
			for (char c : text.toCharArray()) {
				switch (c) {
					case '"' -> out.append("\\\"");
					case '\\' -> out.append("\\\\");
					case '\n' -> out.append("\\n");
					case '\r' -> out.append("\\r");
					case '\t' -> out.append("\\t");
					default -> {
						if (c < 0x20) {
							out.append(String.format("\\u%04x", (int) c));
						}
						else {
							out.append(c);
						}
					}
				}
			}
			out.append('"');
		}

	}

	/**
	 * Grouped bars, hand-written SVG: per row, the gateway/nginx ratio of each charted figure. The axis is
	 * logarithmic and bars grow up or down from 1.0 (nginx), so 0.5x and 2x look equally far from parity
	 * and a start-up ratio of several hundred fits next to a throughput ratio of 0.7.
	 */
	static final class Chart {

		static final String[] COLORS = { "#4e79a7", "#59a14f", "#f28e2b", "#b07aa1", "#76b7b2", "#edc948", "#e15759",
				"#9c755f" };

		static final int BAR = 16;

		static final int GAP = 4;

		static final int GROUP_GAP = 30;

		static final int LEFT = 60;

		static final int PLOT_HEIGHT = 320;

		static String svg(Report report) {
			List<Metric> charted = METRICS.stream().filter(Metric::inChart).collect(Collectors.toList());
			List<Row> rows = report.rows.stream()
				.filter((row) -> charted.stream().anyMatch((m) -> Double.isFinite(row.ratio(m.key()))))
				.collect(Collectors.toList());
			List<Double> ratios = rows.stream().flatMap((row) -> charted.stream().map((m) -> row.ratio(m.key())))
				.filter((r) -> Double.isFinite(r) && r > 0).collect(Collectors.toList());
			double low = Math.floor(Math.log10(Math.min(0.5, ratios.stream().min(Double::compare).orElse(1.0))));
			double high = Math.ceil(Math.log10(Math.max(2.0, ratios.stream().max(Double::compare).orElse(1.0))));
			int longestLabel = rows.stream().mapToInt((row) -> row.label.length()).max().orElse(10);
			// Rotated labels reach down-left from their group; the first group moves right to keep them in view.
			int x = Math.max(LEFT + GROUP_GAP / 2, (int) (longestLabel * 5.5 * Math.cos(Math.toRadians(40))) + 10);
			int width = x + rows.stream().mapToInt((row) -> groupWidth(row, charted) + GROUP_GAP).sum() + 40;
			width = Math.max(width, 760);

			StringBuilder head = new StringBuilder();
			head.append(text(LEFT, 22, 15, "start", "font-weight=\"bold\"",
					"pomelo-wx-gateway / nginx per row: medians, log scale, 1.0 = nginx"));
			head.append(text(LEFT, 40, 11, "start", "", String.format(Locale.ROOT, "%s, %d cores, %d rounds of %d s, %s",
					report.startedAt.truncatedTo(java.time.temporal.ChronoUnit.SECONDS), Runtime.getRuntime().availableProcessors(),
					ROUNDS, ROUND.toSeconds(), "bench/nginx-compare.sh")));
			int legendX = LEFT;
			int legendY = 62;
			for (int i = 0; i < charted.size(); i++) {
				Metric metric = charted.get(i);
				String label = metric.label().trim() + (metric.higherIsBetter() ? " (higher is better)" : " (lower is better)");
				int itemWidth = 14 + label.length() * 6;
				if (legendX + itemWidth > width - 10) {
					legendX = LEFT;
					legendY += 16;
				}
				head.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/>%n",
						legendX, legendY - 9, COLORS[i % COLORS.length]));
				head.append(text(legendX + 13, legendY, 10, "start", "", label));
				legendX += itemWidth + 12;
			}
			int plotTop = legendY + 24;
			int plotBottom = plotTop + PLOT_HEIGHT;
			java.util.function.DoubleUnaryOperator y = (ratio) -> plotBottom - (Math.log10(ratio) - low) / (high - low) * PLOT_HEIGHT;

			StringBuilder grid = new StringBuilder();
			for (double decade = low; decade <= high; decade++) {
				for (int step : new int[] { 1, 2, 5 }) {
					double tick = step * Math.pow(10, decade);
					if (Math.log10(tick) > high + 1e-9) {
						continue;
					}
					double ty = y.applyAsDouble(tick);
					grid.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"%s\"/>%n", LEFT,
							ty, width - 10, ty, (step == 1) ? "#ccc" : "#eee"));
					grid.append(text(LEFT - 6, ty + 3, 10, "end", "", trimZeros(tick) + "\u00d7"));
				}
			}

			StringBuilder bars = new StringBuilder();
			double one = y.applyAsDouble(1.0);
			for (Row row : rows) {
				int groupStart = x;
				for (int i = 0; i < charted.size(); i++) {
					double ratio = row.ratio(charted.get(i).key());
					if (!Double.isFinite(ratio) || ratio <= 0) {
						continue;
					}
					double top = Math.min(one, y.applyAsDouble(ratio));
					double height = Math.max(1, Math.abs(y.applyAsDouble(ratio) - one));
					bars.append(String.format(Locale.ROOT,
							"<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" fill=\"%s\"><title>%s, %s: %.2f</title></rect>%n", x,
							top, BAR, height, COLORS[i % COLORS.length], escape(row.label), escape(charted.get(i).label().trim()), ratio));
					// Values read upwards beside the bar's end, so that neighbours never overlap.
					double labelY = (ratio >= 1) ? top - 4 : top + height + 4;
					bars.append(String.format(Locale.ROOT,
							"<text x=\"%.1f\" y=\"%.1f\" font-size=\"9\" text-anchor=\"%s\" transform=\"rotate(-90 %.1f %.1f)\">%s</text>%n",
							x + BAR / 2.0 + 3, labelY, (ratio >= 1) ? "start" : "end", x + BAR / 2.0 + 3, labelY, format(ratio)));
					x += BAR + GAP;
				}
				int middle = (groupStart + x - GAP) / 2;
				bars.append(String.format(Locale.ROOT,
						"<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\" transform=\"rotate(-40 %d %d)\">%s</text>%n", middle,
						plotBottom + 16, middle, plotBottom + 16, escape(row.label)));
				x += GROUP_GAP;
			}
			int height = plotBottom + 30 + (int) (longestLabel * 5.5 * Math.sin(Math.toRadians(40)));

			StringBuilder svg = new StringBuilder();
			svg.append(String.format(Locale.ROOT,
					"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\">%n",
					width, height, width, height));
			svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", width, height));
			svg.append(head).append(grid).append(bars);
			svg.append(String.format(Locale.ROOT,
					"<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#c00\" stroke-width=\"1.5\" stroke-dasharray=\"6 3\"/>%n",
					LEFT, one, width - 10, one));
			svg.append(text(width - 12, one - 4, 10, "end", "fill=\"#c00\"", "nginx = 1.0"));
			svg.append("</svg>\n");
			return svg.toString();
		}

		static int groupWidth(Row row, List<Metric> charted) {
			long bars = charted.stream().filter((m) -> Double.isFinite(row.ratio(m.key())) && row.ratio(m.key()) > 0).count();
			return (int) bars * (BAR + GAP);
		}

		static String text(double x, double y, int size, String anchor, String extra, String content) {
			return String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%d\" text-anchor=\"%s\" %s>%s</text>%n", x, y,
					size, anchor, extra, escape(content));
		}

		static String format(double ratio) {
			return (ratio >= 100) ? String.format(Locale.ROOT, "%.0f", ratio) : String.format(Locale.ROOT, "%.2f", ratio);
		}

		static String trimZeros(double value) {
			return java.math.BigDecimal.valueOf(value).round(new java.math.MathContext(3)).stripTrailingZeros().toPlainString();
		}

		static String escape(String text) {
			return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
		}

	}

}
