package io.pomelo.gateway.relay;

/**
 * Told when sessions open and close; metrics implement it. Called on event loop threads,
 * so implementations must not block.
 */
public interface SessionListener {

	/** A session completed both handshakes and is relaying. */
	default void opened(RelaySession session) {
	}

	/** A session ended; {@link RelaySession#outcome()} says how. */
	default void closed(RelaySession session) {
	}

	/**
	 * A client's upgrade was refused before any session existed.
	 * @param routeId the route that matched
	 * @param reason a bounded reason tag from {@link HandshakeFailure}
	 */
	default void handshakeFailed(String routeId, String reason) {
	}

}
