package io.pomelo.gateway.relay;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import io.pomelo.gateway.admission.ClientAddress;

/**
 * Every live relayed connection. It is the single source of truth that metrics, the admin
 * API and draining read.
 */
public class SessionRegistry {

	private final Map<String, RelaySession> sessions = new ConcurrentHashMap<>();

	private final List<SessionListener> listeners = new CopyOnWriteArrayList<>();

	private final AtomicLong sequence = new AtomicLong();

	private final String instancePrefix = Long.toString(System.nanoTime() & 0xFFFFF, 36) + "-";

	/**
	 * Adds a listener for opened and closed sessions.
	 */
	public void addListener(SessionListener listener) {
		this.listeners.add(listener);
	}

	RelaySession open(String routeId, ClientAddress clientAddress, URI backend, Duration idleTimeout) {
		return open(routeId, clientAddress, () -> backend, idleTimeout, null);
	}

	/**
	 * Registers a session whose backend URI is made only when asked for.
	 */
	RelaySession open(String routeId, ClientAddress clientAddress, Supplier<URI> backend, Duration idleTimeout,
			String extensions) {
		RelaySession session = new RelaySession(
				this.instancePrefix + Long.toString(this.sequence.incrementAndGet(), 36), routeId, clientAddress,
				backend, idleTimeout, extensions);
		this.sessions.put(session.id(), session);
		for (SessionListener listener : this.listeners) {
			listener.opened(session);
		}
		return session;
	}

	void closed(RelaySession session) {
		if (this.sessions.remove(session.id()) != null) {
			for (SessionListener listener : this.listeners) {
				listener.closed(session);
			}
		}
	}

	void handshakeFailed(String routeId, String reason) {
		for (SessionListener listener : this.listeners) {
			listener.handshakeFailed(routeId, reason);
		}
	}

	/** The session with this id, or {@code null}. */
	public RelaySession get(String id) {
		return this.sessions.get(id);
	}

	/** Every live session. */
	public Collection<RelaySession> all() {
		return List.copyOf(this.sessions.values());
	}

	/** The live sessions of one route. */
	public List<RelaySession> ofRoute(String routeId) {
		List<RelaySession> result = new ArrayList<>();
		for (RelaySession session : this.sessions.values()) {
			if (session.routeId().equals(routeId)) {
				result.add(session);
			}
		}
		return result;
	}

	/** How many sessions are live now. */
	public int size() {
		return this.sessions.size();
	}

}
