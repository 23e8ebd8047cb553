package io.pomelo.gateway.store;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Where dynamic routes live. Every change is a batch applied all or nothing, with
 * per-route version checks, so a rejected request never leaves a partial table.
 */
public interface RouteStore {

	/** Every stored route by id. */
	Map<String, StoredRoute> load();

	/**
	 * Applies the changes atomically.
	 * @return every stored route after the change
	 * @throws StoreConflictException when a precondition fails; nothing is written then
	 * @throws StoreUnavailableException when the store cannot be reached or written
	 */
	Map<String, StoredRoute> apply(List<RouteChange> changes);

	/**
	 * Registers a callback for changes made elsewhere (another replica). Stores without
	 * other writers never call it. It is called on a store thread, never while the store
	 * holds its own lock; the map is the table as the store saw it then, so a listener
	 * that also writes should re-read {@link #load()} under its own lock to avoid
	 * installing an older table over a newer one.
	 */
	default void onRemoteChange(Consumer<Map<String, StoredRoute>> listener) {
	}

	/** A short name for health and logs: {@code file} or {@code redis}. */
	String kind();

	/** Where the store lives, for health and logs. */
	String location();

	/**
	 * Whether the store can be reached now, with details for the health endpoint; never
	 * blocks.
	 */
	default StoreStatus status() {
		return StoreStatus.alwaysReachable();
	}

}
