package io.pomelo.gateway.relay;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One reserved connection slot on a route. Released exactly once, whichever way the handshake or
 * session ends.
 */
final class Admission {

	private final SessionRegistry registry;

	private final String routeId;

	private final AtomicBoolean released = new AtomicBoolean();

	Admission(SessionRegistry registry, String routeId) {
		this.registry = registry;
		this.routeId = routeId;
	}

	void release() {
		if (this.released.compareAndSet(false, true)) {
			this.registry.release(this.routeId);
		}
	}

}
