package io.pomelo.gateway.discovery;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * Whether every Pomelo master answered its last poll. Informational, outside the
 * readiness group: a gateway that lost its master still serves the routes it last saw,
 * which is the point.
 */
final class DiscoveryHealthIndicator extends AbstractHealthIndicator {

	private final PomeloDiscovery discovery;

	DiscoveryHealthIndicator(PomeloDiscovery discovery) {
		this.discovery = discovery;
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) {
		boolean allReachable = true;
		Map<String, Object> masters = new LinkedHashMap<>();
		for (PomeloDiscovery.MasterStatus master : this.discovery.status()) {
			Map<String, Object> detail = new LinkedHashMap<>();
			detail.put("reachable", master.reachable());
			detail.put("servers", master.servers());
			detail.put("events", master.events());
			if (master.lastSuccess() != null) {
				detail.put("lastSuccess", master.lastSuccess().toString());
			}
			if (master.lastError() != null) {
				detail.put("error", master.lastError());
				allReachable = false;
			}
			masters.put(master.address(), detail);
		}
		(allReachable ? builder.up() : builder.down()).withDetail("masters", masters)
			.withDetail("routes", this.discovery.routes().size());
		if (!this.discovery.problems().isEmpty()) {
			builder.withDetail("leftOut", this.discovery.problems());
		}
	}

}
