package io.pomelo.gateway.metrics;

import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import org.springframework.cloud.gateway.event.RefreshRoutesEvent;
import org.springframework.context.ApplicationListener;

import io.pomelo.gateway.relay.RelaySession;
import io.pomelo.gateway.relay.RelaySession.CloseOutcome;
import io.pomelo.gateway.relay.SessionListener;
import io.pomelo.gateway.relay.SessionRegistry;
import io.pomelo.gateway.route.GatewayRoute;
import io.pomelo.gateway.route.RouteTable;

/**
 * The connection meters of every route, fed by the session registry. A route's meters
 * appear when it enters the route table or first opens a session. Its active-connections
 * gauge goes when the route has left the table and its last session has closed, and comes
 * back with the route, so routes that come and go leave no stale gauge. Counters stay:
 * removing one would look like a reset to Prometheus.
 */
final class ConnectionMetrics implements SessionListener, ApplicationListener<RefreshRoutesEvent> {

	// Session lengths run from seconds (a gate lookup) to hours (a player's evening).
	private static final Duration[] DURATION_BUCKETS = { Duration.ofSeconds(1), Duration.ofSeconds(5),
			Duration.ofSeconds(30), Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofMinutes(15),
			Duration.ofMinutes(30), Duration.ofHours(1), Duration.ofHours(2), Duration.ofHours(4), Duration.ofHours(8),
			Duration.ofHours(24) };

	private final MeterRegistry meters;

	private final SessionRegistry sessions;

	private final RouteTable routes;

	private final Map<String, RouteMeters> byRoute = new ConcurrentHashMap<>();

	ConnectionMetrics(MeterRegistry meters, SessionRegistry sessions, RouteTable routes) {
		this.meters = meters;
		this.sessions = sessions;
		this.routes = routes;
		sync();
	}

	@Override
	public void opened(RelaySession session) {
		RouteMeters route = route(session.routeId());
		route.opened.increment();
		if (session.compressed()) {
			route.compressed.increment();
		}
		route.traffic.opened(session);
	}

	@Override
	public void closed(RelaySession session) {
		RouteMeters route = route(session.routeId());
		route.traffic.closed(session);
		route.duration.record(session.ageNanos(), TimeUnit.NANOSECONDS);
		CloseOutcome outcome = session.outcome();
		String side = (outcome != null) ? outcome.side().name().toLowerCase(java.util.Locale.ROOT) : "unknown";
		Counter.builder("pomelo.gateway.connections.closed")
			.description("Sessions closed, by close code and by the side that closed first (client, backend "
					+ "or gateway)")
			.tag("route", session.routeId())
			.tag("code", CloseCodeTags.of(outcome))
			.tag("side", side)
			.register(this.meters)
			.increment();
		if (this.routes.current().get(session.routeId()) == null) {
			sync();
		}
	}

	@Override
	public void handshakeFailed(String routeId, String reason) {
		Counter.builder("pomelo.gateway.handshake.failures")
			.description("Client upgrades answered with an HTTP status instead of 101, by reason: the value of "
					+ "the X-Pomelo-Gateway-Error header")
			.tag("route", routeId)
			.tag("reason", reason)
			.register(this.meters)
			.increment();
	}

	@Override
	public void onApplicationEvent(RefreshRoutesEvent event) {
		sync();
	}

	/**
	 * Gives every route in the table its meters and retires the gauge of every route that
	 * has left the table and has no live session.
	 */
	synchronized void sync() {
		Set<String> wanted = new HashSet<>();
		for (GatewayRoute route : this.routes.current().routes()) {
			wanted.add(route.id());
			route(route.id());
		}
		for (RouteMeters route : this.byRoute.values()) {
			if (!wanted.contains(route.id) && this.sessions.ofRoute(route.id).isEmpty()) {
				route.retireGauge(this.meters);
			}
		}
	}

	private RouteMeters route(String routeId) {
		RouteMeters route = this.byRoute.get(routeId);
		if (route == null) {
			route = this.byRoute.computeIfAbsent(routeId, (id) -> new RouteMeters(id, this.meters));
		}
		route.ensureGauge(this.meters, this.sessions);
		return route;
	}

	/**
	 * The meters of one route whose tags are known when the route is.
	 */
	private static final class RouteMeters {

		final String id;

		private Gauge active;

		final Counter opened;

		final Counter compressed;

		final Timer duration;

		final RouteTraffic traffic = new RouteTraffic();

		RouteMeters(String id, MeterRegistry meters) {
			this.id = id;
			this.opened = Counter.builder("pomelo.gateway.connections.opened")
				.description("Sessions opened: the backend and then the client completed their WebSocket handshakes")
				.tag("route", id)
				.register(meters);
			this.compressed = Counter.builder("pomelo.gateway.connections.compressed")
				.description("Sessions opened with permessage-deflate negotiated between client and backend")
				.tag("route", id)
				.register(meters);
			this.duration = Timer.builder("pomelo.gateway.session.duration")
				.description("How long sessions lasted, from both handshakes done to close")
				.tag("route", id)
				.serviceLevelObjectives(DURATION_BUCKETS)
				.register(meters);
			traffic(meters, "pomelo.gateway.frames", "Frames relayed", null, "up", RouteTraffic::framesUp);
			traffic(meters, "pomelo.gateway.frames", "Frames relayed", null, "down", RouteTraffic::framesDown);
			traffic(meters, "pomelo.gateway.bytes", "Payload bytes relayed", "bytes", "up", RouteTraffic::bytesUp);
			traffic(meters, "pomelo.gateway.bytes", "Payload bytes relayed", "bytes", "down", RouteTraffic::bytesDown);
		}

		synchronized void ensureGauge(MeterRegistry meters, SessionRegistry sessions) {
			if (this.active == null) {
				String id = this.id;
				this.active = Gauge.builder("pomelo.gateway.connections.active", sessions, (s) -> s.ofRoute(id).size())
					.description("Sessions relaying now: both handshakes done, not yet closed")
					.tag("route", id)
					.register(meters);
			}
		}

		synchronized void retireGauge(MeterRegistry meters) {
			if (this.active != null) {
				meters.remove(this.active);
				this.active = null;
			}
		}

		private void traffic(MeterRegistry meters, String name, String what, String unit, String direction,
				java.util.function.ToDoubleFunction<RouteTraffic> reader) {
			FunctionCounter.builder(name, this.traffic, reader)
				.description(what + ", by direction (up: client to backend, down: backend to client)")
				.baseUnit(unit)
				.tag("route", this.id)
				.tag("direction", direction)
				.register(meters);
		}

	}

}
