package io.pomelo.gateway.relay;

/**
 * Creates the {@link FrameObserver} of each new session. Beans of this type are picked up
 * by the relay.
 */
@FunctionalInterface
public interface FrameObserverFactory {

	/**
	 * The observer for a session that has just opened.
	 */
	FrameObserver open(RelaySession session);

}
