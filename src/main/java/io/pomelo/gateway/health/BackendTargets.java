package io.pomelo.gateway.health;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

import io.pomelo.gateway.route.GatewayRoute;
import io.pomelo.gateway.route.PortAddressedRoute;
import io.pomelo.gateway.route.TargetRoute;

/**
 * The host and port pairs a route's handshakes can reach, as far as a health check should
 * look.
 */
final class BackendTargets {

	/**
	 * A port-addressed route with more ports than this is not probed: it would be a port
	 * scan.
	 */
	static final int MAX_PORTS_PROBED = 16;

	private BackendTargets() {
	}

	/**
	 * The targets of a route, or an empty list when it has too many ports to probe.
	 */
	static List<HostPort> of(GatewayRoute route) {
		if (route instanceof PortAddressedRoute byPort) {
			return ofPorts(byPort);
		}
		List<HostPort> targets = new ArrayList<>();
		// GatewayRoute is sealed: a route that is not port-addressed has targets.
		for (URI uri : ((TargetRoute) route).targets()) {
			int port = (uri.getPort() > 0) ? uri.getPort() : ("wss".equalsIgnoreCase(uri.getScheme()) ? 443 : 80);
			targets.add(new HostPort(uri.getHost(), port));
		}
		return targets;
	}

	private static List<HostPort> ofPorts(PortAddressedRoute route) {
		List<HostPort> targets = new ArrayList<>();
		for (String entry : route.ports().entries()) {
			int dash = entry.indexOf('-');
			int from = Integer.parseInt(((dash < 0) ? entry : entry.substring(0, dash)).trim());
			int to = (dash < 0) ? from : Integer.parseInt(entry.substring(dash + 1).trim());
			for (int port = from; port <= to; port++) {
				if (targets.size() == MAX_PORTS_PROBED) {
					return List.of();
				}
				targets.add(new HostPort(route.host(), port));
			}
		}
		return targets;
	}

	/**
	 * One TCP endpoint.
	 *
	 * @param host the host name or address, IPv6 without brackets
	 * @param port the TCP port
	 */
	record HostPort(String host, int port) {

		@Override
		public String toString() {
			return ((this.host.indexOf(':') >= 0) ? "[" + this.host + "]" : this.host) + ":" + this.port;
		}

	}

}
