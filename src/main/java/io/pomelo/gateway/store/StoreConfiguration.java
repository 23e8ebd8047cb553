package io.pomelo.gateway.store;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.resource.Delay;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.data.redis.autoconfigure.ClientResourcesBuilderCustomizer;
import org.springframework.boot.data.redis.autoconfigure.DataRedisProperties;
import org.springframework.boot.data.redis.autoconfigure.LettuceClientOptionsBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import io.pomelo.gateway.config.StoreProperties;
import io.pomelo.gateway.config.PomeloGatewayProperties;

/**
 * The route store named by {@code pomelo.gateway.store.type}, and its {@code store}
 * health contributor. Spring Boot's Redis auto-configuration is always present but
 * connects to nothing unless the {@code redis} store asks it to; its own health indicator
 * is off in application.yml, since the {@code store} contributor says the same thing and
 * would otherwise report a Redis nobody uses as DOWN.
 */
@Configuration(proxyBeanMethods = false)
class StoreConfiguration {

	/**
	 * How long one Redis call may take before the store counts Redis as unreachable, when
	 * {@code spring.data.redis.timeout} is not set.
	 */
	static final Duration DEFAULT_REDIS_TIMEOUT = Duration.ofSeconds(2);

	@Bean
	@ConditionalOnProperty(name = StoreProperties.TYPE, havingValue = "file", matchIfMissing = true)
	RouteStore fileRouteStore(PomeloGatewayProperties properties) {
		return new FileRouteStore(properties.getStore().getFile());
	}

	@Bean
	StoreHealthIndicator storeHealthIndicator(RouteStore store) {
		return new StoreHealthIndicator(store);
	}

	/**
	 * The {@code redis} store on Spring Boot's Lettuce connection factory
	 * ({@code spring.data.redis.*}).
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnProperty(name = StoreProperties.TYPE, havingValue = "redis")
	static class RedisStoreConfiguration {

		@Bean
		RouteStore redisRouteStore(ReactiveRedisConnectionFactory connections, PomeloGatewayProperties properties,
				DataRedisProperties redis) {
			StoreProperties store = properties.getStore();
			// One setting bounds both Lettuce's commands and the store's wait for them.
			Duration timeout = (redis.getTimeout() != null) ? redis.getTimeout() : DEFAULT_REDIS_TIMEOUT;
			return new RedisRouteStore(connections, store.getRedisKey(), store.getResyncPeriod(), timeout,
					location(connections, store.getRedisKey()));
		}

		/**
		 * Fails commands at once while disconnected instead of queueing them: a queued
		 * write would run when Redis is back, long after its caller was told 503 and
		 * nothing changed.
		 */
		@Bean
		LettuceClientOptionsBuilderCustomizer routeStoreClientOptions() {
			return (options) -> options.disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS);
		}

		/**
		 * Reconnects within 2 s of Redis coming back, rather than Lettuce's default
		 * back-off of up to 30 s.
		 */
		@Bean
		ClientResourcesBuilderCustomizer routeStoreReconnectDelay() {
			return (resources) -> resources.reconnectDelay(
					Delay.exponential(Duration.ofMillis(100), Duration.ofSeconds(2), 2, TimeUnit.MILLISECONDS));
		}

		private static String location(ReactiveRedisConnectionFactory connections, String key) {
			if (connections instanceof LettuceConnectionFactory lettuce) {
				return "redis://" + lettuce.getHostName() + ":" + lettuce.getPort() + "/" + lettuce.getDatabase()
						+ " key " + key;
			}
			return "redis key " + key;
		}

	}

}
