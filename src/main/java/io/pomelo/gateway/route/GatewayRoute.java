package io.pomelo.gateway.route;

import java.net.URI;
import java.util.List;

/**
 * One validated, immutable route: a path prefix and how a handshake under it finds its
 * backend.
 * <p>
 * There are exactly two ways to find the backend, so the type is sealed: a
 * {@link TargetRoute} sends every handshake to one of its fixed targets, and a
 * {@link PortAddressedRoute} reads the backend port from the path. Each variant holds
 * only what its way needs, so no caller has to test a flag before trusting a field; code
 * that treats the two differently matches on the variant instead.
 */
public abstract sealed class GatewayRoute permits TargetRoute, PortAddressedRoute {

	private final String id;

	private final String prefix;

	private final RouteSource source;

	private final RouteLimits limits;

	GatewayRoute(String id, String prefix, RouteSource source, RouteLimits limits) {
		this.id = id;
		this.prefix = prefix;
		this.source = source;
		this.limits = limits;
	}

	/**
	 * A route to fixed targets. Arguments are expected to have passed
	 * {@link RouteValidator}.
	 */
	public static TargetRoute toTargets(String id, String prefix, RouteSource source, RouteLimits limits,
			List<URI> targets) {
		return new TargetRoute(id, prefix, source, limits, targets);
	}

	/**
	 * A port-addressed route. Arguments are expected to have passed
	 * {@link RouteValidator}.
	 */
	public static PortAddressedRoute toPorts(String id, String prefix, RouteSource source, RouteLimits limits,
			String scheme, String host, PortAllowList ports) {
		return new PortAddressedRoute(id, prefix, source, limits, scheme, host, ports);
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

	/**
	 * Whether a request path is under this route's prefix; {@code /gate} is the same
	 * place as {@code /gate/}. Has no side effects.
	 */
	public final boolean matches(String path) {
		if (path.startsWith(this.prefix)) {
			return true;
		}
		return path.length() == this.prefix.length() - 1 && this.prefix.startsWith(path);
	}

	/**
	 * Whether this route serves a path under its prefix. A variant may refuse some paths
	 * so that they are simply not found rather than routed somewhere wrong. Has no side
	 * effects.
	 */
	public abstract boolean accepts(String path);

	/**
	 * Chooses the backend of one handshake on a path this route {@link #matches} and
	 * {@link #accepts}.
	 * @param path the raw request path
	 * @param rawQuery the raw query string, or {@code null}
	 * @return the target, or {@code null} when the path names no backend of this route
	 */
	public abstract BackendTarget chooseTarget(String path, String rawQuery);

	/**
	 * {@link #matches}, {@link #accepts} and then {@link #chooseTarget}, or {@code null}
	 * when the path is not this route's.
	 */
	public final BackendTarget resolve(String path, String rawQuery) {
		return (matches(path) && accepts(path)) ? chooseTarget(path, rawQuery) : null;
	}

	/** The part of a matched path after the prefix; empty for the prefix itself. */
	final String afterPrefix(String path) {
		return (path.length() >= this.prefix.length()) ? path.substring(this.prefix.length()) : "";
	}

	/**
	 * The request to one endpoint, written the same way for both variants so that
	 * stripping the prefix and keeping the query cannot drift apart.
	 * @param rest what remains of the path once the prefix and whatever the variant read
	 * from it are gone
	 */
	final BackendTarget target(BackendEndpoint endpoint, String path, String rest, String rawQuery) {
		String backendPath = this.limits.stripPrefix() ? "/" + rest : path;
		StringBuilder request = new StringBuilder(endpoint.basePath()).append(backendPath);
		if (rawQuery != null && !rawQuery.isEmpty()) {
			request.append('?').append(rawQuery);
		}
		return new BackendTarget(endpoint, request.toString());
	}

	/** Where handshakes go, as the start-up report and logs show it. */
	abstract String describeBackends();

	@Override
	public String toString() {
		return this.id + " " + this.prefix + " -> " + describeBackends()
				+ (this.limits.stripPrefix() ? "" : " (prefix kept)");
	}

}
