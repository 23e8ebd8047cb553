package io.pomelo.gateway.admin;

import java.util.HashSet;
import java.util.Set;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

import io.pomelo.gateway.config.PomeloGatewayProperties;
import io.pomelo.gateway.relay.SessionRegistry;
import io.pomelo.gateway.route.RouteTable;
import io.pomelo.gateway.security.TargetPolicy;
import io.pomelo.gateway.store.RouteStore;

/**
 * The route administration in the application context, where the route table lives; the
 * admin controllers in the management context reach it from there.
 */
@Configuration(proxyBeanMethods = false)
class AdminConfiguration {

	@Bean
	TargetPolicy targetPolicy(PomeloGatewayProperties properties, Environment environment) {
		return new TargetPolicy(properties.getTargets(), () -> ownPorts(environment));
	}

	@Bean
	RouteAdministration routeAdministration(RouteTable table, RouteStore store, TargetPolicy policy,
			PomeloGatewayProperties properties, SessionRegistry sessions) {
		RouteAdministration administration = new RouteAdministration(table, store, policy, properties.getRelay(),
				sessions, properties.getAdmin().getDrainGrace());
		administration.reload();
		// Re-read under the administration's lock rather than take the map the event
		// carried (see reload()).
		store.onRemoteChange((routes) -> administration.reload());
		return administration;
	}

	private static Set<Integer> ownPorts(Environment environment) {
		Set<Integer> ports = new HashSet<>();
		for (String key : new String[] { "local.server.port", "local.management.port", "server.port",
				"management.server.port" }) {
			Integer port = environment.getProperty(key, Integer.class);
			if (port != null && port > 0) {
				ports.add(port);
			}
		}
		return ports;
	}

}
