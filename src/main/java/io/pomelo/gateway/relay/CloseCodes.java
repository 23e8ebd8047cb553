package io.pomelo.gateway.relay;

/**
 * The close codes the relay sends on its own account
 * (<a href="https://www.rfc-editor.org/rfc/rfc6455#section-7.4.1">RFC 6455 section
 * 7.4.1</a>).
 */
public final class CloseCodes {

	/**
	 * Normal closure; also used when an operator closes a session through the admin API.
	 */
	public static final int NORMAL = 1000;

	/**
	 * Going away: the other peer dropped, the session was idle too long, or the route was
	 * drained.
	 */
	public static final int GOING_AWAY = 1001;

	/** A frame broke the protocol: a reserved bit that no negotiated extension allows. */
	public static final int PROTOCOL_ERROR = 1002;

	/** A frame exceeded the route's maximum payload. */
	public static final int MESSAGE_TOO_BIG = 1009;

	/** The backend dropped its connection without a close frame. */
	public static final int BACKEND_LOST = 1011;

	/** Reserved: no status code was present; it must never be sent in a close frame. */
	public static final int NO_STATUS = 1005;

	/**
	 * Reserved: the connection dropped without a close frame; it must never be sent in a
	 * close frame.
	 */
	public static final int ABNORMAL = 1006;

	/** Reserved: TLS handshake failure; it must never be sent in a close frame. */
	public static final int TLS_FAILURE = 1015;

	private CloseCodes() {
	}

	/**
	 * Whether a code may travel in a close frame: 1000-1003, 1007-1014 and 3000-4999.
	 */
	public static boolean sendable(int code) {
		return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
	}

}
