package io.pomelo.gateway.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

import reactor.core.publisher.Mono;

import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.route.RouteLocator;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.web.server.ServerWebExchange;

import io.pomelo.gateway.admin.RouteAdministration;
import io.pomelo.gateway.route.GatewayRoute;
import io.pomelo.gateway.route.DynamicRoute;
import io.pomelo.gateway.route.RouteSnapshot;
import io.pomelo.gateway.route.RouteTable;
import io.pomelo.gateway.support.AdminClient;
import io.pomelo.gateway.support.EchoBackend;
import io.pomelo.gateway.support.GatewayInstance;
import io.pomelo.gateway.support.RedisServer;

/**
 * Not a test: measures, on a real Redis with two gateways A and B in this JVM,
 * <ol>
 * <li>change propagation A to B over N route creations made through A's admin API: from
 * the moment A acknowledged the write (HTTP 201) and from the moment the request was
 * sent, until B's live route table has the route;</li>
 * <li>route lookup cost with 1,000 dynamic routes: resolving a handshake path the way
 * Spring Cloud Gateway's handler mapping does (every route's predicate in order until one
 * matches), for the first route, the last one and a path that matches none (a 404).</li>
 * </ol>
 * Run with {@code bench/route-store-benchmark.sh}; prints a table.
 */
public final class RouteStoreBenchmark {

	private static final int CHANGES = Integer.getInteger("bench.changes", 200);

	private static final int ROUTES = Integer.getInteger("bench.routes", 1000);

	private RouteStoreBenchmark() {
	}

	public static void main(String[] args) throws Exception {
		try (RedisServer redis = RedisServer.startNew(); EchoBackend echo = EchoBackend.start()) {
			String[] store = { "pomelo.gateway.store.type=redis", "spring.data.redis.host=127.0.0.1",
					"spring.data.redis.port=" + redis.port(), "logging.level.root=WARN" };
			try (GatewayInstance a = GatewayInstance.start(store); GatewayInstance b = GatewayInstance.start(store)) {
				List<String> rows = new ArrayList<>();
				propagation(a, b, echo, rows);
				lookup(a, echo, rows);
				System.out.println();
				System.out.printf("%-58s %10s %10s %10s%n", "measurement", "p50", "p99", "max");
				rows.forEach(System.out::println);
				System.out.printf("%n(%d cores, Redis %s on loopback, both gateways in one JVM)%n",
						Runtime.getRuntime().availableProcessors(), "redis-server");
			}
		}
	}

	private static void propagation(GatewayInstance a, GatewayInstance b, EchoBackend echo, List<String> rows) {
		AdminClient admin = a.admin();
		RouteTable tableB = b.context().getBean(RouteTable.class);
		// Warm both JVM paths (admin API, store, event handling) before measuring.
		for (int i = 0; i < 20; i++) {
			create(admin, "warm-" + i, echo);
			String id = "warm-" + i;
			awaitRoute(tableB, id);
		}
		long[] fromAck = new long[CHANGES];
		long[] fromRequest = new long[CHANGES];
		for (int i = 0; i < CHANGES; i++) {
			String id = String.format(Locale.ROOT, "p%04d", i);
			long sent = System.nanoTime();
			create(admin, id, echo);
			long acknowledged = System.nanoTime();
			long seen = awaitRoute(tableB, id);
			fromAck[i] = seen - acknowledged;
			fromRequest[i] = seen - sent;
		}
		long[] baseline = new long[CHANGES];
		for (int i = 0; i < CHANGES; i++) {
			long sent = System.nanoTime();
			admin.get("/admin/routes/p0000");
			baseline[i] = System.nanoTime() - sent;
		}
		rows.add(row("propagation A->B, from A's 201 to B's table (N=" + CHANGES + ")", fromAck, 1e6, "ms"));
		rows.add(row("propagation A->B, from A's request to B's table (N=" + CHANGES + ")", fromRequest, 1e6, "ms"));
		// Basic auth verifies a BCrypt hash on every request: this is the floor of any
		// admin call.
		rows.add(row("baseline: one authenticated admin GET on A (N=" + CHANGES + ")", baseline, 1e6, "ms"));
	}

