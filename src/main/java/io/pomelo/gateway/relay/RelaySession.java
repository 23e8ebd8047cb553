package io.pomelo.gateway.relay;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

import io.pomelo.gateway.admission.ClientAddress;

/**
 * One live relayed connection, as the registry, metrics and the admin API see it.
 * <p>
 * Each direction's counters have a single writer, the event loop of the channel the
 * frames arrive on, so plain volatile increments are safe and readers on other threads
 * see recent values.
 */
public final class RelaySession {

	// A field and a shared updater rather than an AtomicReference per session.
	private static final AtomicReferenceFieldUpdater<RelaySession, CloseOutcome> OUTCOME = AtomicReferenceFieldUpdater
		.newUpdater(RelaySession.class, CloseOutcome.class, "outcome");

	// The Sec-WebSocket-Extensions both peers agreed on, or null.
	private final String extensions;

	private final boolean compressed;

	private final String id;

	private final String routeId;

	// The address itself, which the client's connection holds anyway; its text is made
	// when asked, not kept by every idle session.
	private final ClientAddress clientAddress;

	// Made when asked (the sessions API, the access log): a parsed URI is about 400 B,
	// held by every idle session for nothing.
	private final Supplier<URI> backend;

	// Milliseconds since the epoch rather than an Instant: one object fewer per session.
	private final long openedAtMillis;

	private final long openedNanos;

	private volatile long framesUp;

	private volatile long bytesUp;

	private volatile long framesDown;

	private volatile long bytesDown;

	private volatile CloseOutcome outcome;

	private volatile BiConsumer<Integer, String> closer;

	private volatile Executor loop;

	private final long idleTimeoutNanos;

	// Written only by the idle sweeper's thread.
	private long sweptFrames = -1;

	private long quietSinceNanos;

	RelaySession(String id, String routeId, ClientAddress clientAddress, URI backend, Duration idleTimeout) {
		this(id, routeId, clientAddress, () -> backend, idleTimeout, null);
	}

	RelaySession(String id, String routeId, ClientAddress clientAddress, Supplier<URI> backend, Duration idleTimeout,
			String extensions) {
		this.extensions = Extensions.shared(extensions);
		this.compressed = Extensions.compresses(extensions);
		this.id = id;
		this.routeId = routeId;
		this.clientAddress = clientAddress;
		this.backend = backend;
		this.openedAtMillis = System.currentTimeMillis();
		this.openedNanos = System.nanoTime();
		this.idleTimeoutNanos = idleTimeout.toNanos();
	}

	/**
	 * Whether the session negotiated permessage-deflate, so that its messages may be
	 * compressed.
	 */
	public boolean compressed() {
		return this.compressed;
	}

	/**
	 * The {@code Sec-WebSocket-Extensions} the backend answered and the client got,
	 * parameters included, or {@code null} when none was negotiated.
	 */
	public String extensions() {
		return this.extensions;
	}

	public String id() {
		return this.id;
	}

	public String routeId() {
		return this.routeId;
	}

	/** The client's address as the gateway saw it, host and port. */
	public String clientAddress() {
		return this.clientAddress.toString();
	}

	/**
	 * The backend URI this session connected to; it never changes, whatever happens to
	 * the route.
	 */
	public URI backend() {
		return this.backend.get();
	}

	public Instant openedAt() {
		return Instant.ofEpochMilli(this.openedAtMillis);
	}

	/**
	 * The {@link System#nanoTime()} at opening: orders sessions finer than
	 * {@link #openedAt()}, which has milliseconds.
	 */
	public long openedNanos() {
		return this.openedNanos;
	}

	/** Nanoseconds since the session opened. */
	public long ageNanos() {
		return System.nanoTime() - this.openedNanos;
	}

	/** Frames from the client to the backend. */
	public long framesUp() {
		return this.framesUp;
	}

	/** Payload bytes from the client to the backend. */
	public long bytesUp() {
		return this.bytesUp;
	}

