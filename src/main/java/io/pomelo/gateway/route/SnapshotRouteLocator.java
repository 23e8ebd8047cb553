package io.pomelo.gateway.route;

import java.net.URI;
import java.util.List;

import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.route.RouteLocator;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;

/**
 * Hands the route snapshot to Spring Cloud Gateway's route lookup. Each gateway route becomes one
 * Spring Cloud Gateway route whose predicate resolves the backend and leaves it on the exchange for
 * the relay, so the lookup and the target choice happen exactly once per handshake.
 */
public class SnapshotRouteLocator implements RouteLocator {

	/** Exchange attribute holding the {@link GatewayRoute} that matched. */
	public static final String ROUTE_ATTR = SnapshotRouteLocator.class.getName() + ".route";

	/** Exchange attribute holding the {@link BackendTarget} chosen for the handshake. */
	public static final String TARGET_ATTR = SnapshotRouteLocator.class.getName() + ".target";

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
		URI uri = route.portAddressed() ? URI.create(route.portScheme() + "://" + route.portHost() + ":1")
				: route.targets().get(0);
		return Route.async()
			.id(route.id())
			.uri(uri)
			.order(order)
			.predicate((exchange) -> matches(route, exchange))
			.metadata("pomelo.prefix", route.prefix())
			.build();
	}

	private static boolean matches(GatewayRoute route, ServerWebExchange exchange) {
		URI uri = exchange.getRequest().getURI();
		BackendTarget target = route.resolve(uri.getRawPath(), uri.getRawQuery());
		if (target == null) {
			return false;
		}
		exchange.getAttributes().put(ROUTE_ATTR, route);
		exchange.getAttributes().put(TARGET_ATTR, target);
		return true;
	}

}
