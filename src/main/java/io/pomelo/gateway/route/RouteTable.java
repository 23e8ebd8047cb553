package io.pomelo.gateway.route;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import org.springframework.cloud.gateway.event.RefreshRoutesEvent;
import org.springframework.context.ApplicationEventPublisher;

/**
 * Holds the live route snapshot. Each {@link RouteSource} (configuration, the route
 * store, discovery) owns its own list of routes and replaces it whole; the lists are
 * merged into one snapshot that is swapped atomically. Live sessions keep the backend
 * they connected to, because a session never looks at the table again after its
 * handshake.
 */
public class RouteTable {

	private final ApplicationEventPublisher events;

	private final AtomicReference<RouteSnapshot> current;

	// Guarded by writeLock; each list is immutable.
	private final Map<RouteSource, List<GatewayRoute>> bySource = new EnumMap<>(RouteSource.class);

	private final Object writeLock = new Object();

	public RouteTable(List<GatewayRoute> configRoutes, ApplicationEventPublisher events) {
		this.events = events;
		for (RouteSource source : RouteSource.values()) {
			this.bySource.put(source, List.of());
		}
		this.bySource.put(RouteSource.CONFIG, List.copyOf(configRoutes));
		this.current = new AtomicReference<>(RouteSnapshot.of(0, merged()));
	}

	/** The snapshot in force now. */
	public RouteSnapshot current() {
		return this.current.get();
	}

	/** The routes from configuration now. */
	public List<GatewayRoute> configRoutes() {
		return routesOf(RouteSource.CONFIG);
	}

	/** The routes one source holds now. */
	public List<GatewayRoute> routesOf(RouteSource source) {
		synchronized (this.writeLock) {
			return this.bySource.get(source);
		}
	}

	/**
	 * The routes of every source but this one: what a candidate list of that source must
	 * fit beside.
	 */
	public List<GatewayRoute> routesBeside(RouteSource source) {
		synchronized (this.writeLock) {
			List<GatewayRoute> others = new ArrayList<>();
			this.bySource.forEach((owner, routes) -> {
				if (owner != source) {
					others.addAll(routes);
				}
			});
			return others;
		}
	}

	/**
	 * Replaces every dynamic route with the given ones and swaps the snapshot.
	 * @throws IllegalArgumentException when the result would have a duplicate id or
	 * prefix; the table is then left as it was
	 */
	public RouteSnapshot replaceDynamic(List<GatewayRoute> dynamicRoutes) {
		return replace(RouteSource.DYNAMIC, dynamicRoutes);
	}

	/**
	 * Replaces every route of one source and swaps the snapshot.
	 * @throws IllegalArgumentException when the result would have a duplicate id or
	 * prefix; the table is then left as it was
	 */
	public RouteSnapshot replace(RouteSource source, List<? extends GatewayRoute> routes) {
		synchronized (this.writeLock) {
			List<GatewayRoute> before = this.bySource.get(source);
			this.bySource.put(source, List.copyOf(routes));
			RouteSnapshot next;
			try {
				next = RouteSnapshot.of(this.current.get().generation() + 1, merged());
			}
			catch (IllegalArgumentException ex) {
				this.bySource.put(source, before);
				throw ex;
			}
			this.current.set(next);
			this.events.publishEvent(new RefreshRoutesEvent(this));
			return next;
		}
	}

	private List<GatewayRoute> merged() {
		List<GatewayRoute> all = new ArrayList<>();
		this.bySource.values().forEach(all::addAll);
		return all;
	}

}
