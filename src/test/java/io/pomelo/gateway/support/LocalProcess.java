package io.pomelo.gateway.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A fixture run as a local program, in a process group of its own ({@code setsid}), so a
 * kill takes the children too (Pomelo's master starts its gate and connectors as
 * children).
 */
final class LocalProcess implements FixtureProcess {

	private final Process process;

	private final Path log;

	private LocalProcess(Process process, Path log) {
		this.process = process;
		this.log = log;
	}

	static LocalProcess start(List<String> command, Path directory, Map<String, String> environment) {
		try {
			Path log = Files.createTempFile("fixture-", ".log");
			List<String> grouped = new ArrayList<>();
			grouped.add("setsid");
			grouped.addAll(command);
			ProcessBuilder builder = new ProcessBuilder(grouped).directory(directory.toFile())
				.redirectErrorStream(true)
				.redirectOutput(log.toFile());
			builder.environment().putAll(environment);
			LocalProcess started = new LocalProcess(builder.start(), log);
			// Killed even when the test JVM ends without reaching close().
			Runtime.getRuntime().addShutdownHook(new Thread(started::kill, "fixture-reaper"));
			return started;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	@Override
	public boolean isAlive() {
		return this.process.isAlive();
	}

	@Override
	public String output() {
		try {
			return Files.readString(this.log);
		}
		catch (IOException ex) {
			return "(no log: " + ex.getMessage() + ")";
		}
	}

	@Override
	public synchronized void kill() {
		if (!this.process.isAlive()) {
			return;
		}
		try {
			new ProcessBuilder("kill", "-KILL", "--", "-" + this.process.pid()).inheritIO()
				.start()
				.waitFor(10, TimeUnit.SECONDS);
			if (!this.process.waitFor(10, TimeUnit.SECONDS)) {
				throw new IllegalStateException("process group " + this.process.pid() + " did not die within 10 s");
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	@Override
	public void killProcess(long pid) {
		// SIGKILL on Linux, as the container side's kill -KILL.
		ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
	}

	@Override
	public void close() {
		kill();
		try {
			Files.deleteIfExists(this.log);
		}
		catch (IOException ex) {
			// A leftover temp log is harmless.
		}
	}

}
