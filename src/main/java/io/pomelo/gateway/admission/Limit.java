package io.pomelo.gateway.admission;

/**
 * Which limit refused a connection or an upgrade. The relay decides what the client sees
 * for each.
 */
public enum Limit {

	/** Connections still in TLS or the upgrade request, on the whole gateway. */
	PENDING_CONNECTIONS,

	/** Connections still in TLS or the upgrade request, from one client address. */
	ADDRESS_PENDING_CONNECTIONS,

	/** Sessions on the whole gateway. */
	GATEWAY_SESSIONS,

	/** Sessions on one route (its max-connections). */
	ROUTE_SESSIONS,

	/** Sessions from one client address. */
	ADDRESS_SESSIONS,

	/** Upgrades per second from one client address. */
	ADDRESS_HANDSHAKE_RATE

}
