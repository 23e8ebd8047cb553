package io.pomelo.gateway.store;

import io.pomelo.gateway.route.DynamicRoute;

/**
 * A route in the store with its version, which grows by one on every change and guards
 * optimistic concurrency (the admin API's ETag).
 *
 * @param route the definition
 * @param version the route's version, 1 when created
 */
public record StoredRoute(DynamicRoute route, long version) {
}
