package io.pomelo.gateway.route;

import java.time.Duration;

import io.pomelo.gateway.config.RelayProperties;

/**
 * The per-route options the relay enforces, with defaults already applied.
 *
 * @param stripPrefix whether the route prefix is removed from the backend path
 * @param idleTimeout time without frames after which the session is closed
 * @param maxConnections most live sessions on the route, 0 for no limit
 * @param maxFramePayload largest frame payload in bytes
 */
public record RouteLimits(boolean stripPrefix, Duration idleTimeout, int maxConnections, int maxFramePayload) {

	/**
	 * A route's own options, each falling back to the relay default when unset: the one
	 * place where defaults apply, for configured and dynamic routes alike.
	 */
	public static RouteLimits withDefaults(Boolean stripPrefix, Duration idleTimeout, Integer maxConnections,
			Long maxFramePayload, RelayProperties defaults) {
		return new RouteLimits((stripPrefix != null) ? stripPrefix : defaults.isStripPrefix(),
				(idleTimeout != null) ? idleTimeout : defaults.getIdleTimeout(),
				(maxConnections != null) ? maxConnections : defaults.getMaxConnections(),
				(int) ((maxFramePayload != null) ? maxFramePayload : defaults.getMaxFramePayload().toBytes()));
	}

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
