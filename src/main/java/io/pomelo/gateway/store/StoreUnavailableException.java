package io.pomelo.gateway.store;

/**
 * The store could not be read or written; the route table in memory is unchanged.
 */
public class StoreUnavailableException extends RuntimeException {

	public StoreUnavailableException(String message, Throwable cause) {
		super(message, cause);
	}

}
