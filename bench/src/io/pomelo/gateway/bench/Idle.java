package io.pomelo.gateway.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.Connection;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.websocket.WebsocketInbound;
import reactor.netty.http.websocket.WebsocketOutbound;

import static io.pomelo.gateway.bench.Settings.CYCLE_TIMEOUT;
import static io.pomelo.gateway.bench.Settings.HANDSHAKE_PAYLOAD;
import static io.pomelo.gateway.bench.Settings.IDLE_CONNECTIONS;
import static io.pomelo.gateway.bench.Settings.IDLE_SETTLE;

/**
 * Idle memory per connection: N idle connections (each has had one 64 B echo) through each peer, then
 * through the gateway; memory before and after. One pass per proxy: a second pass would start from memory
 * the first one left behind (the JVM keeps its heap, nginx and HAProxy their pools), which is a different
 * question.
 */
final class Idle {

	private Idle() {
	}

	static Row row(HttpClient client, List<Peer> peers, Gateway gateway, EchoBackend.BackendProcess backend,
			Report report) throws Exception {
		List<String> limits = new ArrayList<>();
		int n = connectionsThatFit(IDLE_CONNECTIONS, peers, gateway, backend, limits);
		String label = String.format(Locale.ROOT, "idle memory, %,d connections", n);
		Row row = new Row("idle", label);
		row.parameters.put("connections", n);
		row.parameters.put("asked", IDLE_CONNECTIONS);
		row.parameters.put("settleSeconds", IDLE_SETTLE.toSeconds());
		if (n < IDLE_CONNECTIONS) {
			String note = String.format(Locale.ROOT, "idle test at %,d connections instead of %,d: %s", n,
					IDLE_CONNECTIONS, String.join("; ", limits));
			row.notes.add(note);
			report.notes.add(note);
			System.out.println(note);
		}
		row.notes.add("each connection had one 64 B echo, then stays idle; RSS is VmRSS summed over the proxy's"
				+ " processes (kernel socket buffers are not in it)");
		peers.forEach((peer) -> row.notes.add(peer.idleNote()));
		row.notes.add("gateway: heap is measured after a full GC (live data); Netty's pooled direct memory is not in"
				+ " the JVM's direct buffer pool figure, only in the RSS");
		row.add("direct", Map.of());
		for (Peer peer : peers) {
			row.add(peer.name(), measure(client, "ws://127.0.0.1:" + peer.idlePort() + "/idle/", n, peer::pids, null));
		}
		row.add("gateway", measure(client, "ws://127.0.0.1:" + gateway.port() + "/idle/", n, gateway::pids, gateway));
		return row;
	}

	/**
	 * The idle row again for the gateway on JDK 25 with compact object headers, as the Docker image runs it
	 * ({@link Startup#AOT_FLAGS}), at the same number of connections. The peers' figures are those of
	 * {@code first}: their memory does not depend on the gateway's JVM, and a second pass through them would
	 * start from pools the first one left behind.
	 */
	static Row rowOnJdk25(HttpClient client, Row first, java.nio.file.Path jar, Processes processes,
			int backendPort, EchoBackend.BackendProcess backend) throws Exception {
		String java25 = java.nio.file.Path.of(Settings.JDK_AOT, "bin", "java").toString();
		int n = (Integer) first.parameters.get("connections");
		String label = String.format(Locale.ROOT, "idle memory, %,d connections, gateway on JDK %s + compact headers",
				n, Os.javaVersion(java25));
		Row row = new Row("idle", label);
		row.parameters.putAll(first.parameters);
		row.parameters.put("gatewayJava", java25);
		row.notes.add("the gateway on " + java25 + " with " + String.join(" ", Startup.AOT_FLAGS)
				+ " (the Docker image's JVM and flags), otherwise as in the row above; the peers' figures are"
				+ " the row above's");
		first.rounds.forEach((path, rounds) -> {
			if (!path.equals("gateway")) {
				rounds.forEach((figures) -> row.add(path, figures));
			}
		});
		List<String> launch = new ArrayList<>(Startup.AOT_FLAGS);
		launch.addAll(List.of("-jar", jar.toString()));
		Gateway gateway = Gateway.start(processes, "plain-jdk25", java25, launch, false, backendPort, backend.port());
		try {
			Handshakes.waitForEcho(gateway.target(client), Duration.ofSeconds(120));
			row.add("gateway", measure(client, "ws://127.0.0.1:" + gateway.port() + "/idle/", n, gateway::pids, gateway));
		}
		finally {
			processes.kill(gateway.process());
		}
		return row;
	}

