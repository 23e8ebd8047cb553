package io.pomelo.gateway.admission;

/**
 * Something a client caused before it had a session, counted instead of logged: one
 * hostile client can cause any number of them. Each has a bounded metric name and tag.
 */
public enum ClientEvent {

	/** Closed at accept: too many connections still in their handshake on the gateway. */
	REFUSED_PENDING("pomelo.gateway.connections.refused", "reason", "pending_connections"),

	/**
	 * Closed at accept: too many connections still in their handshake from one address.
	 */
	REFUSED_ADDRESS_PENDING("pomelo.gateway.connections.refused", "reason", "address_pending_connections"),

	/**
	 * Closed at accept: a PROXY protocol header from a peer that is not a trusted proxy.
	 */
	REFUSED_UNTRUSTED_PROXY("pomelo.gateway.connections.refused", "reason", "untrusted_proxy"),

	/** Closed: the PROXY protocol header was missing or malformed. */
	REFUSED_BAD_PROXY_HEADER("pomelo.gateway.connections.refused", "reason", "bad_proxy_header"),

	/**
	 * The PROXY header and TLS handshake did not finish within the TLS handshake timeout.
	 */
	TIMEOUT_TLS("pomelo.gateway.client.timeouts", "phase", "tls_handshake"),

	/** The upgrade request's headers did not arrive within the request timeout. */
	TIMEOUT_REQUEST("pomelo.gateway.client.timeouts", "phase", "request"),

	/**
	 * The TLS handshake failed: an alert, a protocol or cipher the port does not offer,
	 * or not TLS at all.
	 */
	TLS_FAILED("pomelo.gateway.client.errors", "kind", "tls_handshake"),

	/**
	 * The connection was reset or failed with an I/O error before it became a session.
	 */
	RESET("pomelo.gateway.client.errors", "kind", "reset"),

	/** The client closed the connection before its upgrade request was complete. */
	CLOSED_EARLY("pomelo.gateway.client.errors", "kind", "closed_early");

	private final String meter;

	private final String tagKey;

	private final String tagValue;

	ClientEvent(String meter, String tagKey, String tagValue) {
		this.meter = meter;
		this.tagKey = tagKey;
		this.tagValue = tagValue;
	}

	public String meter() {
		return this.meter;
	}

	public String tagKey() {
		return this.tagKey;
	}

	public String tagValue() {
		return this.tagValue;
	}

}
