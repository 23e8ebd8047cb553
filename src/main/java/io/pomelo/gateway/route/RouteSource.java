package io.pomelo.gateway.route;

/**
 * Where a route came from. Only routes from the store can be changed through the admin API; the others
 * are read-only there and change when their source does.
 */
public enum RouteSource {

	/** From {@code pomelo.gateway.routes} or {@code port-routes}; cannot be changed at run time. */
	CONFIG,

	/** From the route store; created, changed and deleted through the admin API. */
	DYNAMIC,

	/** From the Pomelo master's server list ({@code pomelo.gateway.discovery}); follows the cluster. */
	DISCOVERY

}
