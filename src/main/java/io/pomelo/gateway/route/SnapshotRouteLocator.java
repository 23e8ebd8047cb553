package io.pomelo.gateway.route;

import java.net.URI;
import java.util.List;

import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.route.RouteLocator;
import reactor.core.publisher.Flux;

/**
 * Hands the route snapshot to Spring Cloud Gateway: each gateway route becomes one Spring
 * Cloud Gateway route with a prefix predicate and the gateway route itself in its
 * metadata, from which the {@link RouteIndex} serves handshakes. The predicate only
 * decides; choosing a target is a separate, explicit step of the handshake.
 */
public class SnapshotRouteLocator implements RouteLocator {

	/** Route metadata key holding the {@link GatewayRoute}. */
	public static final String ROUTE_METADATA = "pomelo.route";

	private final RouteTable table;

	public SnapshotRouteLocator(RouteTable table) {
		this.table = table;
	}

	@Override
	public Flux<Route> getRoutes() {
		List<GatewayRoute> routes = this.table.current().routes();
		return Flux.range(0, routes.size()).map((index) -> toRoute(routes.get(index), index));
	}

	private static Route toRoute(GatewayRoute route, int order) {
		// Spring Cloud Gateway requires a URI per route; handshakes take theirs from
		// chooseTarget, so this one only has to be representative. The cast is safe
		// because GatewayRoute is sealed to these two variants.
		URI uri = (route instanceof PortAddressedRoute byPort)
				? URI.create(byPort.scheme() + "://" + byPort.host() + ":1") : ((TargetRoute) route).targets().get(0);
		return Route.async()
			.id(route.id())
			.uri(uri)
			.order(order)
			.predicate((exchange) -> route.matches(exchange.getRequest().getURI().getRawPath()))
			.metadata("pomelo.prefix", route.prefix())
			.metadata(ROUTE_METADATA, route)
			.build();
	}

}
