package io.pomelo.gateway.route;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A route that reads the backend port from the first path segment after the prefix
 * ({@code /ws/3051/}), for Pomelo clusters whose connectors are told apart by port on one
 * host. It only accepts allow-listed ports, so a port outside the list is simply not
 * found instead of letting clients probe the backend host.
 */
public final class PortAddressedRoute extends GatewayRoute {

	private final String scheme;

	private final String host;

	private final PortAllowList ports;

	// Only ports that handshakes have used get an entry, so the map is bounded by the
	// allow-list.
	private final Map<Integer, BackendEndpoint> endpoints = new ConcurrentHashMap<>();

	PortAddressedRoute(String id, String prefix, RouteSource source, RouteLimits limits, String scheme, String host,
			PortAllowList ports) {
		super(id, prefix, source, limits);
		this.scheme = scheme;
		this.host = host;
		this.ports = ports;
	}

	/** The backend scheme, ws or wss. */
	public String scheme() {
		return this.scheme;
	}

	/** The backend host every port is on. */
	public String host() {
		return this.host;
	}

	/** The ports handshakes may name. */
	public PortAllowList ports() {
		return this.ports;
	}

	/** Only when the path names an allow-listed port. */
	@Override
	public boolean accepts(String path) {
		String rest = afterPrefix(path);
		int slash = rest.indexOf('/');
		int port = parsePort((slash < 0) ? rest : rest.substring(0, slash));
		return port > 0 && this.ports.allows(port);
	}

	/**
	 * The port the path names, with that segment taken off the backend path when the
	 * prefix is stripped; {@code null} for a port that is not allow-listed.
	 */
	@Override
	public BackendTarget chooseTarget(String path, String rawQuery) {
		String rest = afterPrefix(path);
		int slash = rest.indexOf('/');
		int port = parsePort((slash < 0) ? rest : rest.substring(0, slash));
		if (port < 0 || !this.ports.allows(port)) {
			return null;
		}
		BackendEndpoint endpoint = this.endpoints.computeIfAbsent(port,
				(p) -> BackendEndpoint.of(this.scheme, this.host, p));
		return target(endpoint, path, (slash < 0) ? "" : rest.substring(slash + 1), rawQuery);
	}

	private static int parsePort(String segment) {
		if (segment.isEmpty() || segment.length() > 5) {
			return -1;
		}
		int port = 0;
		for (int i = 0; i < segment.length(); i++) {
			char c = segment.charAt(i);
			if (c < '0' || c > '9') {
				return -1;
			}
			port = port * 10 + (c - '0');
		}
		return (port >= 1 && port <= 65535) ? port : -1;
	}

	@Override
	String describeBackends() {
		return this.scheme + "://" + this.host + ":{" + this.ports + "}";
	}

}
