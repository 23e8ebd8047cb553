package io.pomelo.gateway.pomelo;

/**
 * Bytes that are not a well-formed Pomelo package or message.
 */
public class PomeloProtocolException extends RuntimeException {

	public PomeloProtocolException(String message) {
		super(message);
	}

}
