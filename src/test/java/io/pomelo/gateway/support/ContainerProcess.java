package io.pomelo.gateway.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.startupcheck.IsRunningStartupCheckStrategy;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.utility.DockerImageName;

/**
 * A fixture run as a container through Testcontainers, on the host's network: the
 * fixtures listen on loopback ports the tests choose, Prometheus scrapes a gateway on the
 * host's loopback, and a killed Pomelo comes back on the same ports, none of which a
 * bridge network with mapped ports gives.
 */
final class ContainerProcess implements FixtureProcess {

	private final GenericContainer<?> container;

	private ContainerProcess(GenericContainer<?> container) {
		this.container = container;
	}

	/**
	 * Starts the image with the command (its entry point's arguments), the environment
	 * and files copied in before the start, and returns once it runs.
	 */
	static ContainerProcess start(String image, List<String> command, Map<String, String> environment,
			Map<String, String> files) {
		GenericContainer<?> container = new GenericContainer<>(DockerImageName.parse(image))
			// Fixtures.image() has made sure the engine has it; nothing to pull.
			.withImagePullPolicy((name) -> false)
			.withNetworkMode("host")
			.withEnv(environment)
			.withCommand(command.toArray(String[]::new))
			.withStartupCheckStrategy(new IsRunningStartupCheckStrategy().withTimeout(Duration.ofSeconds(60)));
		files.forEach((path, content) -> container.withCopyToContainer(Transferable.of(content, 0644), path));
		container.start();
		ContainerProcess started = new ContainerProcess(container);
		// Ryuk is off where its image cannot be pulled: the container goes with the JVM.
		Runtime.getRuntime().addShutdownHook(new Thread(started::kill, "fixture-container-reaper"));
		return started;
	}

	@Override
	public boolean isAlive() {
		return this.container.isRunning();
	}

	@Override
	public String output() {
		try {
			return this.container.getLogs();
		}
		catch (RuntimeException ex) {
			return "(no logs: " + ex.getMessage() + ")";
		}
	}

	/** Testcontainers' stop sends SIGKILL, then removes the container. */
	@Override
	public synchronized void kill() {
		if (this.container.getContainerId() != null) {
			this.container.stop();
		}
	}

	@Override
	public void killProcess(long pid) {
		try {
			// The shell's builtin: an image need not ship procps.
			this.container.execInContainer("sh", "-c", "kill -KILL " + pid);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	@Override
	public void close() {
		kill();
	}

}
