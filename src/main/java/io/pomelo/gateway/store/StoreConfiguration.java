package io.pomelo.gateway.store;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.pomelo.gateway.config.GatewayProperties;

/**
 * The route store named by {@code pomelo.gateway.store.type}.
 */
@Configuration(proxyBeanMethods = false)
class StoreConfiguration {

	@Bean
	@ConditionalOnProperty(name = "pomelo.gateway.store.type", havingValue = "file", matchIfMissing = true)
	RouteStore fileRouteStore(GatewayProperties properties) {
		return new FileRouteStore(properties.getStore().getFile());
	}

}
