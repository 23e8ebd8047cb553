package io.pomelo.gateway.route;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.springframework.cloud.gateway.event.RefreshRoutesResultEvent;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.route.RouteLocator;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.context.ApplicationListener;

/**
 * Finds the route of a handshake by its path prefix in a few hash lookups, whatever the
 * number of routes, instead of testing every route's predicate in turn. It is rebuilt
 * from Spring Cloud Gateway's route locator whenever that refreshes, so routes stay
 * Spring Cloud Gateway routes: the index only skips the generic lookup the handshake does
 * not need.
 * <p>
 * Routes in the locator that are not the gateway's own (from
 * {@code spring.cloud.gateway.*}) are noted, so that a request no gateway route matches
 * can be handed to Spring Cloud Gateway instead of being refused.
 */
public final class RouteIndex implements ApplicationListener<RefreshRoutesResultEvent>, SmartInitializingSingleton {

	private final RouteLocator locator;

	private volatile Entries entries = new Entries(Map.of(), false);

	public RouteIndex(RouteLocator locator) {
		this.locator = locator;
	}

	/**
	 * The route with the longest prefix the path starts with that
	 * {@link GatewayRoute#accepts accepts} it, or {@code null}. The path {@code /gate}
	 * finds the route {@code /gate/}.
	 */
	public GatewayRoute find(String path) {
		Map<String, GatewayRoute> byPrefix = entries().byPrefix;
		if (path.isEmpty() || path.charAt(0) != '/') {
			return null;
		}
		if (path.charAt(path.length() - 1) != '/') {
			GatewayRoute exact = byPrefix.get(path + "/");
			if (exact != null && exact.accepts(path)) {
				return exact;
			}
		}
		for (int end = path.lastIndexOf('/'); end >= 0; end = path.lastIndexOf('/', end - 1)) {
			GatewayRoute route = byPrefix.get(path.substring(0, end + 1));
			if (route != null && route.accepts(path)) {
				return route;
			}
			if (end == 0) {
				break;
			}
		}
		return null;
	}

	/** Whether Spring Cloud Gateway holds routes other than the gateway's own. */
	public boolean hasForeignRoutes() {
		return entries().foreign;
	}

	@Override
	public void afterSingletonsInstantiated() {
		rebuild();
	}

	@Override
	public void onApplicationEvent(RefreshRoutesResultEvent event) {
		if (event.isSuccess()) {
			rebuild();
		}
	}

	// Subscribes rather than blocks: refreshes arrive on event loop threads, and the
	// caching locator
	// emits its routes synchronously anyway.
	private void rebuild() {
		this.locator.getRoutes().collectList().subscribe((routes) -> this.entries = build(routes));
	}

	private Entries entries() {
		return this.entries;
	}

	private static Entries build(List<Route> routes) {
		Map<String, GatewayRoute> byPrefix = new HashMap<>();
		boolean foreign = false;
		for (Route route : routes) {
			if (route.getMetadata().get(SnapshotRouteLocator.ROUTE_METADATA) instanceof GatewayRoute ours) {
				byPrefix.putIfAbsent(ours.prefix(), ours);
			}
			else {
				foreign = true;
			}
		}
		return new Entries(Map.copyOf(byPrefix), foreign);
	}

	private record Entries(Map<String, GatewayRoute> byPrefix, boolean foreign) {
	}

}
