package io.pomelo.gateway.pomelo;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.MeterRegistry;

import io.pomelo.gateway.relay.Direction;
import io.pomelo.gateway.relay.FrameObserver;
import io.pomelo.gateway.relay.FrameObserverFactory;
import io.pomelo.gateway.relay.RelaySession;

/**
 * Gives every session a {@link PomeloObserver} that feeds the Pomelo meters of the
 * session's route.
 */
final class PomeloObserverFactory implements FrameObserverFactory {

	private final MeterRegistry registry;

	private final PomeloRouteTags routeTags;

	private final int maxInFlight;

	// Most bytes one compressed message may inflate to; 0 leaves compressed messages
	// opaque.
	private final long maxInflatedMessage;

	private final Map<String, PomeloMeters> byRoute = new ConcurrentHashMap<>();

	PomeloObserverFactory(MeterRegistry registry, int maxRoutes, int maxInFlight) {
		this(registry, maxRoutes, maxInFlight, 0);
	}

	/**
	 * @param maxInflatedMessage most bytes one compressed message may inflate to, or 0 to
	 * count compressed messages as opaque instead of inflating them
	 */
	PomeloObserverFactory(MeterRegistry registry, int maxRoutes, int maxInFlight, long maxInflatedMessage) {
		this.registry = registry;
		this.routeTags = new PomeloRouteTags(maxRoutes);
		this.maxInFlight = maxInFlight;
		this.maxInflatedMessage = maxInflatedMessage;
	}

	@Override
	public FrameObserver open(RelaySession session) {
		return open(session.routeId(), session.compressed() ? session.extensions() : null);
	}

	/** An observer for a session of the given gateway route, with no compression. */
	PomeloObserver open(String routeId) {
		return open(routeId, null);
	}

	/**
	 * An observer for a session of the given gateway route.
	 * @param deflate the negotiated permessage-deflate extension, or {@code null} when
	 * there is none
	 */
	PomeloObserver open(String routeId, String deflate) {
		PomeloMeters meters = meters(routeId);
		if (this.maxInflatedMessage <= 0 || deflate == null) {
			return new PomeloObserver(meters, this.maxInFlight);
		}
		return new PomeloObserver(meters, this.maxInFlight,
				MessageInflater.forDirection(deflate, Direction.UP, this.maxInflatedMessage),
				MessageInflater.forDirection(deflate, Direction.DOWN, this.maxInflatedMessage));
	}

	private PomeloMeters meters(String routeId) {
		return this.byRoute.computeIfAbsent(routeId, (id) -> new PomeloMeters(this.registry, id, this.routeTags));
	}

	/** Distinct Pomelo routes tagged so far; for tests. */
	int routeTags() {
		return this.routeTags.size();
	}

}
