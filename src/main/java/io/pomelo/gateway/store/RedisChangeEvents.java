package io.pomelo.gateway.store;

import java.time.Duration;
import java.util.function.Consumer;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.connection.ReactiveSubscription;
import org.springframework.data.redis.listener.ChannelTopic;
import org.springframework.data.redis.listener.ReactiveRedisMessageListenerContainer;

/**
 * The subscription to the store's change channel. Each {@link #subscribe()} starts from
 * scratch with a new listener container (its own pub/sub connection), so after an outage
 * the owner can be sure the channel is subscribed again instead of trusting that a
 * reconnected connection remembered it.
 */
final class RedisChangeEvents implements AutoCloseable {

	private static final Log logger = LogFactory.getLog(RedisChangeEvents.class);

	private final ReactiveRedisConnectionFactory connections;

	private final ChannelTopic channel;

	private final Consumer<String> onEvent;

	private final Duration timeout;

	private ReactiveRedisMessageListenerContainer container;

	private Disposable subscription;

	private volatile boolean subscribed;

	RedisChangeEvents(ReactiveRedisConnectionFactory connections, String channel, Consumer<String> onEvent,
			Duration timeout) {
		this.connections = connections;
		this.channel = ChannelTopic.of(channel);
		this.onEvent = onEvent;
		this.timeout = timeout;
	}

	/**
	 * Drops any current subscription and subscribes again, waiting until Redis confirmed
	 * it.
	 * @throws StoreUnavailableException when Redis cannot be reached
	 */
	synchronized void subscribe() {
		close();
		try {
			this.container = new ReactiveRedisMessageListenerContainer(this.connections);
			Flux<ReactiveSubscription.Message<String, String>> messages = this.container.receiveLater(this.channel)
				.block(this.timeout);
			this.subscription = messages.subscribe((message) -> this.onEvent.accept(message.getMessage()),
					(error) -> ended("failed: " + error), () -> ended("completed"));
			this.subscribed = true;
		}
		catch (RuntimeException ex) {
			close();
			throw new StoreUnavailableException(
					"could not subscribe to Redis channel " + this.channel.getTopic() + ": " + ex.getMessage(), ex);
		}
	}

	private void ended(String how) {
		this.subscribed = false;
		logger.warn("Subscription to Redis channel " + this.channel.getTopic() + " " + how + "; it is renewed when "
				+ "Redis answers again");
	}

	/** Whether the channel is subscribed as far as this side knows. */
	boolean subscribed() {
		return this.subscribed;
	}

	@Override
	public synchronized void close() {
		this.subscribed = false;
		if (this.subscription != null) {
			this.subscription.dispose();
			this.subscription = null;
		}
		if (this.container != null) {
			ReactiveRedisMessageListenerContainer closing = this.container;
			this.container = null;
			// Closing waits for Redis to confirm the unsubscribe, which never comes while
			// it is down.
			closing.destroyLater().timeout(this.timeout).onErrorComplete().subscribe();
		}
	}

}
