package io.pomelo.gateway.admission;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The places one session holds: one on the gateway, one on its route and one of its
 * client address. Whoever holds the ticket releases it exactly once, however the
 * handshake or the session ends; a second release does nothing.
 */
public final class SessionTicket implements AdmissionDecision {

	private final AdmissionControl control;

	private final String routeId;

	private final String addressKey;

	private final AtomicBoolean released = new AtomicBoolean();

	SessionTicket(AdmissionControl control, String routeId, String addressKey) {
		this.control = control;
		this.routeId = routeId;
		this.addressKey = addressKey;
	}

	/** Gives the places back. */
	public void release() {
		if (this.released.compareAndSet(false, true)) {
			this.control.releaseSession(this.routeId, this.addressKey);
		}
	}

}
