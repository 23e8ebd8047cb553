package io.pomelo.gateway.store;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The {@code store} health contributor: the kind and location of the route store and, for
 * a shared store, whether it is reachable. An unreachable store is DOWN, but it only
 * affects the overall health and is deliberately kept out of the readiness group: the
 * gateway keeps serving the last table it read, so taking replicas out of the load
 * balancer would turn a control-plane outage into a data-plane one. It reads only what
 * the store remembers, so a health check never waits on the network.
 */
public class StoreHealthIndicator implements HealthIndicator {

	private final RouteStore store;

	public StoreHealthIndicator(RouteStore store) {
		this.store = store;
	}

	@Override
	public Health health() {
		StoreStatus status = this.store.status();
		Health.Builder health = status.reachable() ? Health.up() : Health.down();
		return health.withDetail("kind", this.store.kind())
			.withDetail("location", this.store.location())
			.withDetails(status.details())
			.build();
	}

}
