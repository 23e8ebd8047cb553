package io.pomelo.gateway.pomelo;

/**
 * The type carried in bits 1-3 of a Pomelo message's flag byte.
 */
public enum MessageType {

	/** Client to server, with an id and a route; answered by a {@link #RESPONSE}. */
	REQUEST(0, true, true),

	/** Client to server, with a route and no id; never answered. */
	NOTIFY(1, false, true),

	/** Server to client, with the id of the request it answers and no route. */
	RESPONSE(2, true, false),

	/** Server to client, with a route and no id. */
	PUSH(3, false, true);

	private static final MessageType[] BY_CODE = { REQUEST, NOTIFY, RESPONSE, PUSH };

	private final int code;

	private final boolean hasId;

	private final boolean hasRoute;

	MessageType(int code, boolean hasId, boolean hasRoute) {
		this.code = code;
		this.hasId = hasId;
		this.hasRoute = hasRoute;
	}

	/** The 3-bit code on the wire. */
	public int code() {
		return this.code;
	}

	/** Whether the message carries a varint id. */
	public boolean hasId() {
		return this.hasId;
	}

	/** Whether the message carries a route. */
	public boolean hasRoute() {
		return this.hasRoute;
	}

	/**
	 * The type for a 3-bit code, or {@code null} for 4-7, which Pomelo does not define.
	 */
	public static MessageType of(int code) {
		return (code >= 0 && code < BY_CODE.length) ? BY_CODE[code] : null;
	}

}
