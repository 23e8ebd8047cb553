package io.pomelo.gateway.route;

import java.net.URI;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One validated, immutable route: a path prefix and how a handshake under it finds its backend.
 * <p>
 * A target route sends every handshake to one of its targets, round-robin. A port-addressed route
 * reads the backend port from the first path segment after the prefix ({@code /ws/3051/}) and only
 * matches when that port is allow-listed, so a port outside the list is simply not found.
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
	}

	/**
	 * A route to fixed targets. Arguments are expected to have passed {@link RouteValidator}.
	 */
	public static GatewayRoute toTargets(String id, String prefix, RouteSource source, RouteLimits limits,
			List<URI> targets) {
		return new GatewayRoute(id, prefix, source, limits, List.copyOf(targets), null, null, null);
	}

	/**
	 * A port-addressed route. Arguments are expected to have passed {@link RouteValidator}.
	 */
	public static GatewayRoute toPorts(String id, String prefix, RouteSource source, RouteLimits limits,
			String scheme, String host, PortAllowList ports) {
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
	 * Picks the backend for a request path, or returns {@code null} when this route does not match it.
	 * @param path the raw request path
	 * @param rawQuery the raw query string, or {@code null}
	 */
	public BackendTarget resolve(String path, String rawQuery) {
		if (!matchesPrefix(path)) {
			return null;
		}
		String rest = (path.length() >= this.prefix.length()) ? path.substring(this.prefix.length()) : "";
		URI base;
		if (this.ports == null) {
			base = this.targets.get(Math.floorMod(this.next.getAndIncrement(), this.targets.size()));
		}
		else {
			int slash = rest.indexOf('/');
			String segment = (slash < 0) ? rest : rest.substring(0, slash);
			int port = parsePort(segment);
			if (port < 0 || !this.ports.allows(port)) {
				return null;
			}
			base = URI.create(this.portScheme + "://" + hostForUri(this.portHost) + ":" + port);
			rest = (slash < 0) ? "" : rest.substring(slash + 1);
		}
		String backendPath = this.limits.stripPrefix() ? "/" + rest : path;
		return new BackendTarget(base, join(base, backendPath, rawQuery));
	}

	private boolean matchesPrefix(String path) {
		if (path.startsWith(this.prefix)) {
			return true;
		}
		// '/gate' without the trailing slash is the same place as '/gate/'.
		return path.length() == this.prefix.length() - 1 && this.prefix.startsWith(path);
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

	private static String hostForUri(String host) {
		return (host.indexOf(':') >= 0 && !host.startsWith("[")) ? "[" + host + "]" : host;
	}

	private static URI join(URI base, String path, String rawQuery) {
		String basePath = base.getRawPath();
		StringBuilder uri = new StringBuilder(base.getScheme()).append("://").append(base.getRawAuthority());
		if (basePath != null && !basePath.isEmpty() && !"/".equals(basePath)) {
			uri.append(basePath.endsWith("/") ? basePath.substring(0, basePath.length() - 1) : basePath);
		}
		uri.append(path);
		if (rawQuery != null && !rawQuery.isEmpty()) {
			uri.append('?').append(rawQuery);
		}
		return URI.create(uri.toString());
	}

	@Override
	public String toString() {
		return this.id + " " + this.prefix + " -> "
				+ (this.ports == null ? this.targets.toString()
						: this.portScheme + "://" + this.portHost + ":{" + this.ports + "}")
				+ (this.limits.stripPrefix() ? "" : " (prefix kept)");
	}

}
