package io.pomelo.gateway.route;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;

import io.pomelo.gateway.config.RelayProperties;

/**
 * Checks and converts route definitions from the admin API and the store.
 */
public final class DynamicRoutes {

	private DynamicRoutes() {
	}

	/**
	 * Every syntactic problem of a definition, each naming its field.
	 */
	public static List<FieldProblem> validate(DynamicRoute route) {
		List<FieldProblem> errors = RouteValidator.errors();
		if (route == null) {
			errors.add(new FieldProblem("body", "must be a JSON route object"));
			return errors;
		}
		RouteValidator.checkId(route.id(), errors);
		RouteValidator.checkPrefix(route.prefix(), errors);
		if (route.portAddressed()) {
			if (route.targets() != null) {
				errors.add(new FieldProblem("targets", "must be absent on a port-addressed route (one with 'ports')"));
			}
			RouteValidator.checkPortBackend((route.scheme() != null) ? route.scheme() : "ws", route.host(),
					route.ports(), errors);
		}
		else {
			if (route.host() != null || route.scheme() != null) {
				errors.add(new FieldProblem((route.host() != null) ? "host" : "scheme",
						"only applies to a port-addressed route (one with 'ports')"));
			}
			RouteValidator.checkTargets(parseTargets(route.targets(), errors), errors);
		}
		RouteValidator.checkLimits(route.idleTimeout(), route.maxConnections(), route.maxFramePayload(), errors);
		return errors;
	}

	private static List<URI> parseTargets(List<String> targets, List<FieldProblem> errors) {
		if (targets == null) {
			return null;
		}
		List<URI> uris = new ArrayList<>();
		for (int i = 0; i < targets.size(); i++) {
			try {
				uris.add(new URI(targets.get(i)));
			}
			catch (URISyntaxException | NullPointerException ex) {
				errors.add(new FieldProblem("targets[" + i + "]", "is not a URI"));
				uris.add(null);
			}
		}
		return errors.isEmpty() ? uris : List.of();
	}

	/**
	 * The target URIs of a valid target route.
	 */
	public static List<URI> targets(DynamicRoute route) {
		return route.targets().stream().map(URI::create).toList();
	}

	/**
	 * Converts a valid definition, applying the relay defaults to unset options.
	 */
	public static GatewayRoute toRoute(DynamicRoute route, RelayProperties defaults, RouteSource source) {
		RouteLimits limits = RouteLimits.withDefaults(route.stripPrefix(), route.idleTimeout(), route.maxConnections(),
				route.maxFramePayload(), defaults);
		if (route.portAddressed()) {
			return GatewayRoute.toPorts(route.id(), route.prefix(), source, limits,
					(route.scheme() != null) ? route.scheme() : "ws", route.host(), PortAllowList.parse(route.ports()));
		}
		return GatewayRoute.toTargets(route.id(), route.prefix(), source, limits, targets(route));
	}

}