	private static void create(AdminClient admin, String id, EchoBackend echo) {
		AdminClient.Reply reply = admin.post("/admin/routes",
				"{\"id\":\"" + id + "\",\"prefix\":\"/" + id + "/\",\"targets\":[\"" + echo.uri() + "\"]}");
		if (reply.status() != 201) {
			throw new IllegalStateException("create " + id + " answered " + reply.status() + ": " + reply.body());
		}
	}

	/** Spins until B's live table holds the route; returns the time it was seen. */
	private static long awaitRoute(RouteTable table, String id) {
		long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
		while (table.current().get(id) == null) {
			if (System.nanoTime() > deadline) {
				throw new IllegalStateException("route " + id + " did not reach B within 10 s");
			}
			Thread.onSpinWait();
		}
		return System.nanoTime();
	}

	private static void lookup(GatewayInstance a, EchoBackend echo, List<String> rows) {
		RouteTable table = a.context().getBean(RouteTable.class);
		int missing = ROUTES - table.current().routes().size();
		List<DynamicRoute> more = new ArrayList<>();
		for (int i = 0; i < missing; i++) {
			String id = String.format(Locale.ROOT, "l%04d", i);
			more.add(new DynamicRoute(id, "/" + id + "/", List.of(echo.uri()), null, null, null, null, null, null, null,
					null));
		}
		a.context().getBean(RouteAdministration.class).importRoutes(more, false, "bench");
		RouteSnapshot snapshot = table.current();
		List<GatewayRoute> routes = snapshot.routes();
		RouteLocator locator = a.context().getBean(RouteLocator.class);
		String first = routes.get(0).prefix() + "?x=1";
		String last = routes.get(routes.size() - 1).prefix();
		String none = "/no-such-route/";
		for (String path : List.of(first, last, none)) {
			String label = path.equals(none) ? "miss (404)" : path.equals(first) ? "first route" : "last route";
			long[] perOp = sample(() -> lookup(locator, path), 100, 300);
			rows.add(
					row("lookup, " + routes.size() + " routes, Spring Cloud Gateway path, " + label, perOp, 1e3, "us"));
		}
		for (String path : List.of(first, last, none)) {
			String label = path.equals(none) ? "miss (404)" : path.equals(first) ? "first route" : "last route";
			String rawPath = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
			long[] perOp = sample(() -> scan(routes, rawPath), 1000, 300);
			rows.add(row("lookup, " + routes.size() + " routes, prefix scan only, " + label, perOp, 1e3, "us"));
		}
	}

	/**
	 * What RoutePredicateHandlerMapping.lookupRoute does: each route's predicate in
	 * order, first match wins.
	 */
	private static Route lookup(RouteLocator locator, String path) {
		ServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.get("http://gw" + path)
			.header("Upgrade", "websocket")
			.header("Connection", "Upgrade"));
		return locator.getRoutes()
			.concatMap((route) -> Mono.just(route).filterWhen((r) -> r.getPredicate().apply(exchange)))
			.next()
			.block();
	}

	private static GatewayRoute scan(List<GatewayRoute> routes, String path) {
		for (GatewayRoute route : routes) {
			if (route.resolve(path, null) != null) {
				return route;
			}
		}
		return null;
	}

	/**
	 * Nanoseconds per operation, one sample per batch of {@code batch} operations, after
	 * warming up.
	 */
	private static long[] sample(Supplier<?> operation, int batch, int samples) {
		Object sink = null;
		for (int i = 0; i < batch * 50; i++) {
			sink = operation.get();
		}
		long[] perOp = new long[samples];
		for (int s = 0; s < samples; s++) {
			long start = System.nanoTime();
			for (int i = 0; i < batch; i++) {
				sink = operation.get();
			}
			perOp[s] = (System.nanoTime() - start) / batch;
		}
		if (sink == new Object()) {
			System.out.println(sink);
		}
		return perOp;
	}

	private static String row(String label, long[] nanos, double unit, String unitName) {
		long[] sorted = nanos.clone();
		Arrays.sort(sorted);
		return String.format(Locale.ROOT, "%-58s %7.3f %-2s %7.3f %-2s %7.3f %-2s", label,
				percentile(sorted, 50) / unit, unitName, percentile(sorted, 99) / unit, unitName,
				sorted[sorted.length - 1] / unit, unitName);
	}

	private static long percentile(long[] sorted, int p) {
		int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
		return sorted[Math.max(0, Math.min(index, sorted.length - 1))];
	}

}
