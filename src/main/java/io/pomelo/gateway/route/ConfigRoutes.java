package io.pomelo.gateway.route;

import java.util.ArrayList;
import java.util.List;

import io.pomelo.gateway.config.PomeloGatewayProperties;
import io.pomelo.gateway.config.PortRoute;
import io.pomelo.gateway.config.RelayProperties;
import io.pomelo.gateway.config.RouteOptions;
import io.pomelo.gateway.config.StaticRoute;

/**
 * Builds the read-only routes from {@code pomelo.gateway.routes} and {@code port-routes}.
 * A broken route stops start-up with a message that names the property, because silently
 * serving fewer routes than configured would drop players; for the same reason a reload
 * of the configuration files that meets one is refused whole, with the same message.
 */
public final class ConfigRoutes {

	private ConfigRoutes() {
	}

	/**
	 * Validates and converts every configured route.
	 * @throws InvalidRoutesException naming each broken property
	 */
	public static List<GatewayRoute> from(PomeloGatewayProperties properties) {
		List<GatewayRoute> routes = new ArrayList<>();
		List<FieldProblem> problems = new ArrayList<>();
		RelayProperties defaults = properties.getRelay();
		for (int i = 0; i < properties.getRoutes().size(); i++) {
			StaticRoute route = properties.getRoutes().get(i);
			List<FieldProblem> errors = RouteValidator.errors();
			RouteValidator.checkId(route.getId(), errors);
			RouteValidator.checkPrefix(route.getPrefix(), errors);
			RouteValidator.checkTargets(route.getTargets(), errors);
			checkLimits(route, errors);
			if (report(PomeloGatewayProperties.PREFIX + ".routes[" + i + "]", errors, problems)) {
				routes.add(GatewayRoute.toTargets(route.getId(), route.getPrefix(), RouteSource.CONFIG,
						limits(route, defaults), route.getTargets()));
			}
		}
		for (int i = 0; i < properties.getPortRoutes().size(); i++) {
			PortRoute route = properties.getPortRoutes().get(i);
			List<FieldProblem> errors = RouteValidator.errors();
			RouteValidator.checkId(route.getId(), errors);
			RouteValidator.checkPrefix(route.getPrefix(), errors);
			RouteValidator.checkPortBackend(route.getScheme(), route.getHost(), route.getPorts(), errors);
			checkLimits(route, errors);
			if (report(PomeloGatewayProperties.PREFIX + ".port-routes[" + i + "]", errors, problems)) {
				routes.add(GatewayRoute.toPorts(route.getId(), route.getPrefix(), RouteSource.CONFIG,
						limits(route, defaults), route.getScheme(), route.getHost(),
						PortAllowList.parse(route.getPorts())));
			}
		}
		if (!problems.isEmpty()) {
			throw new InvalidRoutesException(
					"Invalid route configuration:\n  " + String.join("\n  ",
							problems.stream().map((problem) -> problem.field() + ": " + problem.message()).toList()),
					problems);
		}
		try {
			RouteSnapshot.of(0, routes);
		}
		catch (IllegalArgumentException ex) {
			InvalidRoutesException invalid = new InvalidRoutesException(
					"Invalid route configuration: " + ex.getMessage(),
					List.of(new FieldProblem(PomeloGatewayProperties.PREFIX + ".routes", ex.getMessage())));
			invalid.initCause(ex);
			throw invalid;
		}
		return routes;
	}

	/**
	 * Applies the relay defaults to a route's own options.
	 */
	public static RouteLimits limits(RouteOptions options, RelayProperties defaults) {
		return RouteLimits.withDefaults(options.getStripPrefix(), options.getIdleTimeout(), options.getMaxConnections(),
				(options.getMaxFramePayload() != null) ? options.getMaxFramePayload().toBytes() : null, defaults);
	}

	private static void checkLimits(RouteOptions options, List<FieldProblem> errors) {
		RouteValidator.checkLimits(options.getIdleTimeout(), options.getMaxConnections(),
				(options.getMaxFramePayload() != null) ? options.getMaxFramePayload().toBytes() : null, errors);
	}

	private static boolean report(String property, List<FieldProblem> errors, List<FieldProblem> problems) {
		errors
			.forEach((error) -> problems.add(new FieldProblem(property + "." + kebab(error.field()), error.message())));
		return errors.isEmpty();
	}

	/**
	 * Configured routes that do not validate: the message names every broken property, as
	 * start-up reports it, and {@link #problems()} holds them one by one, each under its
	 * full property name.
	 */
	public static final class InvalidRoutesException extends IllegalStateException {

		private final List<FieldProblem> problems;

		InvalidRoutesException(String message, List<FieldProblem> problems) {
			super(message);
			this.problems = List.copyOf(problems);
		}

		public List<FieldProblem> problems() {
			return this.problems;
		}

	}

	private static String kebab(String field) {
		return field.replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
	}

}
