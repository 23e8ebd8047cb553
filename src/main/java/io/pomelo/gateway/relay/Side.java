package io.pomelo.gateway.relay;

/**
 * Which party ended a session.
 */
public enum Side {

	/** The player's client sent a close frame or dropped the connection. */
	CLIENT,

	/** The Pomelo server sent a close frame or dropped the connection. */
	BACKEND,

	/**
	 * The gateway itself: idle timeout, drain, an admin request or a frame over the
	 * limit.
	 */
	GATEWAY

}
