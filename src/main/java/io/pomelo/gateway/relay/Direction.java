package io.pomelo.gateway.relay;

/**
 * Which way bytes flow through a session. Metrics tag it, the observers are told it, and
 * each direction has its own frame tracker.
 */
public enum Direction {

	/** From the client to the backend. */
	UP("up"),

	/** From the backend to the client. */
	DOWN("down");

	private final String tag;

	Direction(String tag) {
		this.tag = tag;
	}

	/** The metric tag value. */
	public String tag() {
		return this.tag;
	}

}
