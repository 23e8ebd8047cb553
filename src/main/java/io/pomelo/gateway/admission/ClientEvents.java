package io.pomelo.gateway.admission;

/**
 * Counts what clients cause before they have a session. Called on event loop threads:
 * implementations must be cheap and must not block.
 */
@FunctionalInterface
public interface ClientEvents {

	/** Counts nothing. */
	ClientEvents NONE = (event) -> {
	};

	/** One occurrence of the event. */
	void record(ClientEvent event);

}
