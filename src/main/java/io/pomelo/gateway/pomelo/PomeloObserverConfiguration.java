package io.pomelo.gateway.pomelo;

import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.pomelo.gateway.config.PomeloProperties;
import io.pomelo.gateway.config.PomeloGatewayProperties;

/**
 * The Pomelo observer, on unless {@code pomelo.gateway.pomelo.observe=false}. The relay
 * picks up the factory bean by type.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = PomeloGatewayProperties.PREFIX + ".pomelo.observe", matchIfMissing = true)
class PomeloObserverConfiguration {

	@Bean
	PomeloObserverFactory pomeloObserverFactory(MeterRegistry meterRegistry, PomeloGatewayProperties properties) {
		PomeloProperties pomelo = properties.getPomelo();
		return new PomeloObserverFactory(meterRegistry, pomelo.getMaxRoutes(), pomelo.getMaxInFlightRequests(),
				pomelo.isInflate() ? pomelo.getMaxInflatedMessage().toBytes() : 0);
	}

}
