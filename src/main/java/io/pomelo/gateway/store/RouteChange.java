package io.pomelo.gateway.store;

import io.pomelo.gateway.route.DynamicRoute;

/**
 * One change to the stored routes. A batch of changes is applied all or nothing.
 */
public sealed interface RouteChange {

	/** The id of the route it changes. */
	String id();

	/** Adds a route that must not exist yet. */
	record Create(DynamicRoute route) implements RouteChange {

		@Override
		public String id() {
			return this.route.id();
		}

	}

	/** Replaces a route whose version must still be {@code expectedVersion}. */
	record Update(DynamicRoute route, long expectedVersion) implements RouteChange {

		@Override
		public String id() {
			return this.route.id();
		}

	}

	/** Creates or replaces a route whatever its version (used by imports). */
	record Upsert(DynamicRoute route) implements RouteChange {

		@Override
		public String id() {
			return this.route.id();
		}

	}

	/** Removes a route whose version must still be {@code expectedVersion}. */
	record Delete(String id, long expectedVersion) implements RouteChange {
	}

}
