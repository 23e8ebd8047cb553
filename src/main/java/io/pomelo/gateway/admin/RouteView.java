package io.pomelo.gateway.admin;

import java.time.Duration;
import java.util.List;

import io.pomelo.gateway.route.DeletePolicy;
import io.pomelo.gateway.route.DynamicRoute;
import io.pomelo.gateway.route.GatewayRoute;
import io.pomelo.gateway.route.PortAddressedRoute;
import io.pomelo.gateway.route.TargetRoute;

/**
 * A route as the admin API shows it: its definition with defaults applied, where it came
 * from, its version and how many sessions it carries now.
 *
 * @param id route id
 * @param prefix path prefix
 * @param targets backend URIs of a target route
 * @param host backend host of a port-addressed route
 * @param scheme backend scheme of a port-addressed route
 * @param ports allowed ports of a port-addressed route
 * @param stripPrefix whether the prefix is removed from the backend path
 * @param idleTimeout idle timeout
 * @param maxConnections most live sessions, 0 for no limit
 * @param maxFramePayload largest frame payload in bytes
 * @param onDelete what deleting the route does to live sessions
 * @param source {@code config} (read-only) or {@code dynamic}
 * @param version the version to send back in If-Match; 0 for config routes
 * @param activeSessions live sessions on the route now
 */
public record RouteView(String id, String prefix, List<String> targets, String host, String scheme, List<String> ports,
		boolean stripPrefix, Duration idleTimeout, int maxConnections, long maxFramePayload, DeletePolicy onDelete,
		String source, long version, int activeSessions) {

	static RouteView of(GatewayRoute route, DynamicRoute definition, long version, int activeSessions) {
		List<String> targets = null;
		String host = null;
		String scheme = null;
		List<String> ports = null;
		if (route instanceof TargetRoute fixed) {
			targets = fixed.targets().stream().map(Object::toString).toList();
		}
		else if (route instanceof PortAddressedRoute byPort) {
			host = byPort.host();
			scheme = byPort.scheme();
			ports = byPort.ports().entries();
		}
		return new RouteView(route.id(), route.prefix(), targets, host, scheme, ports, route.limits().stripPrefix(),
				route.limits().idleTimeout(), route.limits().maxConnections(), route.limits().maxFramePayload(),
				(definition != null) ? definition.deletePolicy() : DeletePolicy.KEEP,
				route.source().name().toLowerCase(java.util.Locale.ROOT), version, activeSessions);
	}

}
