package io.pomelo.gateway.route;

/**
 * Where a route came from. Only routes from the store can be changed through the admin
 * API; the others are read-only there and change when their source does.
 */
public enum RouteSource {

	/**
	 * From {@code pomelo.gateway.routes} or {@code port-routes}; read-only through the
	 * admin API, changed by editing the configuration files, which are reloaded in place.
	 */
	CONFIG,

	/** From the route store; created, changed and deleted through the admin API. */
	DYNAMIC,

	/**
	 * From the Pomelo master's server list ({@code pomelo.gateway.discovery}); follows
	 * the cluster.
	 */
	DISCOVERY

}
