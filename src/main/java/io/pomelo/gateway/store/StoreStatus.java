package io.pomelo.gateway.store;

import java.util.Map;

/**
 * What a route store says about itself for health: whether it can be read and written
 * right now, and details an operator needs to tell why not.
 *
 * @param reachable whether the last attempt to reach the store succeeded
 * @param details extra health details, such as the time of the last successful sync
 */
public record StoreStatus(boolean reachable, Map<String, Object> details) {

	/** A store that is always reachable and has nothing more to say. */
	public static StoreStatus alwaysReachable() {
		return new StoreStatus(true, Map.of());
	}

}
