package io.pomelo.gateway.reload;

import java.time.Clock;

import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.ConfigurableEnvironment;

import io.pomelo.gateway.config.PomeloGatewayProperties;
import io.pomelo.gateway.route.RouteTable;

/**
 * The reloader, its meters and health, and the watch unless
 * {@code pomelo.gateway.config-reload.watch} is false. The reloader exists either way,
 * for the admin API's explicit trigger.
 */
@Configuration(proxyBeanMethods = false)
class ConfigReloadConfiguration {

	@Bean
	ConfigReloader configReloader(ConfigurableEnvironment environment, RouteTable routeTable,
			PomeloGatewayProperties properties, MeterRegistry meterRegistry) {
		ConfigReloader reloader = new ConfigReloader(new ConfigFiles(environment), routeTable, properties.getRelay(),
				environment, Clock.systemUTC());
		reloader.onOutcome(new ReloadMeters(meterRegistry, reloader));
		return reloader;
	}

	@Bean
	ConfigHealthIndicator configHealthIndicator(ConfigReloader configReloader, PomeloGatewayProperties properties) {
		return new ConfigHealthIndicator(configReloader, properties.getConfigReload().isWatch());
	}

	@Bean
	@ConditionalOnBooleanProperty(name = PomeloGatewayProperties.PREFIX + ".config-reload.watch", matchIfMissing = true)
	ConfigFileWatcher configFileWatcher(ConfigReloader configReloader, PomeloGatewayProperties properties) {
		return new ConfigFileWatcher(configReloader.directories(), properties.getConfigReload().getQuietPeriod(),
				configReloader::reloadIfChanged);
	}

}
