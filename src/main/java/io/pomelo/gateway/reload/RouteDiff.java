package io.pomelo.gateway.reload;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import io.pomelo.gateway.route.GatewayRoute;
import io.pomelo.gateway.route.PortAddressedRoute;
import io.pomelo.gateway.route.TargetRoute;

/**
 * The difference between the config routes in force and those just read, by id. A route
 * that did not change keeps its instance in the next table, so its round-robin position
 * and per-port endpoints carry over and a reload that touched another route is invisible
 * to it.
 *
 * @param added ids that are new
 * @param changed ids whose prefix, targets or options differ
 * @param removed ids that are gone
 * @param next the routes for the table: the new ones, with unchanged instances kept
 */
record RouteDiff(List<String> added, List<String> changed, List<String> removed, List<GatewayRoute> next) {

	static RouteDiff between(List<GatewayRoute> current, List<GatewayRoute> read) {
		Map<String, GatewayRoute> before = new LinkedHashMap<>();
		current.forEach((route) -> before.put(route.id(), route));
		List<String> added = new ArrayList<>();
		List<String> changed = new ArrayList<>();
		List<GatewayRoute> next = new ArrayList<>();
		for (GatewayRoute route : read) {
			GatewayRoute old = before.remove(route.id());
			if (old == null) {
				added.add(route.id());
				next.add(route);
			}
			else if (!sameRoute(old, route)) {
				changed.add(route.id());
				next.add(route);
			}
			else {
				next.add(old);
			}
		}
		return new RouteDiff(List.copyOf(added), List.copyOf(changed), List.copyOf(before.keySet()), List.copyOf(next));
	}

	/** Whether nothing was added, changed or removed. */
	boolean isEmpty() {
		return this.added.isEmpty() && this.changed.isEmpty() && this.removed.isEmpty();
	}

	private static boolean sameRoute(GatewayRoute a, GatewayRoute b) {
		return a.prefix().equals(b.prefix()) && a.limits().equals(b.limits()) && sameBackends(a, b);
	}

	private static boolean sameBackends(GatewayRoute a, GatewayRoute b) {
		if (a instanceof TargetRoute x && b instanceof TargetRoute y) {
			return x.targets().equals(y.targets());
		}
		if (a instanceof PortAddressedRoute x && b instanceof PortAddressedRoute y) {
			// PortAllowList has no equals; its entries as written stand for it.
			return Objects.equals(x.scheme(), y.scheme()) && Objects.equals(x.host(), y.host())
					&& x.ports().toString().equals(y.ports().toString());
		}
		return false;
	}

}
