package io.pomelo.gateway.config;

import io.netty.handler.ssl.OpenSsl;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

import io.pomelo.gateway.route.GatewayRoute;
import io.pomelo.gateway.route.RouteTable;

/**
 * Logs, once the gateway is ready, which port it serves, whether TLS is on, and every
 * route, so an operator can check the result of a configuration change at a glance.
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

	/**
	 * The transport Reactor Netty picks: io_uring, then epoll, then NIO. Looked up by
	 * name because the native transports are runtime dependencies only.
	 */
	static String transport() {
		String[][] candidates = { { "io_uring", "io.netty.channel.uring.IoUring" },
				{ "epoll", "io.netty.channel.epoll.Epoll" } };
		for (String[] candidate : candidates) {
			try {
				if (Boolean.TRUE.equals(Class.forName(candidate[1]).getMethod("isAvailable").invoke(null))) {
					return candidate[0];
				}
			}
			catch (ReflectiveOperationException | LinkageError ex) {
				// not on the class path, or not loadable on this platform
			}
		}
		return "NIO";
	}

	@Override
	public void onApplicationEvent(ApplicationReadyEvent event) {
		String port = this.environment.getProperty("local.server.port", this.environment.getProperty("server.port"));
		if (DataPlaneTlsEnvironmentPostProcessor.serverTlsConfigured(this.environment)) {
			logger.info("Data plane on port " + port + " with TLS (wss://), TLS engine: "
					+ (OpenSsl.isAvailable() ? OpenSsl.versionString() : "JDK"));
		}
		else {
			logger.warn("Data plane on port " + port + " WITHOUT TLS (ws:// only). WeChat mini-programs "
					+ "require wss:// with a valid certificate: set " + PomeloGatewayProperties.PREFIX
					+ ".tls.certificate and " + PomeloGatewayProperties.PREFIX + ".tls.private-key to your PEM files.");
		}
		logger.info("Network I/O: " + transport() + ", " + System.getProperty("reactor.netty.ioWorkerCount", "default")
				+ " event loop(s)");
		var all = this.routes.current().routes();
		if (all.isEmpty()) {
			logger.warn("No routes configured: every path answers 404. Add pomelo.gateway.routes.");
		}
		for (GatewayRoute route : all) {
			logger.info("Route " + route + " [" + route.source().name().toLowerCase() + "]");
		}
	}

}
