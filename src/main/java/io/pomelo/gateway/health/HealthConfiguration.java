package io.pomelo.gateway.health;

import java.time.Duration;

import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.pomelo.gateway.route.RouteTable;

/**
 * The gateway's health contributors: {@code routes} (in the readiness group, see
 * application.yml) and {@code backends} (informational, off with
 * {@code management.health.backends.enabled=false}).
 */
@Configuration(proxyBeanMethods = false)
class HealthConfiguration {

	// Often enough to be useful on a dashboard; rare enough that probing never loads a
	// backend.
	private static final Duration BACKENDS_TTL = Duration.ofSeconds(10);

	private static final Duration BACKENDS_CONNECT_TIMEOUT = Duration.ofSeconds(1);

	@Bean
	Readiness readiness(ApplicationEventPublisher events) {
		return new Readiness(events);
	}

	@Bean
	RoutesHealthIndicator routesHealthIndicator(RouteTable routeTable) {
		return new RoutesHealthIndicator(routeTable);
	}

	@Bean
	@ConditionalOnEnabledHealthIndicator("backends")
	BackendsHealthIndicator backendsHealthIndicator(RouteTable routeTable) {
		return new BackendsHealthIndicator(routeTable, BACKENDS_TTL, BACKENDS_CONNECT_TIMEOUT);
	}

}
