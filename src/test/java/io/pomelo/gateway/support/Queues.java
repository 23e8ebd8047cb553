package io.pomelo.gateway.support;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Waiting for what a test peer received.
 */
public final class Queues {

	private Queues() {
	}

	/**
	 * The next item, waiting up to the timeout.
	 * @throws AssertionError naming what did not arrive
	 */
	public static <T> T poll(BlockingQueue<T> queue, Duration timeout, String what) {
		try {
			T item = queue.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
			if (item == null) {
				throw new AssertionError("no " + what + " within " + timeout);
			}
			return item;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new AssertionError(ex);
		}
	}

}
