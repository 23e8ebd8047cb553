package io.pomelo.gateway.relay;

/**
 * Why a client's upgrade got an HTTP answer instead of 101: the status the client sees
 * and the bounded tag that {@code pomelo.gateway.handshake.failures} counts it under.
 */
public enum RefusalReason {

	/**
	 * A malformed request or WebSocket upgrade (RFC 6455 4.2.1): bad key, missing Host, a
	 * body.
	 */
	BAD_REQUEST(400, "bad_request"),

	/** An upgrade that is not a GET. */
	METHOD_NOT_ALLOWED(405, "method_not_allowed"),

	/** The headers did not arrive within the request timeout. */
	REQUEST_TIMEOUT(408, "request_timeout"),

	/** The request line is longer than the decoder accepts. */
	URI_TOO_LONG(414, "uri_too_long"),

	/**
	 * The headers are larger than server.max-http-request-header-size, or more than
	 * max-header-count.
	 */
	HEADERS_TOO_LARGE(431, "headers_too_large"),

	/** A plain HTTP request on a WebSocket route. */
	NOT_WEBSOCKET(426, "not_websocket"),

	/** A WebSocket version other than 13. */
	UNSUPPORTED_VERSION(426, "unsupported_version"),

	/** No route has the path's prefix, or a port route does not allow the port. */
	NO_ROUTE(404, "no_route"),

	/** The route's policy refused the client (for example its WeChat appid). */
	FORBIDDEN(403, "forbidden"),

	/** The client address made more upgrades per second than its rate allows. */
	RATE_LIMITED(429, "rate_limited"),

	/** The client address holds as many sessions as it may. */
	ADDRESS_SESSIONS(429, "address_sessions"),

	/** The gateway holds as many sessions as it may. */
	GATEWAY_FULL(503, "gateway_full"),

	/** The route holds as many sessions as its max-connections. */
	OVER_LIMIT(503, "over_limit"),

	/** The gateway is draining for shutdown. */
	SHUTTING_DOWN(503, "shutting_down"),

	/**
	 * The backend could not be reached: refused, unroutable, or no TCP connection in
	 * time.
	 */
	BACKEND_UNREACHABLE(502, "backend_unreachable"),

	/** The backend answered the upgrade with something other than a valid 101. */
	BACKEND_REFUSED(502, "backend_refused"),

	/** The backend accepted TCP but did not finish its handshake in time. */
	TIMEOUT(504, "timeout"),

	/**
	 * The client went away while its backend handshake ran; nothing is sent (nginx logs
	 * this as 499).
	 */
	CLIENT_GONE(499, "client_gone");

	private final int status;

	private final String tag;

	RefusalReason(int status, String tag) {
		this.status = status;
		this.tag = tag;
	}

	/** The HTTP status the client gets by default. */
	public int status() {
		return this.status;
	}

	/** The metric tag and the X-Pomelo-Gateway-Error header value. */
	public String tag() {
		return this.tag;
	}

}
