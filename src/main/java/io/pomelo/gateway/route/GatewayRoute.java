package io.pomelo.gateway.route;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One validated, immutable route: a path prefix and how a handshake under it finds its
 * backend.
 * <p>
 * A target route sends every handshake to one of its targets, round-robin. A
 * port-addressed route reads the backend port from the first path segment after the
 * prefix ({@code /ws/3051/}) and only matches when that port is allow-listed, so a port
 * outside the list is simply not found.
 */
public final class GatewayRoute {

	private final String id;

	private final String prefix;

	private final RouteSource source;

	private final RouteLimits limits;

	private final List<URI> targets;

	private final String portHost;

	private final String portScheme;

	private final PortAllowList ports;

	private final List<BackendEndpoint> endpoints;

	// Only ports that handshakes have used get an entry, so the map is bounded by the
	// allow-list.
	private final Map<Integer, BackendEndpoint> portEndpoints = new ConcurrentHashMap<>();

	private final AtomicInteger next = new AtomicInteger();

	private GatewayRoute(String id, String prefix, RouteSource source, RouteLimits limits, List<URI> targets,
			String portHost, String portScheme, PortAllowList ports) {
		this.id = id;
		this.prefix = prefix;
		this.source = source;
		this.limits = limits;
		this.targets = targets;
		this.portHost = portHost;
		this.portScheme = portScheme;
		this.ports = ports;
		this.endpoints = targets.stream().map(BackendEndpoint::of).toList();
	}

	/**
	 * A route to fixed targets. Arguments are expected to have passed
	 * {@link RouteValidator}.
	 */
	public static GatewayRoute toTargets(String id, String prefix, RouteSource source, RouteLimits limits,
			List<URI> targets) {
		return new GatewayRoute(id, prefix, source, limits, List.copyOf(targets), null, null, null);
	}

	/**
	 * A port-addressed route. Arguments are expected to have passed
	 * {@link RouteValidator}.
	 */
	public static GatewayRoute toPorts(String id, String prefix, RouteSource source, RouteLimits limits, String scheme,
			String host, PortAllowList ports) {
		return new GatewayRoute(id, prefix, source, limits, List.of(), host, scheme, ports);
	}

	public String id() {
		return this.id;
	}

	public String prefix() {
		return this.prefix;
	}

	public RouteSource source() {
		return this.source;
	}

	public RouteLimits limits() {
		return this.limits;
	}

	/** The fixed targets; empty for a port-addressed route. */
	public List<URI> targets() {
		return this.targets;
	}

	/** Whether the backend port comes from the path. */
	public boolean portAddressed() {
		return this.ports != null;
	}

	/** The allowed ports of a port-addressed route, or {@code null}. */
	public PortAllowList ports() {
		return this.ports;
	}

	/** The backend host of a port-addressed route, or {@code null}. */
	public String portHost() {
		return this.portHost;
	}

	/** The backend scheme of a port-addressed route, or {@code null}. */
	public String portScheme() {
		return this.portScheme;
	}

	/**
	 * Whether a request path is under this route's prefix; {@code /gate} is the same
	 * place as {@code /gate/}. Has no side effects.
	 */
	public boolean matches(String path) {
		if (path.startsWith(this.prefix)) {
			return true;
		}
		return path.length() == this.prefix.length() - 1 && this.prefix.startsWith(path);
	}

	/**
	 * Whether this route serves a path under its prefix: always for a target route; for a
	 * port-addressed route only when the path names an allow-listed port, so that any
	 * other port is simply not found. Has no side effects.
	 */
	public boolean accepts(String path) {
		if (this.ports == null) {
			return true;
		}
		String rest = (path.length() >= this.prefix.length()) ? path.substring(this.prefix.length()) : "";
		int slash = rest.indexOf('/');
		int port = parsePort((slash < 0) ? rest : rest.substring(0, slash));
		return port > 0 && this.ports.allows(port);
	}

	/**
	 * Chooses the backend of one handshake on a path this route {@link #matches} and
	 * {@link #accepts}: the next target, round-robin, or the port the path names on a
	 * port-addressed route.
	 * @param path the raw request path
	 * @param rawQuery the raw query string, or {@code null}
	 * @return the target, or {@code null} for a port that is not allow-listed
	 */
	public BackendTarget chooseTarget(String path, String rawQuery) {
		String rest = (path.length() >= this.prefix.length()) ? path.substring(this.prefix.length()) : "";
		BackendEndpoint endpoint;
		if (this.ports == null) {
			endpoint = this.endpoints.get(Math.floorMod(this.next.getAndIncrement(), this.endpoints.size()));
		}
		else {
			int slash = rest.indexOf('/');
			int port = parsePort((slash < 0) ? rest : rest.substring(0, slash));
			if (port < 0 || !this.ports.allows(port)) {
				return null;
			}
			endpoint = this.portEndpoints.computeIfAbsent(port,
					(p) -> BackendEndpoint.of(this.portScheme, this.portHost, p));
			rest = (slash < 0) ? "" : rest.substring(slash + 1);
		}
		String backendPath = this.limits.stripPrefix() ? "/" + rest : path;
		StringBuilder request = new StringBuilder(endpoint.basePath()).append(backendPath);
		if (rawQuery != null && !rawQuery.isEmpty()) {
			request.append('?').append(rawQuery);
		}
		return new BackendTarget(endpoint, request.toString());
	}

	/**
	 * {@link #matches}, {@link #accepts} and then {@link #chooseTarget}, or {@code null}
	 * when the path is not this route's.
	 */
	public BackendTarget resolve(String path, String rawQuery) {
		return (matches(path) && accepts(path)) ? chooseTarget(path, rawQuery) : null;
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
	public String toString() {
		return this.id + " " + this.prefix + " -> "
				+ (this.ports == null ? this.targets.toString()
						: this.portScheme + "://" + this.portHost + ":{" + this.ports + "}")
				+ (this.limits.stripPrefix() ? "" : " (prefix kept)");
	}

}
