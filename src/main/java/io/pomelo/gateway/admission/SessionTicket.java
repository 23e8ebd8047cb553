package io.pomelo.gateway.admission;

import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * The places one session holds: one on the gateway, one on its route and one of its
 * client address. Whoever holds the ticket releases it exactly once, however the
 * handshake or the session ends; a second release does nothing.
 */
public final class SessionTicket implements AdmissionDecision {

	// A field and a shared updater rather than an AtomicBoolean: every open session holds
	// a ticket.
	private static final AtomicIntegerFieldUpdater<SessionTicket> RELEASED = AtomicIntegerFieldUpdater
		.newUpdater(SessionTicket.class, "released");

	private final AdmissionControl control;

	private final String routeId;

	private final String addressKey;

	private volatile int released;

	SessionTicket(AdmissionControl control, String routeId, String addressKey) {
		this.control = control;
		this.routeId = routeId;
		this.addressKey = addressKey;
	}

	/** Gives the places back. */
	public void release() {
		if (RELEASED.compareAndSet(this, 0, 1)) {
			this.control.releaseSession(this.routeId, this.addressKey);
		}
	}

}
