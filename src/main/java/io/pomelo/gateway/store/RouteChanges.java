package io.pomelo.gateway.store;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Applies a batch of changes to a copy of the stored routes, checking each precondition.
 * Every store uses it, so they all agree on what a version conflict is.
 */
public final class RouteChanges {

	private RouteChanges() {
	}

	/**
	 * The routes after the batch; the input map is not modified.
	 * @throws StoreConflictException at the first precondition that fails
	 */
	public static Map<String, StoredRoute> apply(Map<String, StoredRoute> current, List<RouteChange> changes) {
		Map<String, StoredRoute> next = new LinkedHashMap<>(current);
		for (RouteChange change : changes) {
			StoredRoute existing = next.get(change.id());
			if (change instanceof RouteChange.Create create) {
				if (existing != null) {
					throw new StoreConflictException(StoreConflictException.Kind.EXISTS, change.id(),
							existing.version());
				}
				next.put(change.id(), new StoredRoute(create.route(), 1));
			}
			else if (change instanceof RouteChange.Update update) {
				check(existing, change.id(), update.expectedVersion());
				next.put(change.id(), new StoredRoute(update.route(), existing.version() + 1));
			}
			else if (change instanceof RouteChange.Upsert upsert) {
				next.put(change.id(), new StoredRoute(upsert.route(), (existing != null) ? existing.version() + 1 : 1));
			}
			else if (change instanceof RouteChange.Delete delete) {
				check(existing, change.id(), delete.expectedVersion());
				next.remove(change.id());
			}
		}
		return next;
	}

	private static void check(StoredRoute existing, String id, long expectedVersion) {
		if (existing == null) {
			throw new StoreConflictException(StoreConflictException.Kind.MISSING, id, 0);
		}
		if (existing.version() != expectedVersion) {
			throw new StoreConflictException(StoreConflictException.Kind.STALE, id, existing.version());
		}
	}

}
