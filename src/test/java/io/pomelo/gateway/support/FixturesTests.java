package io.pomelo.gateway.support;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FixturesTests {

	private final AtomicInteger probes = new AtomicInteger();

	private Supplier<String> engine(String problem) {
		return () -> {
			this.probes.incrementAndGet();
			return problem;
		};
	}

	@Test
	void localNeverTouchesAContainerEngine() {
		assertThat(Fixtures.choose("local", engine(null)).strategy()).isEqualTo(Fixtures.Strategy.LOCAL);
		assertThat(this.probes).hasValue(0);
	}

	@Test
	void containerWithoutAnEngineFailsAndSaysWhatToInstall() {
		assertThatThrownBy(() -> Fixtures.choose("container", engine("no Docker API answers")))
			.isInstanceOf(IllegalStateException.class)
			.hasMessageContaining("no Docker API answers")
			.hasMessageContaining("podman")
			.hasMessageContaining("-Dfixtures=local");
	}

	@Test
	void containerWithAnEngineRunsContainers() {
		assertThat(Fixtures.choose(" Container ", engine(null)).strategy()).isEqualTo(Fixtures.Strategy.CONTAINER);
	}

	@Test
	void automaticTakesContainersWhenAnEngineAnswersAndLocalProgramsOtherwise() {
		assertThat(Fixtures.choose("auto", engine(null)).strategy()).isEqualTo(Fixtures.Strategy.CONTAINER);
		assertThat(Fixtures.choose("", engine(null)).strategy()).isEqualTo(Fixtures.Strategy.CONTAINER);
		Fixtures.Choice local = Fixtures.choose("auto", engine("no Docker API answers"));
		assertThat(local.strategy()).isEqualTo(Fixtures.Strategy.LOCAL);
		assertThat(local.reason()).contains("no Docker API answers");
	}

	@Test
	void anUnknownValueIsRefusedByName() {
		assertThatThrownBy(() -> Fixtures.choose("docker", engine(null))).isInstanceOf(IllegalArgumentException.class)
			.hasMessageContaining("\"docker\"")
			.hasMessageContaining("container, local or auto");
		assertThat(this.probes).hasValue(0);
	}

	@Test
	void aDockerSocketCountsOnlyWhenItAnswers(@TempDir Path dir) throws Exception {
		Path socket = dir.resolve("docker.sock");
		assertThat(Fixtures.socketAnswers(socket)).as("no socket").isFalse();
		try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
			server.bind(UnixDomainSocketAddress.of(socket));
			Thread answering = new Thread(() -> {
				try (SocketChannel client = server.accept()) {
					client.read(ByteBuffer.allocate(256));
					client.write(ByteBuffer.wrap("HTTP/1.1 200 OK\r\n\r\nOK".getBytes(StandardCharsets.US_ASCII)));
				}
				catch (IOException ex) {
					// The assertion below fails instead.
				}
			});
			answering.start();
			assertThat(Fixtures.socketAnswers(socket)).as("a service that answers").isTrue();
			answering.join(5000);
		}
		// The file stays behind a closed server, as it does behind a service that died.
		assertThat(socket).exists();
		assertThat(Fixtures.socketAnswers(socket)).as("a socket nobody serves").isFalse();
	}

	@Test
	void testcontainersPropertiesCountOnlyWhenTheyNameADockerHost(@TempDir Path dir) throws Exception {
		Path properties = dir.resolve(".testcontainers.properties");
		assertThat(Fixtures.namesDockerHost(properties)).isFalse();
		// What Testcontainers writes itself after a run: a strategy, no endpoint.
		java.nio.file.Files.writeString(properties,
				"docker.client.strategy=org.testcontainers.dockerclient.UnixSocketClientProviderStrategy\n");
		assertThat(Fixtures.namesDockerHost(properties)).isFalse();
		java.nio.file.Files.writeString(properties, "docker.host=tcp://10.0.0.5:2375\n", StandardOpenOption.APPEND);
		assertThat(Fixtures.namesDockerHost(properties)).isTrue();
	}

}
