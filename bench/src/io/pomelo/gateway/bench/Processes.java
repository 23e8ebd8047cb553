package io.pomelo.gateway.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/** Everything the bench started, stopped in reverse order on success, failure or a signal. */
final class Processes {

	private final Deque<Object> started = new ArrayDeque<>();

	synchronized Process start(ProcessBuilder builder) throws IOException {
		Process process = builder.start();
		this.started.push(process);
		return process;
	}

	synchronized void onStop(Runnable action) {
		this.started.push(action);
	}

	/**
	 * SIGTERM first (nginx shuts its workers down, HAProxy stops, a JVM runs its hooks), SIGKILL after
	 * 10 s.
	 */
	synchronized void stop(Process process) {
		this.started.remove(process);
		terminate(process, Duration.ofSeconds(10));
	}

	/** SIGKILL straight away, for JVMs whose shutdown is not being measured. */
	synchronized void kill(Process process) {
		this.started.remove(process);
		terminate(process, Duration.ZERO);
	}

	synchronized void stopAll() {
		while (!this.started.isEmpty()) {
			Object next = this.started.pop();
			try {
				if (next instanceof Process process) {
					terminate(process, Duration.ofSeconds(10));
				}
				else {
					((Runnable) next).run();
				}
			}
			catch (RuntimeException ex) {
				System.err.println("cleanup: " + ex);
			}
		}
	}

	/** Runs a command to its end within the limit; a non-zero exit is an error that points at the log. */
	void runToCompletion(List<String> command, Path log, Duration limit) throws Exception {
		Process process = start(new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()));
		boolean finished = process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS);
		stop(process);
		if (!finished || process.exitValue() != 0) {
			throw new IllegalStateException(String.join(" ", command)
					+ (finished ? " failed with " + process.exitValue() : " did not finish within " + limit) + "; see "
					+ log);
		}
	}

	/** The java launcher of this JVM, for the gateway JVMs and the idle backend. */
	static String java() {
		return Path.of(System.getProperty("java.home"), "bin", "java").toString();
	}

	/** The process and its descendants (nginx's workers), for CPU and memory readings. */
	static List<Long> withDescendants(Process process) {
		List<Long> pids = new java.util.ArrayList<>();
		pids.add(process.pid());
		process.descendants().map(ProcessHandle::pid).forEach(pids::add);
		return pids;
	}

	private static void terminate(Process process, Duration grace) {
		// nginx workers are the master's children: remembered now, killed too if the master leaves them.
		List<ProcessHandle> descendants = process.descendants().collect(Collectors.toList());
		try {
			if (!grace.isZero()) {
				process.destroy();
				process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS);
			}
			if (process.isAlive()) {
				process.destroyForcibly();
				process.waitFor(10, TimeUnit.SECONDS);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		descendants.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
	}

}
