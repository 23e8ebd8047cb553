package io.pomelo.gateway.reload;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.pomelo.gateway.config.PomeloGatewayProperties;
import io.pomelo.gateway.route.RouteTable;
import io.pomelo.gateway.support.ConfigMapDirectory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The wiring of the reload (the watch is on by default and can be switched off; the
 * reloader, its health and meters exist either way), and the watch over a directory
 * swapped the way kubelet swaps one.
 */
class ConfigReloadConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withUserConfiguration(Infrastructure.class, ConfigReloadConfiguration.class);

	@Test
	void runByDefaultWatchesAndCreatesTheReloaderHealthAndMeters() {
		this.runner.run((context) -> {
			assertThat(context).hasSingleBean(ConfigReloader.class)
				.hasSingleBean(ConfigHealthIndicator.class)
				.hasSingleBean(ConfigFileWatcher.class);
			assertThat(context.getBean(MeterRegistry.class).find("pomelo.gateway.config.reloads").counters())
				.hasSize(3);
			assertThat(context.getBean(MeterRegistry.class).find("pomelo.gateway.config.last.success").gauge())
				.isNotNull();
		});
	}

	@Test
	void runWhenWatchDisabledShouldNotCreateTheWatcherButKeepTheTrigger() {
		this.runner.withPropertyValues("pomelo.gateway.config-reload.watch=false").run((context) -> {
			assertThat(context).doesNotHaveBean(ConfigFileWatcher.class).hasSingleBean(ConfigReloader.class);
			assertThat(context.getBean(ConfigHealthIndicator.class).health().getDetails()).containsEntry("watch",
					false);
		});
	}

	@Test
	void aKubeletSwapOfDotDataIsSeenInTheMountDirectory(@TempDir Path temp) {
		ConfigMapDirectory directory = ConfigMapDirectory.create(temp, "application.yml", "a: 1\n");
		AtomicInteger calls = new AtomicInteger();
		ConfigFileWatcher watcher = new ConfigFileWatcher(Set.of(temp), Duration.ofMillis(50), calls::incrementAndGet);
		watcher.start();
		try {
			directory.update("a: 2\n");
			await().atMost(Duration.ofSeconds(10)).until(() -> calls.get() >= 1);
			directory.update("a: 3\n");
			await().atMost(Duration.ofSeconds(10)).until(() -> calls.get() >= 2);
		}
		finally {
			watcher.stop();
		}
		assertThat(watcher.isRunning()).isFalse();
	}

	@Configuration(proxyBeanMethods = false)
	@EnableConfigurationProperties(PomeloGatewayProperties.class)
	static class Infrastructure {

		@Bean
		RouteTable routeTable(ApplicationEventPublisher events) {
			return new RouteTable(List.of(), events);
		}

		@Bean
		MeterRegistry meterRegistry() {
			return new SimpleMeterRegistry();
		}

	}

}
