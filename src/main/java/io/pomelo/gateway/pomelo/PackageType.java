package io.pomelo.gateway.pomelo;

/**
 * The type byte of a Pomelo package.
 */
public enum PackageType {

	/** Handshake; the body is JSON. */
	HANDSHAKE(1),

	/** Handshake acknowledgement from the client; empty body. */
	HANDSHAKE_ACK(2),

	/** Heartbeat, answered one for one; empty body. */
	HEARTBEAT(3),

	/** A message: request, notify, response or push. */
	DATA(4),

	/**
	 * The server kicks the client; the body is JSON such as {@code {"reason":"kick"}}.
	 */
	KICK(5);

	private static final PackageType[] BY_CODE = { null, HANDSHAKE, HANDSHAKE_ACK, HEARTBEAT, DATA, KICK };

	private final int code;

	PackageType(int code) {
		this.code = code;
	}

	/** The byte on the wire. */
	public int code() {
		return this.code;
	}

	/**
	 * The type for a wire byte, or {@code null} when the byte is not a Pomelo package
	 * type.
	 */
	public static PackageType of(int code) {
		return (code > 0 && code < BY_CODE.length) ? BY_CODE[code] : null;
	}

}
