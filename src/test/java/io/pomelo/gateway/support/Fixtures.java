package io.pomelo.gateway.support;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.stream.Stream;

import com.github.dockerjava.api.exception.NotFoundException;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.images.builder.ImageFromDockerfile;

/**
 * Where the fixtures' servers run: as containers through Testcontainers wherever a Docker
 * API answers (Docker Engine, Docker Desktop, podman's service), or as local programs.
 * <p>
 * {@code -Dfixtures=container|local} chooses; unset (or {@code auto}) takes containers
 * when a Docker API answers or podman can serve one, and local programs otherwise. The
 * choice is made once per test JVM, and every fixture prints which it used.
 * <p>
 * Images default to the official ones ({@code redis:7}, {@code prom/prometheus},
 * {@code node:20}) and are set with {@code -Dfixtures.<name>.image=...}. Where podman
 * runs and no registry answers, {@code scripts/podman-env.sh fixtures} builds local
 * stand-ins under those names once, cached by a content hash.
 */
public final class Fixtures {

	/** The two ways a fixture runs. */
	public enum Strategy {

		CONTAINER, LOCAL

	}

	private static final Path PODMAN_ENV = Path.of("scripts/podman-env.sh").toAbsolutePath();

	private static Strategy strategy;

	private Fixtures() {
	}

	/** The strategy of this test JVM, chosen on first use. */
	public static synchronized Strategy strategy() {
		if (strategy == null) {
			Choice choice = choose(System.getProperty("fixtures", "auto"), Fixtures::containerEngine);
			System.out.println("fixtures: " + choice);
			strategy = choice.strategy();
		}
		return strategy;
	}

	/**
	 * The image for a fixture: {@code -Dfixtures.<fixture>.image}, else the default; made
	 * present in the engine (pulled, or a local stand-in built) before it is returned.
	 */
	public static String image(String fixture, String defaultImage) {
		String image = System.getProperty("fixtures." + fixture + ".image", defaultImage);
		ensurePresent(image);
		return image;
	}

	/** How to start the named fixture, either way. */
	public static FixtureLaunch launch(String fixture) {
		return new FixtureLaunch(fixture);
	}

	/** The Docker API the containers run on, for the log. */
	static String engine() {
		return DockerClientFactory.instance().getTransportConfig().getDockerHost().toString();
	}

	/**
	 * An image built from a Dockerfile with a build context assembled from folders (each
	 * under its name in the context, without {@code node_modules} and {@code logs}),
	 * tagged with a hash of that context, the build arguments and the base image's id,
	 * and built only when the engine lacks that tag.
	 */
	public static String built(String name, Path dockerfile, Map<String, Path> folders,
			Map<String, String> buildArguments, String baseImage) {
		Map<String, Path> context = new TreeMap<>();
		context.put("Dockerfile", dockerfile);
		folders.forEach((under, folder) -> contextFiles(folder)
			.forEach((file) -> context.put(under + "/" + folder.relativize(file), file)));
		String baseId = DockerClientFactory.instance().client().inspectImageCmd(baseImage).exec().getId();
		String tag = "localhost/" + name + ":" + hash(context, buildArguments, baseId);
		if (present(tag)) {
			return tag;
		}
		ImageFromDockerfile image = new ImageFromDockerfile(tag, false)
			// RUN steps download packages (npm ci): the host's network, as podman build
			// --network=host.
			.withBuildImageCmdModifier((command) -> command.withNetworkMode("host"));
		context.forEach((entry, file) -> image.withFileFromPath(entry, file));
		buildArguments.forEach(image::withBuildArg);
		return image.get();
	}

	/** A strategy and why it was taken. */
	record Choice(Strategy strategy, String reason) {

		@Override
		public String toString() {
			return (this.strategy == Strategy.CONTAINER ? "containers" : "local programs") + ", " + this.reason;
		}

	}

	/**
	 * The strategy for a {@code -Dfixtures} value.
	 * @param engineProblem makes a Docker API answer if it can; null when one does, else
	 * why none does
	 */
	static Choice choose(String fixtures, Supplier<String> engineProblem) {
		String requested = fixtures.trim().toLowerCase(Locale.ROOT);
		switch (requested) {
			case "local" -> {
				return new Choice(Strategy.LOCAL, "as -Dfixtures=local asks");
			}
			case "container" -> {
				String missing = engineProblem.get();
				if (missing != null) {
					throw new IllegalStateException("-Dfixtures=container, but " + missing
							+ ". Start Docker, or install podman and run scripts/podman-env.sh service;"
							+ " or use -Dfixtures=local.");
				}
				return new Choice(Strategy.CONTAINER, "as -Dfixtures=container asks");
			}
			case "auto", "" -> {
				String missing = engineProblem.get();
				if (missing == null) {
					return new Choice(Strategy.CONTAINER,
							"since a Docker API answers (-Dfixtures=local for local programs)");
				}
				return new Choice(Strategy.LOCAL, "since " + missing);
			}
			default -> throw new IllegalArgumentException(
					"-Dfixtures must be container, local or auto, not \"" + requested + "\"");
		}
	}

