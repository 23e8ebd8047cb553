package io.pomelo.gateway.relay;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.pomelo.gateway.admission.AdmissionControl;
import io.pomelo.gateway.admission.ClientAddressResolver;
import io.pomelo.gateway.admission.ClientEvents;
import io.pomelo.gateway.config.PomeloGatewayProperties;
import io.pomelo.gateway.config.SessionTicketKeys;
import io.pomelo.gateway.config.TlsProperties;
import io.pomelo.gateway.route.RouteIndex;
import io.pomelo.gateway.security.WeChatRefererPolicy;

/**
 * The relay: admission, the backend connector, the session registry, and the handlers
 * that the data port's server runs for every connection.
 */
@Configuration(proxyBeanMethods = false)
class RelayConfiguration {

	@Bean
	SessionRegistry sessionRegistry(PomeloGatewayProperties properties) {
		SessionRegistry registry = new SessionRegistry();
		if (properties.getAccessLog().isEnabled()) {
			registry.addListener(new AccessLog());
		}
		return registry;
	}

	@Bean
	AdmissionControl admissionControl(PomeloGatewayProperties properties) {
		return new AdmissionControl(properties.getLimits());
	}

	@Bean
	ClientAddressResolver clientAddressResolver(PomeloGatewayProperties properties) {
		return new ClientAddressResolver(properties.getClientAddress(),
				properties.getLimits().getPerAddress().getIpv6PrefixLength());
	}

	@Bean
	BackendConnector backendConnector(PomeloGatewayProperties properties) {
		return new BackendConnector(properties.getRelay().getConnectTimeout());
	}

	@Bean
	IdleSweeper idleSweeper(SessionRegistry sessionRegistry, PomeloGatewayProperties properties) {
		return new IdleSweeper(sessionRegistry, properties.getRelay().getIdleSweepPeriod());
	}

	@Bean
	ShutdownDrain shutdownDrain(SessionRegistry sessionRegistry, ApplicationEventPublisher events,
			PomeloGatewayProperties properties) {
		return new ShutdownDrain(sessionRegistry, events, properties.getRelay().getDrainPeriod(),
				properties.getRelay().getCloseGrace());
	}

	@Bean
	Relay relay(RouteIndex routeIndex, AdmissionControl admissionControl, ClientAddressResolver clientAddressResolver,
			BackendConnector backendConnector, SessionRegistry sessionRegistry,
			ObjectProvider<FrameObserverFactory> observers, ShutdownDrain drain, PomeloGatewayProperties properties,
			ObjectProvider<ClientEvents> clientEvents) {
		return new Relay(routeIndex, admissionControl, clientAddressResolver, backendConnector, sessionRegistry,
				observers.orderedStream().toList(), drain::draining, properties.getRelay().getHandshakeTimeout(),
				properties.getRelay().getCloseGrace(), properties.getLimits().getMaxHeaderCount(),
				properties.getRelay().getExtensions(), WeChatRefererPolicy.of(properties.getWechatReferer()),
				clientEvents.getIfAvailable(() -> ClientEvents.NONE));
	}

	/**
	 * Applies to the data port's server only: the management server of the child context
	 * does not see this customizer.
	 */
	@Bean
	WebServerFactoryCustomizer<NettyReactiveWebServerFactory> dataPortCustomizer(Relay relay,
			AdmissionControl admissionControl, ClientAddressResolver clientAddressResolver,
			ObjectProvider<ClientEvents> clientEvents, PomeloGatewayProperties properties,
			ObjectProvider<SessionTicketKeys> ticketKeys) {
		ClientEvents events = clientEvents.getIfAvailable(() -> ClientEvents.NONE);
		return (factory) -> factory.addServerCustomizers(new DataPortCustomizer(relay, admissionControl,
				clientAddressResolver, events, properties.getLimits(), ticketKeys.getIfAvailable()));
	}

	@Bean(destroyMethod = "close")
	@ConditionalOnProperty(PomeloGatewayProperties.PREFIX + ".tls.session-ticket-keys")
	SessionTicketKeys sessionTicketKeys(PomeloGatewayProperties properties) {
		TlsProperties tls = properties.getTls();
		return new SessionTicketKeys(tls.getSessionTicketKeys(), tls.getSessionTicketKeysCheckInterval());
	}

}
