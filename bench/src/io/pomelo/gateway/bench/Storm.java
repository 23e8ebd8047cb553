package io.pomelo.gateway.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

import javax.net.ssl.TrustManagerFactory;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import org.HdrHistogram.Histogram;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import static io.pomelo.gateway.bench.Settings.STORM_CLIENTS;
import static io.pomelo.gateway.bench.Settings.STORM_IN_FLIGHT;

/**
 * A reconnect storm, as after a deploy: N wss clients connect at once (at most stormInFlight handshakes
 * open at a time), each has its echo and stays connected, as a reconnected player does before it goes
 * idle. Reported per proxy: the time until all are in,
 * the p99 of one client's open-and-echo, the failures and the proxy's CPU per client. Twice, every client
 * with a TLS context of its own: first new ones (a full handshake each), then ones that each hold a session
 * from an earlier connection to that proxy, as players reconnecting after a deploy do, and offer it for
 * resumption. (The JDK client uses a TLS 1.3 session once, so one shared context would resume one client.)
 */
final class Storm {

	private Storm() {
	}

	/** A proxy's wss way to the idle backend; refusals are its own counts (empty for the peers). */
	record Way(String name, String uri, Supplier<List<Long>> pids, Supplier<Map<String, Double>> refusals) {
	}

	static List<Row> rows(List<Way> ways, int n, List<String> why, TrustManagerFactory trust) throws Exception {
		List<Row> rows = new ArrayList<>();
		for (boolean resume : List.of(false, true)) {
			String label = String.format(Locale.ROOT, "reconnect storm %,d wss%s", n, resume ? " resumed" : "");
			Row row = new Row("storm", label);
			row.parameters.put("clients", n);
			row.parameters.put("asked", STORM_CLIENTS);
			row.parameters.put("inFlight", STORM_IN_FLIGHT);
			row.parameters.put("resumption", resume);
			if (n < STORM_CLIENTS) {
				row.notes.add(String.format(Locale.ROOT, "storm of %,d clients instead of %,d: %s", n, STORM_CLIENTS,
						String.join("; ", why)));
			}
			row.notes.add(resume
					? "a client TLS context per client (the JDK's), each with a session from one earlier connection to"
							+ " the same proxy, which its ClientHello offers"
					: "a new client TLS context per client (the JDK's): a full handshake each");
			row.add("direct", Map.of());
			for (Way way : ways) {
				Map<String, Double> before = way.refusals().get();
				Map<String, Double> m = run(way, n, trust, resume);
				row.add(way.name(), m);
				Map<String, Double> after = way.refusals().get();
				StringBuilder refused = new StringBuilder();
				after.forEach((key, count) -> {
					double delta = count - before.getOrDefault(key, 0.0);
					if (delta > 0) {
						refused.append(refused.isEmpty() ? "" : ", ").append(key).append(" ").append((long) delta);
					}
				});
				if (!refused.isEmpty()) {
					row.notes.add(way.name() + " refused or cut short: " + refused);
					System.out.println(label + " " + way.name() + " refused or cut short: " + refused);
				}
				System.out.printf(Locale.ROOT,
						"%-34s %-8s all in after %,6.0f ms  p99 %,6.0f ms  failed %.0f  cpu/client %.3f ms  resumed %.0f%n",
						label, way.name(), m.get("stormMillis"), m.get("stormP99Millis"), m.get("errors"),
						m.get("proxyCpuMsPerClient"), m.get("resumedClients"));
			}
			rows.add(row);
		}
		return rows;
	}

	static Map<String, Double> run(Way way, int n, TrustManagerFactory trust, boolean resume) throws Exception {
		HttpClient base = HttpClient.create(ConnectionProvider.newConnection());
		List<SslContext> contexts = new ArrayList<>(n);
		for (int i = 0; i < n; i++) {
			contexts.add(context(trust));
		}
		if (resume) {
			// The sessions the storm's clients offer: one earlier connection each, before the deploy.
			Flux.range(0, n)
				.flatMap((i) -> Idle.openIdle(base.secure((spec) -> spec.sslContext(contexts.get(i))), way.uri())
					.doOnNext(Connection::dispose)
					.onErrorResume((error) -> Mono.empty()), 200)
				.then()
				.block(Duration.ofSeconds(60 + n / 50));
			Thread.sleep(Math.min(5000, 500 + n / 4));
		}
		Histogram latencies = new Histogram(3);
		LongAdder errors = new LongAdder();
		LongAdder resumed = new LongAdder();
		List<Connection> open = Collections.synchronizedList(new ArrayList<>());
		long cpuBefore = Os.cpuTicks(way.pids().get());
		long start = System.nanoTime();
		long startMillis = System.currentTimeMillis();
		try {
			Flux.range(0, n).flatMap((i) -> Mono.defer(() -> {
				long began = System.nanoTime();
				return Idle.openIdle(base.secure((spec) -> spec.sslContext(contexts.get(i))), way.uri()).doOnNext((connection) -> {
					synchronized (latencies) {
						latencies.recordValue(Math.max(1, (System.nanoTime() - began) / 1000));
					}
					if (wasResumed(connection, startMillis)) {
						resumed.increment();
					}
					open.add(connection);
				});
			}).onErrorResume((error) -> {
				errors.increment();
				return Mono.empty();
			}), STORM_IN_FLIGHT).then().block(Duration.ofSeconds(120 + n / 50));
			double millis = (System.nanoTime() - start) / 1e6;
			long cpuAfter = Os.cpuTicks(way.pids().get());
			double cpu = (cpuAfter - cpuBefore) / (double) Os.TICKS_PER_SECOND;
			Map<String, Double> m = new LinkedHashMap<>();
			m.put("stormMillis", millis);
			m.put("stormP99Millis", latencies.getValueAtPercentile(99) / 1000.0);
			m.put("errors", (double) errors.sum());
			m.put("proxyCpuMsPerClient", open.isEmpty() ? Double.NaN : cpu * 1000 / open.size());
			m.put("resumedClients", (double) resumed.sum());
			m.put("connectedClients", (double) open.size());
			return m;
		}
		finally {
			int before = open.size();
			open.forEach(Connection::dispose);
			// The next proxy's storm starts from quiet sockets.
			Thread.sleep(Math.min(5000, 500 + before / 4));
		}
	}

	private static SslContext context(TrustManagerFactory trust) {
		try {
			return SslContextBuilder.forClient()
				.sslProvider(SslProvider.JDK)
				.trustManager(trust)
				.protocols("TLSv1.3", "TLSv1.2")
				.build();
		}
		catch (javax.net.ssl.SSLException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * The JDK keeps a resumed session's creation time from the session it resumed, so a session older than
	 * the storm was resumed.
	 */
	private static boolean wasResumed(Connection connection, long stormStartMillis) {
		SslHandler ssl = connection.channel().pipeline().get(SslHandler.class);
		return ssl != null && ssl.engine().getSession().getCreationTime() < stormStartMillis;
	}

}
