package io.pomelo.gateway.pomelo;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.MeterRegistry;

import io.pomelo.gateway.relay.FrameObserver;
import io.pomelo.gateway.relay.FrameObserverFactory;
import io.pomelo.gateway.relay.RelaySession;

/**
 * Gives every session a {@link PomeloObserver} that feeds the Pomelo meters of the session's route.
 */
final class PomeloObserverFactory implements FrameObserverFactory {

	private final MeterRegistry registry;

	private final PomeloRouteTags routeTags;

	private final int maxInFlight;

	private final Map<String, PomeloMeters> byRoute = new ConcurrentHashMap<>();

	PomeloObserverFactory(MeterRegistry registry, int maxRoutes, int maxInFlight) {
		this.registry = registry;
		this.routeTags = new PomeloRouteTags(maxRoutes);
		this.maxInFlight = maxInFlight;
	}

	@Override
	public FrameObserver open(RelaySession session) {
		return open(session.routeId());
	}

	/** An observer for a session of the given gateway route. */
	PomeloObserver open(String routeId) {
		PomeloMeters meters = this.byRoute.computeIfAbsent(routeId,
				(id) -> new PomeloMeters(this.registry, id, this.routeTags));
		return new PomeloObserver(meters, this.maxInFlight);
	}

	/** Distinct Pomelo routes tagged so far; for tests. */
	int routeTags() {
		return this.routeTags.size();
	}

}
