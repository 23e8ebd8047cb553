package io.pomelo.gateway.health;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

import io.pomelo.gateway.route.RouteSnapshot;
import io.pomelo.gateway.route.RouteTable;

/**
 * The route table, in the readiness group: a gateway without its routes would answer
 * every player with 404. Routes from configuration load before the context starts; a
 * route store that loads later must keep this DOWN until its first load.
 */
final class RoutesHealthIndicator extends AbstractHealthIndicator {

	private final RouteTable routes;

	RoutesHealthIndicator(RouteTable routes) {
		this.routes = routes;
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) {
		RouteSnapshot snapshot = this.routes.current();
		if (snapshot == null) {
			builder.down().withDetail("reason", "route table not loaded");
			return;
		}
		builder.up().withDetail("generation", snapshot.generation()).withDetail("routes", snapshot.routes().size());
	}

}
