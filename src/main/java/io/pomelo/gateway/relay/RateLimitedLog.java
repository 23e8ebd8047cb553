package io.pomelo.gateway.relay;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * A warning that many connections can trigger, written at most once per period per
 * message and saying how many it stands for, so that no client can fill the disk through
 * the log.
 */
public final class RateLimitedLog {

	private static final long PERIOD_NANOS = TimeUnit.SECONDS.toNanos(60);

	private static final Map<String, Window> windows = new ConcurrentHashMap<>();

	private RateLimitedLog() {
	}

	/**
	 * Logs a warning on the logger of {@code source}, or counts it when one was logged
	 * recently.
	 */
	public static void warn(Class<?> source, String message, Throwable cause) {
		Window window = windows.computeIfAbsent(source.getName() + ": " + message, (key) -> new Window());
		long now = System.nanoTime();
		long suppressed = window.tryOpen(now);
		if (suppressed < 0) {
			return;
		}
		Log log = LogFactory.getLog(source);
		String text = (suppressed > 0) ? message + " (" + suppressed + " more like it in the last "
				+ TimeUnit.NANOSECONDS.toSeconds(PERIOD_NANOS) + " s were not logged)" : message;
		log.warn(text + ": " + cause);
		if (log.isDebugEnabled()) {
			log.debug(message, cause);
		}
	}

	private static final class Window {

		private final AtomicLong openedAt = new AtomicLong(Long.MIN_VALUE);

		private final AtomicLong suppressed = new AtomicLong();

		/**
		 * @return -1 to suppress this one, or how many were suppressed since the last one
		 * logged
		 */
		long tryOpen(long now) {
			long opened = this.openedAt.get();
			if (opened != Long.MIN_VALUE && now - opened < PERIOD_NANOS) {
				this.suppressed.incrementAndGet();
				return -1;
			}
			if (!this.openedAt.compareAndSet(opened, now)) {
				this.suppressed.incrementAndGet();
				return -1;
			}
			return this.suppressed.getAndSet(0);
		}

	}

}