	/** Frames from the backend to the client. */
	public long framesDown() {
		return this.framesDown;
	}

	/** Payload bytes from the backend to the client. */
	public long bytesDown() {
		return this.bytesDown;
	}

	/**
	 * Adds what one read carried in one direction. Called once per read, not per frame,
	 * so the relay pays for these volatile writes once per batch.
	 */
	void count(Direction direction, long frames, long payloadBytes) {
		if (frames == 0 && payloadBytes == 0) {
			return;
		}
		if (direction == Direction.UP) {
			this.framesUp += frames;
			this.bytesUp += payloadBytes;
		}
		else {
			this.framesDown += frames;
			this.bytesDown += payloadBytes;
		}
	}

	/**
	 * Whether no frame has passed for the idle timeout, as seen by the sweeps. Called by
	 * one sweeper thread only; it compares frame and byte counts between sweeps, so the
	 * relay pays nothing per frame for idleness.
	 */
	boolean idleAt(long nowNanos) {
		long frames = this.framesUp + this.framesDown + this.bytesUp + this.bytesDown;
		if (frames != this.sweptFrames) {
			this.sweptFrames = frames;
			this.quietSinceNanos = nowNanos;
			return false;
		}
		return nowNanos - this.quietSinceNanos >= this.idleTimeoutNanos;
	}

	/**
	 * Binds how the gateway closes this session: {@code closer} must run on {@code loop},
	 * the event loop both of the session's sockets live on.
	 */
	void bindCloser(Executor loop, BiConsumer<Integer, String> closer) {
		this.loop = loop;
		this.closer = closer;
	}

	/**
	 * Records who ended the session and with which code; only the first call counts.
	 * @return whether this call was the first
	 */
	boolean recordClose(Side side, int code) {
		return OUTCOME.compareAndSet(this, null, new CloseOutcome(side, code));
	}

	/** How the session ended, or {@code null} while it is open. */
	public CloseOutcome outcome() {
		return this.outcome;
	}

	/**
	 * Closes both sides with the given code and reason, on the gateway's own account. May
	 * be called from any thread.
	 */
	public void close(int code, String reason) {
		Executor loop = this.loop;
		if (loop != null) {
			loop.execute(() -> closeOnLoop(code, reason));
		}
		else {
			recordClose(Side.GATEWAY, code);
		}
	}

	/**
	 * Closes many sessions with one task per event loop rather than one per session, so
	 * that a drain of thousands of sessions wakes each loop once and its writes go out
	 * together.
	 */
	static void closeAll(Collection<RelaySession> sessions, int code, String reason) {
		Map<Executor, List<RelaySession>> byLoop = new HashMap<>();
		for (RelaySession session : sessions) {
			Executor loop = session.loop;
			if (loop != null) {
				byLoop.computeIfAbsent(loop, (key) -> new ArrayList<>()).add(session);
			}
			else {
				session.recordClose(Side.GATEWAY, code);
			}
		}
		byLoop.forEach((loop, onLoop) -> loop.execute(() -> {
			for (RelaySession session : onLoop) {
				session.closeOnLoop(code, reason);
			}
		}));
	}

	private void closeOnLoop(int code, String reason) {
		recordClose(Side.GATEWAY, code);
		BiConsumer<Integer, String> closer = this.closer;
		if (closer != null) {
			closer.accept(code, reason);
		}
	}

	@Override
	public String toString() {
		return "RelaySession[" + this.id + " route=" + this.routeId + " client=" + this.clientAddress + " backend="
				+ backend() + " up=" + this.framesUp + "/" + this.bytesUp + " down=" + this.framesDown + "/"
				+ this.bytesDown + " outcome=" + this.outcome + "]";
	}

	/**
	 * Who ended a session, and with which code.
	 *
	 * @param side who closed first
	 * @param code the close code; 1006 when that side dropped without a close frame
	 */
	public record CloseOutcome(Side side, int code) {
	}

}