	/**
	 * The gateway holds two sockets per connection and every other process one, under each process's
	 * open-file limit; the peers hold what their configuration allows. Where the gateway's limit is too low,
	 * raising its hard limit is tried (prlimit; it needs CAP_SYS_RESOURCE, which a container often lacks).
	 */
	static int connectionsThatFit(int asked, List<Peer> peers, Gateway gateway, EchoBackend.BackendProcess backend,
			List<String> why) throws Exception {
		int margin = 200;
		int gatewayBase = Os.openFiles(gateway.pid());
		int wanted = 2 * asked + gatewayBase + margin;
		if (Os.openFileLimit(gateway.pid()) < wanted && !Os.raiseOpenFileLimit(gateway.pid(), wanted)) {
			why.add("the gateway holds 2 sockets per connection, and its open-file limit is "
					+ Os.openFileLimit(gateway.pid()) + " (" + gatewayBase
					+ " already open); raising it failed (prlimit needs CAP_SYS_RESOURCE)");
		}
		int n = asked;
		n = Math.min(n, (Os.openFileLimit(gateway.pid()) - gatewayBase - margin) / 2);
		// The gateway's own admission keeps 1,024 descriptors in reserve and answers 503 past the rest / 2.
		int admitted = (Os.openFileLimit(gateway.pid()) - 1024) / 2;
		if (admitted < n) {
			why.add("the gateway admits " + admitted + " sessions under its open-file limit (1,024 kept in reserve)");
			n = admitted;
		}
		long self = ProcessHandle.current().pid();
		int clientFit = Os.openFileLimit(self) - Os.openFiles(self) - margin;
		if (clientFit < n) {
			why.add("the load generator's open-file limit is " + Os.openFileLimit(self));
			n = clientFit;
		}
		int backendFit = Os.openFileLimit(backend.pid()) - Os.openFiles(backend.pid()) - margin;
		if (backendFit < n) {
			why.add("the backend's open-file limit is " + Os.openFileLimit(backend.pid()));
			n = backendFit;
		}
		for (Peer peer : peers) {
			if (peer.idleConnectionsThatFit() < n) {
				why.add(peer.idleLimit());
				n = peer.idleConnectionsThatFit();
			}
		}
		return Math.max(n, 1);
	}

	static Map<String, Double> measure(HttpClient client, String uri, int n, Supplier<List<Long>> pids,
			Gateway gateway) throws Exception {
		int fdsBefore = Os.openFiles(pids.get());
		if (gateway != null) {
			// The first scrape allocates the endpoint's own caches; only the second is the baseline.
			gateway.settledJvm();
		}
		Gateway.Jvm before = (gateway != null) ? gateway.settledJvm() : null;
		long rssBefore = Os.rssBytes(pids.get());
		long start = System.nanoTime();
		List<Connection> open = Collections.synchronizedList(new ArrayList<>());
		Duration limit = Duration.ofSeconds(60 + n / 100);
		try {
			Flux.range(0, n).flatMap((i) -> openIdle(client, uri).doOnNext(open::add), 200).then().block(limit);
			double openSeconds = (System.nanoTime() - start) / 1e9;
			Thread.sleep(IDLE_SETTLE.toMillis());
			Gateway.Jvm after = (gateway != null) ? gateway.settledJvm() : null;
			long rssAfter = Os.rssBytes(pids.get());
			Map<String, Double> m = new LinkedHashMap<>();
			m.put("idleConnections", (double) open.size());
			m.put("rssBytesPerConnection", (rssAfter - rssBefore) / (double) open.size());
			if (gateway != null) {
				m.put("heapBytesPerConnection", (after.heapUsed() - before.heapUsed()) / (double) open.size());
				m.put("directBytesPerConnection", (after.directUsed() - before.directUsed()) / (double) open.size());
			}
			m.put("rssBeforeMiB", rssBefore / 1048576.0);
			m.put("rssAfterMiB", rssAfter / 1048576.0);
			m.put("openSeconds", openSeconds);
			System.out.printf(Locale.ROOT,
					"idle %-40s %,d connections in %.1f s, RSS %.1f -> %.1f MiB, %,.0f B/connection%n", uri, open.size(),
					openSeconds, rssBefore / 1048576.0, rssAfter / 1048576.0, m.get("rssBytesPerConnection"));
			return m;
		}
		finally {
			open.forEach(Connection::dispose);
			waitForOpenFiles(pids, fdsBefore + 20, Duration.ofSeconds(30));
		}
	}

	/** One connection that has had its echo and stays open; the caller disposes it. */
	static Mono<Connection> openIdle(HttpClient client, String uri) {
		byte[] payload = new byte[HANDSHAKE_PAYLOAD];
		return client.websocket().uri(uri).connect().flatMap((connection) -> {
			WebsocketInbound in = (WebsocketInbound) connection;
			WebsocketOutbound out = (WebsocketOutbound) connection;
			Sinks.Empty<Void> echoed = Sinks.empty();
			in.receiveFrames()
				.subscribe((frame) -> echoed.tryEmitEmpty(), echoed::tryEmitError,
						() -> echoed.tryEmitError(new IllegalStateException("closed before the echo")));
			return out.sendObject(Mono.just(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(payload))))
				.then()
				.then(echoed.asMono())
				.timeout(CYCLE_TIMEOUT)
				.thenReturn(connection)
				.doOnError((error) -> connection.dispose());
		});
	}

	private static void waitForOpenFiles(Supplier<List<Long>> pids, int atMost, Duration limit) throws Exception {
		long deadline = System.nanoTime() + limit.toNanos();
		while (System.nanoTime() < deadline && Os.openFiles(pids.get()) > atMost) {
			Thread.sleep(200);
		}
	}

}
