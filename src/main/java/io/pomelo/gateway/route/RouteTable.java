package io.pomelo.gateway.route;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.springframework.cloud.gateway.event.RefreshRoutesEvent;
import org.springframework.context.ApplicationEventPublisher;

/**
 * Holds the live route snapshot. Static routes from configuration and dynamic routes from the store
 * are merged into one snapshot that is swapped atomically; live sessions keep the backend they
 * connected to, because a session never looks at the table again after its handshake.
 */
public class RouteTable {

	private final List<GatewayRoute> configRoutes;

	private final ApplicationEventPublisher events;

	private final AtomicReference<RouteSnapshot> current;

	private final Object writeLock = new Object();

	public RouteTable(List<GatewayRoute> configRoutes, ApplicationEventPublisher events) {
		this.configRoutes = List.copyOf(configRoutes);
		this.events = events;
		this.current = new AtomicReference<>(RouteSnapshot.of(0, this.configRoutes));
	}

	/** The snapshot in force now. */
	public RouteSnapshot current() {
		return this.current.get();
	}

	/** The routes from configuration, which never change at run time. */
	public List<GatewayRoute> configRoutes() {
		return this.configRoutes;
	}

	/**
	 * Replaces every dynamic route with the given ones and swaps the snapshot.
	 * @throws IllegalArgumentException when the result would have a duplicate id or prefix; the table
	 * is then left as it was
	 */
	public RouteSnapshot replaceDynamic(List<GatewayRoute> dynamicRoutes) {
		synchronized (this.writeLock) {
			List<GatewayRoute> all = new ArrayList<>(this.configRoutes);
			all.addAll(dynamicRoutes);
			RouteSnapshot next = RouteSnapshot.of(this.current.get().generation() + 1, all);
			this.current.set(next);
			this.events.publishEvent(new RefreshRoutesEvent(this));
			return next;
		}
	}

}
