package io.pomelo.gateway.store;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;

import io.pomelo.gateway.store.RedisRouteTable.Snapshot;

/**
 * The store shared by every replica, in Redis. Writes are a compare-and-set on the table
 * version, retried a few times when another replica wrote in between, with per-route
 * version checks made against the fresh table, so a stale ETag is a
 * {@link StoreConflictException} whichever replica took the change. Each write publishes
 * an event; every replica subscribes and re-reads the table at once.
 * <p>
 * The last table read is kept in memory and {@link #load()} answers from it without
 * touching Redis, so a Redis outage never takes routes away: the gateway keeps serving
 * what it had, writes fail with {@link StoreUnavailableException} (503) and change
 * nothing, and health reports it. Three things make a replica catch up by itself:
 * <ul>
 * <li>a heartbeat reads the table version every second (cheap: one GET) and re-reads the
 * table when it moved, which covers events lost while unsubscribed;</li>
 * <li>when Redis answers again after a failure, the channel is subscribed again from
 * scratch;</li>
 * <li>a full re-read every {@code resyncPeriod} is the last safety net.</li>
 * </ul>
 * A Redis that lost its data (restarted without persistence) is refilled from the table
 * in memory by the first replica that notices, so a Redis restart never empties every
 * replica's routes.
 */
public class RedisRouteStore implements RouteStore, SmartLifecycle, AutoCloseable {

	private static final Log logger = LogFactory.getLog(RedisRouteStore.class);

	/** How many times a write is tried when other replicas keep winning the race. */
	static final int WRITE_ATTEMPTS = 10;

	/** How long the first read may take: it also loads the client and connects. */
	static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(15);

	/** How often the table version is probed. */
	static final Duration HEARTBEAT = Duration.ofSeconds(1);

	private final RedisRouteTable redis;

	private final RedisChangeEvents events;

	private final String location;

	/** Tells this replica's own events from the others'. */
	private final String instance = UUID.randomUUID().toString();

	private final ScheduledExecutorService sync;

	/**
	 * Held while talking to Redis and updating the table, so the table is always the
	 * latest Redis state seen.
	 */
	private final Object lock = new Object();

	private final AtomicBoolean refreshPending = new AtomicBoolean();

	private volatile Snapshot table = Snapshot.EMPTY;

	private volatile Consumer<Map<String, StoredRoute>> listener = (routes) -> {
	};

	private volatile boolean reachable = true;

	/**
	 * Set by any failure to reach Redis; the heartbeat then subscribes again from
	 * scratch.
	 */
	private volatile boolean resubscribe;

	private volatile Instant lastSync;

	private volatile Instant unreachableSince;

	private volatile String lastError;

