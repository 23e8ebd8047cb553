package io.pomelo.gateway.config;

import java.util.Locale;

import io.netty.util.ResourceLeakDetector;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * Applies the two Netty settings that only exist as JVM system properties, read once when
 * Netty or Reactor Netty first loads their classes, which happens later, when the web
 * server starts:
 * <ul>
 * <li>{@code pomelo.gateway.relay.event-loops} becomes
 * {@code reactor.netty.ioWorkerCount}, one loop per available processor by default;</li>
 * <li>{@code pomelo.gateway.relay.leak-detection} becomes
 * {@code io.netty.leakDetection.level}, {@code disabled} by default: the relay holds no
 * buffer past the read that brought it, and the sampled detector's stack traces cost
 * about 3 % of the relay's CPU. Tests run with {@code paranoid}.</li>
 * </ul>
 * A system property that an operator set on the command line is left as it is.
 */
public class NettyEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

	static final String EVENT_LOOPS = "reactor.netty.ioWorkerCount";

	static final String LEAK_DETECTION = "io.netty.leakDetection.level";

	@Override
	public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
		if (System.getProperty(EVENT_LOOPS) == null) {
			Integer configured = environment.getProperty(PomeloGatewayProperties.PREFIX + ".relay.event-loops",
					Integer.class);
			int loops = (configured != null && configured > 0) ? configured
					: Runtime.getRuntime().availableProcessors();
			System.setProperty(EVENT_LOOPS, String.valueOf(loops));
		}
		if (System.getProperty(LEAK_DETECTION) == null) {
			// Bound as the enum, so that a misspelt level fails start-up instead of
			// meaning 'simple'.
			ResourceLeakDetector.Level level = Binder.get(environment)
				.bind(PomeloGatewayProperties.PREFIX + ".relay.leak-detection", ResourceLeakDetector.Level.class)
				.orElse(ResourceLeakDetector.Level.DISABLED);
			System.setProperty(LEAK_DETECTION, level.name().toLowerCase(Locale.ROOT));
		}
	}

	@Override
	public int getOrder() {
		// After config data has been loaded, so application.yml and the environment are
		// visible.
		return Ordered.LOWEST_PRECEDENCE;
	}

}