	/**
	 * Makes a Docker API answer if this machine allows it.
	 * @return null when one answers, else why none does
	 */
	private static String containerEngine() {
		if (!dockerConfigured() && podmanPossible()) {
			// Like Debian's podman-docker: podman's service behind /run/docker.sock,
			// where
			// Testcontainers looks. It must come before Testcontainers' first probe,
			// whose
			// failure it remembers for the life of the JVM.
			PomeloServer.run(PODMAN_ENV.getParent().getParent(), Duration.ofMinutes(10), "bash", PODMAN_ENV.toString(),
					"service");
		}
		if (DockerClientFactory.instance().isDockerAvailable()) {
			return null;
		}
		return "no Docker API answers (DOCKER_HOST, /var/run/docker.sock, ~/.testcontainers.properties)";
	}

	/**
	 * Whether a Docker API is configured that this machine does not start: DOCKER_HOST, a
	 * docker.host in Testcontainers' properties, or a socket at /var/run/docker.sock that
	 * answers. A socket whose service died (podman's, after a reboot) does not count, nor
	 * does the client strategy Testcontainers writes into its properties after a run, so
	 * that the service is started again.
	 */
	private static boolean dockerConfigured() {
		return System.getenv("DOCKER_HOST") != null
				|| namesDockerHost(Path.of(System.getProperty("user.home"), ".testcontainers.properties"))
				|| socketAnswers(Path.of("/var/run/docker.sock"));
	}

	static boolean namesDockerHost(Path properties) {
		if (!Files.isRegularFile(properties)) {
			return false;
		}
		try (Reader reader = Files.newBufferedReader(properties, StandardCharsets.ISO_8859_1)) {
			Properties values = new Properties();
			values.load(reader);
			return values.getProperty("docker.host") != null;
		}
		catch (IOException ex) {
			return false;
		}
	}

	/** A {@code GET /_ping} on a Unix socket gets an HTTP answer within 2 s. */
	static boolean socketAnswers(Path socket) {
		if (!Files.exists(socket)) {
			return false;
		}
		try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
			channel.connect(UnixDomainSocketAddress.of(socket));
			channel.write(
					ByteBuffer.wrap("GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
			channel.configureBlocking(false);
			ByteBuffer answer = ByteBuffer.allocate(16);
			try (Selector selector = Selector.open()) {
				channel.register(selector, SelectionKey.OP_READ);
				long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
				while (answer.position() < 7 && System.nanoTime() < deadline) {
					selector.select(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
					selector.selectedKeys().clear();
					if (channel.read(answer) < 0) {
						break;
					}
				}
			}
			return new String(answer.array(), 0, answer.position(), StandardCharsets.US_ASCII).startsWith("HTTP/1.");
		}
		catch (IOException ex) {
			return false;
		}
	}

	/** podman is here, or root can install it with apt-get, as the image test does. */
	private static boolean podmanPossible() {
		return Files.isExecutable(Path.of("/usr/bin/podman"))
				|| "root".equals(System.getProperty("user.name")) && Files.isExecutable(Path.of("/usr/bin/apt-get"));
	}

	private static void ensurePresent(String image) {
		if (present(image)) {
			return;
		}
		if (Files.isExecutable(Path.of("/usr/bin/podman"))) {
			// Pulls it when a registry answers, else builds a local stand-in.
			PomeloServer.run(PODMAN_ENV.getParent().getParent(), Duration.ofMinutes(10), "bash", PODMAN_ENV.toString(),
					"fixtures", image);
		}
		else {
			try {
				DockerClientFactory.instance().client().pullImageCmd(image).start().awaitCompletion();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException("interrupted while pulling " + image, ex);
			}
		}
	}

	private static boolean present(String image) {
		try {
			DockerClientFactory.instance().client().inspectImageCmd(image).exec();
			return true;
		}
		catch (NotFoundException ex) {
			return false;
		}
	}

	private static List<Path> contextFiles(Path folder) {
		try (Stream<Path> files = Files.walk(folder)) {
			return files.filter(Files::isRegularFile)
				.filter((file) -> !folder.relativize(file).startsWith("node_modules"))
				.filter((file) -> !folder.relativize(file).startsWith("logs"))
				.toList();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static String hash(Map<String, Path> context, Map<String, String> buildArguments, String baseId) {
		try {
			MessageDigest digest = MessageDigest.getInstance("SHA-256");
			for (Map.Entry<String, Path> entry : context.entrySet()) {
				digest.update(entry.getKey().getBytes(StandardCharsets.UTF_8));
				digest.update(Files.readAllBytes(entry.getValue()));
			}
			digest.update(new TreeMap<>(buildArguments).toString().getBytes(StandardCharsets.UTF_8));
			digest.update(baseId.getBytes(StandardCharsets.UTF_8));
			return HexFormat.of().formatHex(digest.digest()).substring(0, 16);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
