package io.pomelo.gateway.health;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.boot.health.contributor.AbstractReactiveHealthIndicator;
import org.springframework.boot.health.contributor.Health;

import io.pomelo.gateway.health.BackendTargets.HostPort;
import io.pomelo.gateway.route.GatewayRoute;
import io.pomelo.gateway.route.RouteSnapshot;
import io.pomelo.gateway.route.RouteTable;

/**
 * Whether each route's backends accept a TCP connection. A route is UP when at least one
 * of its targets does. It is informational: it is not in the readiness group, because a
 * gateway whose backends are down should still answer clients with a clear 502 rather
 * than vanish from its Service.
 * <p>
 * The result is cached for {@code ttl} (and until the route table changes), so probes and
 * scrapes that poll health never fan out to every backend on each call; every endpoint is
 * probed once per refresh even when several routes share it.
 */
final class BackendsHealthIndicator extends AbstractReactiveHealthIndicator {

	private final RouteTable routes;

	private final Duration ttl;

	private final Duration connectTimeout;

	private volatile Cached cached;

	BackendsHealthIndicator(RouteTable routes, Duration ttl, Duration connectTimeout) {
		super("Backend reachability check failed");
		this.routes = routes;
		this.ttl = ttl;
		this.connectTimeout = connectTimeout;
	}

	@Override
	protected Mono<Health> doHealthCheck(Health.Builder builder) {
		RouteSnapshot snapshot = this.routes.current();
		long now = System.nanoTime();
		Cached cached = this.cached;
		if (cached == null || cached.generation != snapshot.generation()
				|| now - cached.startedNanos > this.ttl.toNanos()) {
			synchronized (this) {
				cached = this.cached;
				if (cached == null || cached.generation != snapshot.generation()
						|| now - cached.startedNanos > this.ttl.toNanos()) {
					cached = new Cached(snapshot.generation(), now, check(snapshot).cache());
					this.cached = cached;
				}
			}
		}
		return cached.health;
	}

	private Mono<Health> check(RouteSnapshot snapshot) {
		Set<HostPort> endpoints = new HashSet<>();
		for (GatewayRoute route : snapshot.routes()) {
			endpoints.addAll(BackendTargets.of(route));
		}
		return Flux.fromIterable(endpoints)
			.flatMap((endpoint) -> Mono.fromCallable(() -> probe(endpoint))
				.subscribeOn(Schedulers.boundedElastic())
				.map((error) -> Map.entry(endpoint, error)))
			.collectMap(Map.Entry::getKey, Map.Entry::getValue)
			.map((results) -> report(snapshot, results));
	}

	/**
	 * Connects and disconnects at once.
	 * @return "reachable", or why not
	 */
	private String probe(HostPort endpoint) {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(endpoint.host(), endpoint.port()),
					(int) this.connectTimeout.toMillis());
			return "reachable";
		}
		catch (IOException ex) {
			return "unreachable: " + ex.getMessage();
		}
	}

	private static Health report(RouteSnapshot snapshot, Map<HostPort, String> results) {
		boolean allUp = true;
		Health.Builder health = new Health.Builder();
		for (GatewayRoute route : snapshot.routes()) {
			List<HostPort> targets = BackendTargets.of(route);
			Map<String, Object> detail = new LinkedHashMap<>();
			if (targets.isEmpty()) {
				detail.put("status", "UNKNOWN");
				detail.put("reason", "more than " + BackendTargets.MAX_PORTS_PROBED + " ports; not probed");
			}
			else {
				Map<String, String> byTarget = new LinkedHashMap<>();
				boolean anyUp = false;
				for (HostPort target : targets) {
					String result = results.get(target);
					byTarget.put(target.toString(), result);
					anyUp |= "reachable".equals(result);
				}
				allUp &= anyUp;
				detail.put("status", anyUp ? "UP" : "DOWN");
				detail.put("targets", byTarget);
			}
			health.withDetail(route.id(), detail);
		}
		return (allUp ? health.up() : health.down()).build();
	}

	private record Cached(long generation, long startedNanos, Mono<Health> health) {
	}

}
