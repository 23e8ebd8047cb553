package io.pomelo.gateway.route;

import java.net.URI;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A route whose backends are known up front: every handshake goes to the next of its
 * targets, round-robin. Each target's endpoint is worked out once here rather than per
 * handshake.
 */
public final class TargetRoute extends GatewayRoute {

	private final List<URI> targets;

	private final List<BackendEndpoint> endpoints;

	private final AtomicInteger next = new AtomicInteger();

	TargetRoute(String id, String prefix, RouteSource source, RouteLimits limits, List<URI> targets) {
		super(id, prefix, source, limits);
		this.targets = List.copyOf(targets);
		this.endpoints = this.targets.stream().map(BackendEndpoint::of).toList();
	}

	/** The targets as configured, never empty. */
	public List<URI> targets() {
		return this.targets;
	}

	/** Always: any path under the prefix goes to a target. */
	@Override
	public boolean accepts(String path) {
		return true;
	}

	/** The next target, round-robin. */
	@Override
	public BackendTarget chooseTarget(String path, String rawQuery) {
		BackendEndpoint endpoint = this.endpoints
			.get(Math.floorMod(this.next.getAndIncrement(), this.endpoints.size()));
		return target(endpoint, path, afterPrefix(path), rawQuery);
	}

	@Override
	String describeBackends() {
		return this.targets.toString();
	}

}
