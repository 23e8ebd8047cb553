package io.pomelo.gateway.relay;

import java.time.Duration;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;

/**
 * Ends the gateway's WebSocket sessions cleanly on shutdown (SIGTERM): readiness goes to
 * REFUSING_TRAFFIC and new upgrades get 503 at once; after the drain period, which lets
 * Kubernetes take the pod out of its endpoints and lets sessions end by themselves, every
 * remaining session gets close 1001 "server shutting down" on both sides. It stops before
 * the web server's graceful shutdown, which would otherwise wait for open WebSockets
 * until its timeout.
 */
public class ShutdownDrain implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(ShutdownDrain.class);

	private final SessionRegistry registry;

	private final ApplicationEventPublisher events;

	private final Duration drainPeriod;

	private final Duration closeTimeout;

	private volatile boolean running;

	private volatile boolean draining;

	public ShutdownDrain(SessionRegistry registry, ApplicationEventPublisher events, Duration drainPeriod,
			Duration closeTimeout) {
		this.registry = registry;
		this.events = events;
		this.drainPeriod = drainPeriod;
		this.closeTimeout = closeTimeout;
	}

	/** Whether shutdown has begun and new upgrades must be refused. */
	public boolean draining() {
		return this.draining;
	}

	@Override
	public void start() {
		this.draining = false;
		this.running = true;
	}

	@Override
	public void stop() {
		this.draining = true;
		AvailabilityChangeEvent.publish(this.events, this, ReadinessState.REFUSING_TRAFFIC);
		int live = this.registry.size();
		logger.info("Draining: refusing new WebSocket upgrades; " + live + " live session(s) get "
				+ this.drainPeriod.toSeconds() + " s before close 1001");
		sleepUntilEmpty(this.drainPeriod);
		RelaySession.closeAll(this.registry.all(), CloseCodes.GOING_AWAY, "server shutting down");
		sleepUntilEmpty(this.closeTimeout);
		this.running = false;
	}

	private void sleepUntilEmpty(Duration limit) {
		long deadline = System.nanoTime() + limit.toNanos();
		while (this.registry.size() > 0 && System.nanoTime() < deadline) {
			try {
				Thread.sleep(50);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return;
			}
		}
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		// Above the web server's graceful shutdown phase (DEFAULT_PHASE - 1024), so it
		// stops first.
		return SmartLifecycle.DEFAULT_PHASE - 512;
	}

}
