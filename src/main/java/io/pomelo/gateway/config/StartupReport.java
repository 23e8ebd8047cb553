package io.pomelo.gateway.config;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

import io.pomelo.gateway.route.GatewayRoute;
import io.pomelo.gateway.route.RouteTable;

/**
 * Logs, once the gateway is ready, which port it serves, whether TLS is on, and every route, so an
 * operator can check the result of a configuration change at a glance.
 */
@Component
class StartupReport implements ApplicationListener<ApplicationReadyEvent> {

	private static final Log logger = LogFactory.getLog(StartupReport.class);

	private final RouteTable routes;

	private final Environment environment;

	StartupReport(RouteTable routes, Environment environment) {
		this.routes = routes;
		this.environment = environment;
	}

	@Override
	public void onApplicationEvent(ApplicationReadyEvent event) {
		String port = this.environment.getProperty("local.server.port", this.environment.getProperty("server.port"));
		boolean tls = this.environment.containsProperty("server.ssl.bundle")
				|| this.environment.containsProperty("server.ssl.certificate")
				|| this.environment.containsProperty("server.ssl.key-store");
		if (tls) {
			logger.info("Data plane on port " + port + " with TLS (wss://)");
		}
		else {
			logger.warn("Data plane on port " + port + " WITHOUT TLS (ws:// only). WeChat mini-programs "
					+ "require wss:// with a valid certificate: set pomelo.gateway.tls.certificate and "
					+ "pomelo.gateway.tls.private-key to your PEM files.");
		}
		var all = this.routes.current().routes();
		if (all.isEmpty()) {
			logger.warn("No routes configured: every path answers 404. Add pomelo.gateway.routes.");
		}
		for (GatewayRoute route : all) {
			logger.info("Route " + route + " [" + route.source().name().toLowerCase() + "]");
		}
	}

}
