package io.pomelo.gateway.relay;

import java.time.Duration;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.pomelo.gateway.config.GatewayProperties;

/**
 * The relay: the backend connector, the session registry and the filter that ties them together.
 */
@Configuration(proxyBeanMethods = false)
class RelayConfiguration {

	@Bean
	SessionRegistry sessionRegistry() {
		return new SessionRegistry();
	}

	@Bean
	BackendConnector backendConnector(GatewayProperties properties) {
		return new BackendConnector(properties.getRelay().getConnectTimeout(),
				properties.getRelay().getHandshakeTimeout());
	}

	@Bean
	IdleSweeper idleSweeper(SessionRegistry sessionRegistry, GatewayProperties properties) {
		return new IdleSweeper(sessionRegistry, properties.getRelay().getIdleSweepPeriod());
	}

	@Bean
	ShutdownDrain shutdownDrain(SessionRegistry sessionRegistry, ApplicationEventPublisher events,
			GatewayProperties properties) {
		return new ShutdownDrain(sessionRegistry, events, properties.getRelay().getDrainPeriod(), Duration.ofSeconds(5));
	}

	@Bean
	WebSocketRelayFilter webSocketRelayFilter(BackendConnector backendConnector, SessionRegistry sessionRegistry,
			ObjectProvider<FrameObserverFactory> observers, ShutdownDrain drain) {
		return new WebSocketRelayFilter(backendConnector, sessionRegistry, observers.orderedStream().toList(),
				drain::draining);
	}

}
