package io.pomelo.gateway.discovery;

import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.pomelo.gateway.config.DiscoveryProperties;
import io.pomelo.gateway.config.StaticRoute;
import io.pomelo.gateway.config.PomeloGatewayProperties;
import io.pomelo.gateway.route.ConfigRoutes;
import io.pomelo.gateway.route.RouteTable;
import io.pomelo.gateway.security.TargetPolicy;

/**
 * Discovery from Pomelo masters, on with
 * {@code pomelo.gateway.discovery.pomelo.enabled=true}.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = DiscoveryProperties.POMELO + ".enabled", havingValue = "true")
class DiscoveryConfiguration {

	@Bean(destroyMethod = "close")
	PomeloDiscovery pomeloDiscovery(PomeloGatewayProperties properties, RouteTable table,
			ObjectProvider<TargetPolicy> policy, MeterRegistry meterRegistry) {
		DiscoveryProperties.Pomelo pomelo = properties.getDiscovery().getPomelo();
		if (pomelo.getMasters().isEmpty()) {
			throw new IllegalStateException(DiscoveryProperties.POMELO + ".masters is empty: list the masters' "
					+ "host:port (the port of the app's master.json), or set pomelo.gateway.discovery.pomelo.enabled=false");
		}
		if (pomelo.getUsername() == null || pomelo.getUsername().isBlank()) {
			throw new IllegalStateException(DiscoveryProperties.POMELO + ".username is empty: name a user of the app's "
					+ "config/adminUser.json");
		}
		TargetPolicy targets = policy.getIfAvailable();
		DiscoveredRoutes routes = new DiscoveredRoutes(pomelo.getServerPrefix(), pomelo.getTypePrefix(),
				ConfigRoutes.limits(new StaticRoute(), properties.getRelay()),
				(target) -> (targets != null) ? targets.check(target) : null);
		PomeloDiscovery discovery = new PomeloDiscovery(pomelo, table, routes, new DiscoveryMeters(meterRegistry));
		discovery.start();
		return discovery;
	}

	@Bean
	DiscoveryHealthIndicator discoveryHealthIndicator(PomeloDiscovery discovery) {
		return new DiscoveryHealthIndicator(discovery);
	}

}
