package io.pomelo.gateway.metrics;

import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.pomelo.gateway.admission.AdmissionControl;
import io.pomelo.gateway.relay.SessionRegistry;
import io.pomelo.gateway.route.RouteTable;

/**
 * Registers the connection meters as a listener of the session registry, and the meters
 * of what clients cause before they have a session.
 */
@Configuration(proxyBeanMethods = false)
class MetricsConfiguration {

	@Bean
	ConnectionMetrics connectionMetrics(MeterRegistry meterRegistry, SessionRegistry sessionRegistry,
			RouteTable routeTable) {
		ConnectionMetrics metrics = new ConnectionMetrics(meterRegistry, sessionRegistry, routeTable);
		sessionRegistry.addListener(metrics);
		return metrics;
	}

	@Bean
	NettyMemoryMetrics nettyMemoryMetrics() {
		return new NettyMemoryMetrics();
	}

	@Bean
	ClientEventMetrics clientEventMetrics(MeterRegistry meterRegistry, AdmissionControl admissionControl) {
		return new ClientEventMetrics(meterRegistry, admissionControl);
	}

}
