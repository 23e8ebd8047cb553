package io.pomelo.gateway.route;

/**
 * Where a route came from: configuration (read-only through the admin API) or the route store.
 */
public enum RouteSource {

	/** From {@code pomelo.gateway.routes} or {@code port-routes}; cannot be changed at run time. */
	CONFIG,

	/** From the route store; created, changed and deleted through the admin API. */
	DYNAMIC

}
