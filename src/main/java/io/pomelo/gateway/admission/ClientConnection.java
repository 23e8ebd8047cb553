package io.pomelo.gateway.admission;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.netty.channel.Channel;
import io.netty.util.concurrent.ScheduledFuture;

/**
 * One client connection from accept until its upgrade request has arrived: who the client
 * is, the place it holds among connections still in their handshake, and the deadline of
 * the phase it is in (PROXY header and TLS, then the request). Used only on the
 * connection's event loop.
 */
public final class ClientConnection {

	private enum Phase {

		/** Waiting for the PROXY header (if any) and the TLS handshake (if any). */
		HANDSHAKE,

		/** Waiting for the upgrade request's headers. */
		REQUEST,

		/** The request arrived, or the connection was refused or closed. */
		SETTLED

	}

	private final Channel channel;

	private final AdmissionControl control;

	private final ClientEvents events;

	private final long tlsTimeoutNanos;

	private final long requestTimeoutNanos;

	private final boolean tls;

	private Phase phase = Phase.HANDSHAKE;

	private ClientAddress client;

	private boolean holdsPlace;

	private ScheduledFuture<?> deadline;

	private Runnable onRequestTimeout;

	/**
	 * The state of a connection just accepted.
	 * @param tls whether the port speaks TLS, so that the first phase is the TLS
	 * handshake
	 */
	public ClientConnection(Channel channel, AdmissionControl control, ClientEvents events, Duration tlsTimeout,
			Duration requestTimeout, boolean tls) {
		this.channel = channel;
		this.control = control;
		this.events = events;
		this.tlsTimeoutNanos = tlsTimeout.toNanos();
		this.requestTimeoutNanos = requestTimeout.toNanos();
		this.tls = tls;
	}

	/** The client, once known; {@code null} while a PROXY header is awaited. */
	public ClientAddress client() {
		return this.client;
	}

	/** Whether the data port speaks TLS on this connection. */
	public boolean tls() {
		return this.tls;
	}

	/**
	 * What runs when the upgrade request does not arrive in time: the relay answers 408.
	 */
	public void onRequestTimeout(Runnable action) {
		this.onRequestTimeout = action;
	}

	/** Starts the clock of the PROXY header and TLS handshake phase, at accept. */
	void accepted() {
		arm(this.tls ? this.tlsTimeoutNanos : this.requestTimeoutNanos);
		if (!this.tls) {
			this.phase = Phase.REQUEST;
		}
	}

	/**
	 * Admits the connection for its client, or closes it and counts why.
	 * @return whether it was admitted
	 */
	boolean admit(ClientAddress client) {
		this.client = client;
		Limit refused = this.control.admitConnection(client);
		if (refused != null) {
			this.events.record((refused == Limit.PENDING_CONNECTIONS) ? ClientEvent.REFUSED_PENDING
					: ClientEvent.REFUSED_ADDRESS_PENDING);
			refuse();
			return false;
		}
		this.holdsPlace = true;
		return true;
	}

	/** Closes the connection for a reason already counted. */
	void refuse() {
		this.phase = Phase.SETTLED;
		disarm();
		this.channel.close();
	}

	/** The TLS handshake finished: the request's clock starts. */
	public void tlsEstablished() {
		if (this.phase == Phase.HANDSHAKE) {
			this.phase = Phase.REQUEST;
			arm(this.requestTimeoutNanos);
		}
	}

	/**
	 * The upgrade request's headers arrived: no more deadline, and the place is given
	 * back.
	 */
	public void requestArrived() {
		settle();
	}

	/** Counts a client-caused failure and closes the connection. */
	public void failed(ClientEvent event) {
		if (this.phase != Phase.SETTLED) {
			this.events.record(event);
		}
		settle();
		this.channel.close();
	}

	/** The socket closed; a close before the request counts as an early close. */
	void closed() {
		if (this.phase != Phase.SETTLED) {
			this.events.record(ClientEvent.CLOSED_EARLY);
		}
		settle();
	}

	private void settle() {
		this.phase = Phase.SETTLED;
		disarm();
		// The action holds the upgrade handler and, through it, the whole handshake,
		// which a session would otherwise keep for its life.
		this.onRequestTimeout = null;
		if (this.holdsPlace) {
			this.holdsPlace = false;
			this.control.connectionSettled(this.client);
		}
	}

	private void arm(long nanos) {
		disarm();
		this.deadline = this.channel.eventLoop().schedule(this::expired, nanos, TimeUnit.NANOSECONDS);
	}

	private void disarm() {
		if (this.deadline != null) {
			this.deadline.cancel(false);
			this.deadline = null;
		}
	}

	private void expired() {
		this.deadline = null;
		if (this.phase == Phase.HANDSHAKE) {
			this.events.record(ClientEvent.TIMEOUT_TLS);
			settle();
			this.channel.close();
		}
		else if (this.phase == Phase.REQUEST) {
			this.events.record(ClientEvent.TIMEOUT_REQUEST);
			Runnable action = this.onRequestTimeout;
			settle();
			if (action != null) {
				action.run();
			}
			else {
				this.channel.close();
			}
		}
	}

}
