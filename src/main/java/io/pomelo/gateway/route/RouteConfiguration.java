package io.pomelo.gateway.route;

import org.springframework.cloud.gateway.route.RouteLocator;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.pomelo.gateway.config.PomeloGatewayProperties;

/**
 * The route table and its bridge into Spring Cloud Gateway.
 */
@Configuration(proxyBeanMethods = false)
class RouteConfiguration {

	@Bean
	RouteTable routeTable(PomeloGatewayProperties properties, ApplicationEventPublisher events) {
		return new RouteTable(ConfigRoutes.from(properties), events);
	}

	@Bean
	SnapshotRouteLocator snapshotRouteLocator(RouteTable routeTable) {
		return new SnapshotRouteLocator(routeTable);
	}

	@Bean
	RouteIndex routeIndex(RouteLocator routeLocator) {
		return new RouteIndex(routeLocator);
	}

}
