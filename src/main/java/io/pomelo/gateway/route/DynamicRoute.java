package io.pomelo.gateway.route;

import java.time.Duration;
import java.util.List;

/**
 * A dynamic route as the admin API takes it and the route store keeps it. Optional fields
 * may be {@code null}, meaning "use the relay default". A route with {@code ports} is
 * port-addressed and uses {@code host} and {@code scheme}; otherwise it has
 * {@code targets}.
 *
 * @param id route id
 * @param prefix path prefix, such as {@code /conn2/}
 * @param targets backend URIs of a target route, as text so that a malformed one is
 * reported by field
 * @param host backend host of a port-addressed route
 * @param scheme backend scheme of a port-addressed route, ws (default) or wss
 * @param ports allowed ports of a port-addressed route, such as {@code ["3050-3059"]}
 * @param stripPrefix whether to remove the prefix from the backend path
 * @param idleTimeout idle timeout
 * @param maxConnections most live sessions, 0 for no limit
 * @param maxFramePayload largest frame payload in bytes
 * @param onDelete what deleting the route does to its live sessions; {@code KEEP} by
 * default
 */
public record DynamicRoute(String id, String prefix, List<String> targets, String host, String scheme,
		List<String> ports, Boolean stripPrefix, Duration idleTimeout, Integer maxConnections, Long maxFramePayload,
		DeletePolicy onDelete) {

	/** Whether this is a port-addressed route. */
	public boolean portAddressed() {
		return this.ports != null;
	}

	/** The delete policy, {@code KEEP} when unset. */
	public DeletePolicy deletePolicy() {
		return (this.onDelete != null) ? this.onDelete : DeletePolicy.KEEP;
	}

	/** The same definition with another id. */
	public DynamicRoute withId(String newId) {
		return new DynamicRoute(newId, this.prefix, this.targets, this.host, this.scheme, this.ports, this.stripPrefix,
				this.idleTimeout, this.maxConnections, this.maxFramePayload, this.onDelete);
	}

}