	/**
	 * Reads the table, subscribes to change events and starts the heartbeat and resync.
	 * @param location where the store lives, for health and logs (no credentials)
	 * @throws IllegalStateException when Redis cannot be read at start-up: starting with
	 * no routes would send every player of a fresh replica to 404, so the replica fails
	 * and is restarted instead
	 */
	public RedisRouteStore(ReactiveRedisConnectionFactory connections, String key, Duration resyncPeriod,
			Duration timeout, String location) {
		this.redis = new RedisRouteTable(connections, key, timeout);
		this.location = location;
		this.events = new RedisChangeEvents(connections, this.redis.channel(), this::onEvent, timeout);
		try {
			synchronized (this.lock) {
				observe(this.redis.read(STARTUP_TIMEOUT.compareTo(timeout) > 0 ? STARTUP_TIMEOUT : timeout));
			}
			this.events.subscribe();
		}
		catch (StoreUnavailableException ex) {
			this.events.close();
			throw new IllegalStateException("Route store " + location + " cannot be read at start-up: "
					+ ex.getMessage() + ". Start Redis, or set pomelo.gateway.store.type=file for a single replica.",
					ex);
		}
		this.sync = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "pomelo-redis-store");
			thread.setDaemon(true);
			return thread;
		});
		Duration heartbeat = (resyncPeriod.compareTo(HEARTBEAT) < 0) ? resyncPeriod : HEARTBEAT;
		this.sync.scheduleWithFixedDelay(() -> guarded(this::heartbeat), heartbeat.toMillis(), heartbeat.toMillis(),
				TimeUnit.MILLISECONDS);
		this.sync.scheduleWithFixedDelay(() -> guarded(this::refresh), resyncPeriod.toMillis(), resyncPeriod.toMillis(),
				TimeUnit.MILLISECONDS);
		// Events published between the first read and the subscription would otherwise
		// wait for the heartbeat.
		this.sync.execute(() -> guarded(this::refresh));
	}

	@Override
	public Map<String, StoredRoute> load() {
		return this.table.routes();
	}

	@Override
	public Map<String, StoredRoute> apply(List<RouteChange> changes) {
		synchronized (this.lock) {
			for (int attempt = 1; attempt <= WRITE_ATTEMPTS; attempt++) {
				Snapshot current = fetch();
				Map<String, StoredRoute> next = RouteChanges.apply(current.routes(), changes);
				long version = current.version() + 1;
				if (succeeded(() -> this.redis.compareAndSet(current, next, version, event(version), false))) {
					observe(new Snapshot(true, version, Collections.unmodifiableMap(new LinkedHashMap<>(next))));
					return this.table.routes();
				}
				// Another replica wrote between our read and our write: read again and
				// re-check the versions,
				// after a short random pause so that two busy writers stop colliding in
				// lock step.
				pause(attempt);
			}
			throw new StoreUnavailableException("route store " + this.location + " kept changing under this write ("
					+ WRITE_ATTEMPTS + " attempts); retry it", null);
		}
	}

	@Override
	public void onRemoteChange(Consumer<Map<String, StoredRoute>> listener) {
		this.listener = listener;
	}

	@Override
	public String kind() {
		return "redis";
	}

	@Override
	public String location() {
		return this.location;
	}

	@Override
	public StoreStatus status() {
		Map<String, Object> details = new LinkedHashMap<>();
		details.put("tableVersion", this.table.version());
		details.put("routes", this.table.routes().size());
		details.put("subscribed", this.events.subscribed());
		details.put("lastSync", (this.lastSync != null) ? this.lastSync.toString() : "never");
		if (!this.reachable) {
			details.put("unreachableSince", String.valueOf(this.unreachableSince));
			details.put("error", String.valueOf(this.lastError));
			details.put("serving", "the last table read from Redis; writes answer 503 until it is back");
		}
		return new StoreStatus(this.reachable, details);
	}

	/** Re-reads the table and tells the listener when another replica changed it. */
	void refresh() {
		this.refreshPending.set(false);
		synchronized (this.lock) {
			fetch();
		}
	}

	/**
	 * Probes the table version; re-reads the table when it moved, resubscribes after an
	 * outage.
	 */
	private void heartbeat() {
		Snapshot probe = fetchVersion();
		if (this.resubscribe || !this.events.subscribed()) {
			// Whatever brought Redis back (or dropped the subscription), events may have
			// been missed and the
			// old pub/sub connection may have forgotten the channel: subscribe anew, then
			// read everything.
			logger.info("Route store " + this.location + " is reachable; subscribing again and resyncing");
			succeeded(() -> {
				this.events.subscribe();
				return true;
			});
			this.resubscribe = false;
			refresh();
		}
		else if (probe.present() != this.table.present() || probe.version() != this.table.version()) {
			refresh();
		}
		else {
			this.lastSync = Instant.now();
		}
	}

	private void onEvent(String event) {
		// Runs on a Redis I/O thread, which must not block: hand the re-read to the store
		// thread, once.
		if (!event.startsWith(this.instance + " ") && this.refreshPending.compareAndSet(false, true)) {
			this.sync.execute(() -> guarded(this::refresh));
		}
	}

	/**
	 * Reads the table and makes it the current one; refills a Redis that lost its data
	 * from memory. Called with the lock held.
	 */
	private Snapshot fetch() {
		Snapshot found = succeeded(this.redis::read);
		Snapshot read = found;
		if (!found.present() && this.table.present()) {
			// Redis came back empty, as after a restart without persistence. Our table is
			// the newest we know;
			// write it back (only if no other replica did it first) rather than serve an
			// empty table.
			Snapshot ours = this.table;
			if (succeeded(() -> this.redis.compareAndSet(found, ours.routes(), ours.version(), event(ours.version()),
					true))) {
				logger.warn("Route store " + this.location + " had lost its table; restored " + ours.routes().size()
						+ " routes at version " + ours.version() + " from this replica's memory");
				return ours;
			}
			read = succeeded(this.redis::read);
		}
		observe(read);
		return read;
	}

	private Snapshot fetchVersion() {
		return succeeded(this.redis::readVersion);
	}

	/**
	 * Makes a table read from Redis the current one, telling the listener when it
	 * differs.
	 */
	private void observe(Snapshot read) {
		Snapshot before = this.table;
		this.table = read;
		this.lastSync = Instant.now();
		if (!read.routes().equals(before.routes()) && this.sync != null && !this.sync.isShutdown()) {
			Consumer<Map<String, StoredRoute>> listener = this.listener;
			// Outside the lock and on the store thread: the listener may be waiting for a
			// lock that a writer
			// holds while it waits for ours.
			this.sync.execute(() -> guarded(() -> listener.accept(this.table.routes())));
		}
	}

	private <T> T succeeded(Supplier<T> call) {
		try {
			T result = call.get();
			if (!this.reachable) {
				this.reachable = true;
				this.unreachableSince = null;
			}
			return result;
		}
		catch (StoreUnavailableException ex) {
			if (this.reachable) {
				this.unreachableSince = Instant.now();
				logger.warn("Route store " + this.location + " is unreachable; serving the last table read ("
						+ this.table.routes().size() + " routes, version " + this.table.version() + "): "
						+ ex.getMessage());
			}
			this.reachable = false;
			this.resubscribe = true;
			this.lastError = ex.getMessage();
			throw ex;
		}
	}

	private static void pause(int attempt) {
		try {
			Thread.sleep(ThreadLocalRandom.current().nextLong(1, 5L * attempt + 2));
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new StoreUnavailableException("interrupted while retrying a route store write", ex);
		}
	}

	private String event(long version) {
		return this.instance + " " + version;
	}

	private void guarded(Runnable task) {
		try {
			task.run();
		}
		catch (StoreUnavailableException ex) {
			// Reported in health and logged once when it started; the heartbeat keeps
			// trying.
		}
		catch (RuntimeException ex) {
			if (!this.sync.isShutdown()) {
				logger.error("Route store " + this.location + " sync failed", ex);
			}
		}
	}

	/**
	 * Started by the constructor: the table must be loaded before the route
	 * administration reads it.
	 */
	@Override
	public void start() {
	}

	/**
	 * Stops syncing, after the web servers (higher phases) and before the Redis
	 * connection factory (phase 0).
	 */
	@Override
	public void stop() {
		close();
	}

	@Override
	public boolean isRunning() {
		return !this.sync.isShutdown();
	}

	@Override
	public int getPhase() {
		return 1;
	}

	@Override
	public void close() {
		if (this.sync != null) {
			this.sync.shutdownNow();
		}
		this.events.close();
	}

}
