package io.pomelo.gateway.relay;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import reactor.core.Disposable;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import org.springframework.context.SmartLifecycle;

/**
 * Closes sessions whose route idle timeout has passed with no frame in either direction,
 * with 1001 "idle timeout". One periodic sweep over the registry replaces a timer per
 * connection: the relay's hot path only counts frames, which it does anyway.
 */
public class IdleSweeper implements SmartLifecycle {

	private final SessionRegistry registry;

	private final Duration period;

	private final Scheduler scheduler = Schedulers.newSingle("pomelo-gateway-idle", true);

	private volatile Disposable task;

	public IdleSweeper(SessionRegistry registry, Duration period) {
		this.registry = registry;
		this.period = period;
	}

	/**
	 * Closes every session that is idle now.
	 */
	void sweep() {
		long now = System.nanoTime();
		List<RelaySession> idle = new ArrayList<>();
		for (RelaySession session : this.registry.all()) {
			if (session.outcome() == null && session.idleAt(now)) {
				idle.add(session);
			}
		}
		RelaySession.closeAll(idle, CloseCodes.GOING_AWAY, "idle timeout");
	}

	@Override
	public void start() {
		this.task = this.scheduler.schedulePeriodically(this::sweep, this.period.toMillis(), this.period.toMillis(),
				java.util.concurrent.TimeUnit.MILLISECONDS);
	}

	@Override
	public void stop() {
		Disposable task = this.task;
		if (task != null) {
			task.dispose();
		}
		this.task = null;
		this.scheduler.dispose();
	}

	@Override
	public boolean isRunning() {
		return this.task != null;
	}

}
