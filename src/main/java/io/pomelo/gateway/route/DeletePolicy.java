package io.pomelo.gateway.route;

/**
 * What happens to a route's live sessions when the route is deleted.
 */
public enum DeletePolicy {

	/**
	 * Live sessions stay on the backend they connected to until they end by themselves.
	 */
	KEEP,

	/** Live sessions get close 1001 "route deleted" after the drain grace period. */
	DRAIN

}
