package io.pomelo.gateway.route;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An immutable, versioned view of every route, most specific prefix first. It is swapped
 * whole, never edited, so a handshake always sees one consistent table.
 */
public final class RouteSnapshot {

	private static final Comparator<GatewayRoute> MOST_SPECIFIC_FIRST = Comparator
		.comparingInt((GatewayRoute route) -> route.prefix().length())
		.reversed()
		.thenComparing(GatewayRoute::prefix);

	private final long generation;

	private final List<GatewayRoute> routes;

	private final Map<String, GatewayRoute> byId;

	private RouteSnapshot(long generation, List<GatewayRoute> routes) {
		List<GatewayRoute> sorted = new ArrayList<>(routes);
		sorted.sort(MOST_SPECIFIC_FIRST);
		Map<String, GatewayRoute> byId = new LinkedHashMap<>();
		Map<String, String> byPrefix = new LinkedHashMap<>();
		for (GatewayRoute route : sorted) {
			if (byId.putIfAbsent(route.id(), route) != null) {
				throw new IllegalArgumentException("route id '" + route.id() + "' is used twice");
			}
			String other = byPrefix.putIfAbsent(route.prefix(), route.id());
			if (other != null) {
				throw new IllegalArgumentException(
						"routes '" + other + "' and '" + route.id() + "' both use prefix " + route.prefix());
			}
		}
		this.generation = generation;
		this.routes = List.copyOf(sorted);
		this.byId = Map.copyOf(byId);
	}

	/**
	 * Builds a snapshot.
	 * @throws IllegalArgumentException when two routes share an id or a prefix
	 */
	public static RouteSnapshot of(long generation, List<GatewayRoute> routes) {
		return new RouteSnapshot(generation, routes);
	}

	/** A counter that grows with every swap. */
	public long generation() {
		return this.generation;
	}

	/** Every route, most specific prefix first. */
	public List<GatewayRoute> routes() {
		return this.routes;
	}

	/** The route with this id, or {@code null}. */
	public GatewayRoute get(String id) {
		return this.byId.get(id);
	}

}
