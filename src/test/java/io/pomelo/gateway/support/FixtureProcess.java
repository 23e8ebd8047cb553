package io.pomelo.gateway.support;

import java.time.Duration;

/**
 * A fixture's server (Redis, Prometheus, Pomelo) as it runs: a local process group or a
 * container, as {@link Fixtures} chose. Either way it listens on the host's loopback, so
 * the tests reach it the same way.
 */
public interface FixtureProcess extends AutoCloseable {

	/** Whether it still runs. */
	boolean isAlive();

	/** Everything it wrote so far, standard output and error together. */
	String output();

	/**
	 * Kills it with SIGKILL, as in a crash, and waits until it is gone.
	 * @throws IllegalStateException when it is still there after 10 s
	 */
	void kill();

	/**
	 * Kills one of its processes with SIGKILL, by the pid it has where it runs (inside a
	 * container, its own pid namespace), as a Pomelo master's console reports it.
	 */
	void killProcess(long pid);

	/**
	 * Waits until its output contains the marker.
	 * @return false when it exited or the time ran out first
	 */
	default boolean awaitOutput(String marker, Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (System.nanoTime() < deadline) {
			if (output().contains(marker)) {
				return true;
			}
			if (!isAlive()) {
				return output().contains(marker);
			}
			try {
				Thread.sleep(100);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return false;
			}
		}
		return false;
	}

	/** Kills it and removes what it left behind (a log file, a container). */
	@Override
	void close();

}
