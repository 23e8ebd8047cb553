package io.pomelo.gateway.discovery;

import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

import io.pomelo.gateway.route.FieldProblem;
import io.pomelo.gateway.route.GatewayRoute;
import io.pomelo.gateway.route.RouteLimits;
import io.pomelo.gateway.route.RouteSource;
import io.pomelo.gateway.route.RouteValidator;
import io.pomelo.gateway.route.TargetRoute;

/**
 * Turns the servers a master reported into routes: one per server (its own prefix, its
 * own target) and one per server type, balanced round-robin over that type's servers. A
 * server whose route would be invalid, refused by the target policy, or collide with a
 * route of another source is left out and reported, never allowed to take over someone
 * else's prefix.
 */
final class DiscoveredRoutes {

	private final String serverPrefix;

	private final String typePrefix;

	private final RouteLimits limits;

	// Why a target may not be routed to, or null; the same policy as for dynamic routes.
	private final Function<URI, String> targetPolicy;

	DiscoveredRoutes(String serverPrefix, String typePrefix, RouteLimits limits, Function<URI, String> targetPolicy) {
		this.serverPrefix = serverPrefix;
		this.typePrefix = typePrefix;
		this.limits = limits;
		this.targetPolicy = targetPolicy;
	}

	/** The routes, all to fixed targets, and what was left out. */
	record Result(List<TargetRoute> routes, List<String> problems) {
	}

	/**
	 * @param servers every discovered frontend server
	 * @param beside the routes of the other sources, which discovery must not collide
	 * with
	 */
	Result build(Collection<DiscoveredServer> servers, List<GatewayRoute> beside) {
		Set<String> takenIds = new HashSet<>();
		Set<String> takenPrefixes = new HashSet<>();
		for (GatewayRoute route : beside) {
			takenIds.add(route.id());
			takenPrefixes.add(route.prefix());
		}
		List<TargetRoute> routes = new ArrayList<>();
		List<String> problems = new ArrayList<>();
		Map<String, List<URI>> byType = new TreeMap<>();
		for (DiscoveredServer server : servers.stream().sorted((a, b) -> a.id().compareTo(b.id())).toList()) {
			URI target = URI.create("ws://" + hostForUri(server.host()) + ":" + server.clientPort());
			String refused = this.targetPolicy.apply(target);
			if (refused != null) {
				problems.add("server " + server.id() + ": " + refused);
				continue;
			}
			byType.computeIfAbsent(server.serverType(), (type) -> new ArrayList<>()).add(target);
			add("s-" + server.id(), expand(this.serverPrefix, server.id(), server.serverType()), List.of(target),
					"server " + server.id(), routes, problems, takenIds, takenPrefixes);
		}
		if (!this.typePrefix.isEmpty()) {
			byType.forEach((type, targets) -> add("t-" + type, expand(this.typePrefix, null, type), targets,
					"server type " + type, routes, problems, takenIds, takenPrefixes));
		}
		return new Result(routes, problems);
	}

	private void add(String rawId, String prefix, List<URI> targets, String what, List<TargetRoute> routes,
			List<String> problems, Set<String> takenIds, Set<String> takenPrefixes) {
		String id = rawId.toLowerCase(Locale.ROOT);
		List<FieldProblem> errors = RouteValidator.errors();
		RouteValidator.checkId(id, errors);
		RouteValidator.checkPrefix(prefix, errors);
		if (!errors.isEmpty()) {
			problems.add(what + ": route " + id + " " + prefix + " is invalid: " + errors);
		}
		else if (takenIds.contains(id) || takenPrefixes.contains(prefix)) {
			problems
				.add(what + ": route " + id + " " + prefix + " collides with a route from configuration or the store");
		}
		else {
			takenIds.add(id);
			takenPrefixes.add(prefix);
			routes.add(GatewayRoute.toTargets(id, prefix, RouteSource.DISCOVERY, this.limits, targets));
		}
	}

	private static String expand(String template, String serverId, String serverType) {
		String prefix = template.replace("{serverType}", serverType);
		return (serverId != null) ? prefix.replace("{serverId}", serverId) : prefix;
	}

	private static String hostForUri(String host) {
		return (host.indexOf(':') >= 0 && !host.startsWith("[")) ? "[" + host + "]" : host;
	}

}
