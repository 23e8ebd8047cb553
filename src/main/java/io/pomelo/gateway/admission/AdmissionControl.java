package io.pomelo.gateway.admission;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.pomelo.gateway.config.Limits;

/**
 * Counts what clients hold and refuses what would go over a limit: connections still in
 * their handshake (checked at accept, before any TLS work), then sessions on the gateway,
 * on the route and per client address, and the handshake rate per address (checked on
 * each upgrade, before any backend connection).
 */
public final class AdmissionControl {

	// Each session holds two sockets; leave room for files, the control plane and backend
	// connects.
	private static final long RESERVED_FILE_DESCRIPTORS = 1024;

	private final int maxPending;

	private final int maxSessions;

	private final Limits.PerAddress perAddress;

	private final AtomicInteger pending = new AtomicInteger();

	private final AtomicInteger sessions = new AtomicInteger();

	private final Map<String, AtomicInteger> routeSessions = new ConcurrentHashMap<>();

	private final AddressTable addresses;

	public AdmissionControl(Limits limits) {
		this.maxPending = limits.getMaxPendingConnections();
		this.maxSessions = (limits.getMaxSessions() > 0) ? limits.getMaxSessions() : sessionsForFileLimit();
		this.perAddress = limits.getPerAddress();
		this.addresses = new AddressTable(this.perAddress.getTableSize(), this.perAddress.getHandshakeRate(),
				this.perAddress.getHandshakeBurst());
	}

	/**
	 * Most sessions the open-file limit of this process allows, or
	 * {@link Integer#MAX_VALUE} where the limit cannot be read.
	 */
	static int sessionsForFileLimit() {
		OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
		if (os instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
			long files = unix.getMaxFileDescriptorCount();
			return (int) Math.max(1, Math.min(Integer.MAX_VALUE, (files - RESERVED_FILE_DESCRIPTORS) / 2));
		}
		return Integer.MAX_VALUE;
	}

	/**
	 * Takes a place for a new connection until its upgrade request has arrived.
	 * @return {@code null} when admitted, and then {@link #connectionSettled} must follow
	 * exactly once; otherwise the limit that refused it
	 */
	public Limit admitConnection(ClientAddress client) {
		if (!tryIncrement(this.pending, this.maxPending)) {
			return Limit.PENDING_CONNECTIONS;
		}
		if (!this.addresses.tryAddPending(client.key(), this.perAddress.getMaxPending())) {
			this.pending.decrementAndGet();
			return Limit.ADDRESS_PENDING_CONNECTIONS;
		}
		return null;
	}

	/**
	 * Gives back the place {@link #admitConnection} took: the request arrived or the
	 * connection closed.
	 */
	public void connectionSettled(ClientAddress client) {
		this.pending.decrementAndGet();
		this.addresses.removePending(client.key());
	}

	/**
	 * Admits an upgrade that passed validation, before its backend connection is made.
	 * @param routeId the route that matched
	 * @param routeMaxSessions the route's max-connections, 0 for none
	 * @param client who asks
	 * @param nowNanos {@link System#nanoTime()}
	 */
	public AdmissionDecision admitSession(String routeId, int routeMaxSessions, ClientAddress client, long nowNanos) {
		long wait = this.addresses.takeToken(client.key(), nowNanos);
		if (wait > 0) {
			return new AdmissionDecision.Refusal(Limit.ADDRESS_HANDSHAKE_RATE, wait);
		}
		if (!tryIncrement(this.sessions, this.maxSessions)) {
			return new AdmissionDecision.Refusal(Limit.GATEWAY_SESSIONS, 0);
		}
		AtomicInteger route = this.routeSessions.computeIfAbsent(routeId, (id) -> new AtomicInteger());
		if (!tryIncrement(route, routeMaxSessions)) {
			this.sessions.decrementAndGet();
			return new AdmissionDecision.Refusal(Limit.ROUTE_SESSIONS, 0);
		}
		if (!this.addresses.tryAddSession(client.key(), this.perAddress.getMaxSessions())) {
			route.decrementAndGet();
			this.sessions.decrementAndGet();
			return new AdmissionDecision.Refusal(Limit.ADDRESS_SESSIONS, 0);
		}
		return new SessionTicket(this, routeId, client.key());
	}

	void releaseSession(String routeId, String addressKey) {
		this.sessions.decrementAndGet();
		AtomicInteger route = this.routeSessions.get(routeId);
		if (route != null) {
			route.decrementAndGet();
		}
		this.addresses.removeSession(addressKey);
	}

	private static boolean tryIncrement(AtomicInteger count, int max) {
		while (true) {
			int now = count.get();
			if (max > 0 && now >= max) {
				return false;
			}
			if (count.compareAndSet(now, now + 1)) {
				return true;
			}
		}
	}

	/** Sessions on a route, handshakes in progress included. */
	public int routeSessions(String routeId) {
		AtomicInteger count = this.routeSessions.get(routeId);
		return (count != null) ? count.get() : 0;
	}

	/** Sessions on the gateway, handshakes in progress included. */
	public int sessions() {
		return this.sessions.get();
	}

	/**
	 * The gateway's session limit in force (configured, or derived from the open-file
	 * limit).
	 */
	public int maxSessions() {
		return this.maxSessions;
	}

	/** Connections still in TLS or their upgrade request. */
	public int pendingConnections() {
		return this.pending.get();
	}

	/**
	 * Client addresses with a connection or session now; bounded by the connections
	 * themselves.
	 */
	public int liveAddresses() {
		return this.addresses.liveAddresses();
	}

	/** Client addresses whose handshake rate is remembered; bounded by the table size. */
	public long rememberedAddresses() {
		return this.addresses.rememberedAddresses();
	}

	/** Sessions of one client address now. */
	public int addressSessions(ClientAddress client) {
		return this.addresses.sessions(client.key());
	}

}
