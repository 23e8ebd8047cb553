package io.pomelo.gateway.config;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * Sizes Reactor Netty's event loops from {@code pomelo.gateway.relay.event-loops}, one per available
 * processor by default. Reactor Netty reads its loop count once, from the system property
 * {@code reactor.netty.ioWorkerCount}, when its loop resources are first created; that happens later,
 * when the web server starts, so setting the property here is early enough. An operator's own
 * {@code -Dreactor.netty.ioWorkerCount} is left as it is.
 */
public class EventLoopEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

	static final String REACTOR_PROPERTY = "reactor.netty.ioWorkerCount";

	@Override
	public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
		if (System.getProperty(REACTOR_PROPERTY) != null) {
			return;
		}
		Integer configured = environment.getProperty("pomelo.gateway.relay.event-loops", Integer.class);
		int loops = (configured != null && configured > 0) ? configured : Runtime.getRuntime().availableProcessors();
		System.setProperty(REACTOR_PROPERTY, String.valueOf(loops));
	}

	@Override
	public int getOrder() {
		// After config data has been loaded, so application.yml and the environment are visible.
		return Ordered.LOWEST_PRECEDENCE;
	}

}
