package io.pomelo.gateway.support;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * How to start one fixture either way: the local program (and what installs it) and the
 * container (its image and command), with the environment and files both share. Only the
 * side {@link Fixtures#strategy()} chose is prepared and started.
 */
public final class FixtureLaunch {

	private final String fixture;

	private Runnable localSetup = () -> {
	};

	private List<String> localCommand;

	private Path directory = Path.of("/");

	private Supplier<String> image;

	private List<String> containerCommand;

	private final Map<String, String> environment = new LinkedHashMap<>();

	private final Map<String, String> files = new LinkedHashMap<>();

	FixtureLaunch(String fixture) {
		this.fixture = fixture;
	}

	/**
	 * The local program, run in {@code directory} after {@code setup} (an install when it
	 * is missing).
	 */
	public FixtureLaunch local(Runnable setup, List<String> command, Path directory) {
		this.localSetup = setup;
		this.localCommand = List.copyOf(command);
		this.directory = directory;
		return this;
	}

	/** The image (looked up only when containers run) and its command. */
	public FixtureLaunch container(Supplier<String> image, List<String> command) {
		this.image = image;
		this.containerCommand = List.copyOf(command);
		return this;
	}

	public FixtureLaunch environment(Map<String, String> variables) {
		this.environment.putAll(variables);
		return this;
	}

	/**
	 * A file written into the container before it starts; the local program reads its
	 * own.
	 */
	public FixtureLaunch containerFile(String path, String content) {
		this.files.put(path, content);
		return this;
	}

	/** Starts it with the chosen strategy and prints which one it used. */
	public FixtureProcess start() {
		if (Fixtures.strategy() == Fixtures.Strategy.CONTAINER) {
			String name = this.image.get();
			System.out.printf("fixture %s: container %s (%s)%n", this.fixture, name, Fixtures.engine());
			return ContainerProcess.start(name, this.containerCommand, this.environment, this.files);
		}
		this.localSetup.run();
		System.out.printf("fixture %s: local %s%n", this.fixture, this.localCommand.get(0));
		return LocalProcess.start(this.localCommand, this.directory, this.environment);
	}

}
