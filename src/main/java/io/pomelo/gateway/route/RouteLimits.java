package io.pomelo.gateway.route;

import java.time.Duration;

/**
 * The per-route options the relay enforces, with defaults already applied.
 *
 * @param stripPrefix whether the route prefix is removed from the backend path
 * @param idleTimeout time without frames after which the session is closed
 * @param maxConnections most live sessions on the route, 0 for no limit
 * @param maxFramePayload largest frame payload in bytes
 */
public record RouteLimits(boolean stripPrefix, Duration idleTimeout, int maxConnections, int maxFramePayload) {

	public RouteLimits {
		if (idleTimeout == null || idleTimeout.isNegative() || idleTimeout.isZero()) {
			throw new IllegalArgumentException("idleTimeout must be strictly positive");
		}
		if (maxConnections < 0) {
			throw new IllegalArgumentException("maxConnections must be 0 (no limit) or positive");
		}
		if (maxFramePayload < 1) {
			throw new IllegalArgumentException("maxFramePayload must be strictly positive");
		}
	}

}
