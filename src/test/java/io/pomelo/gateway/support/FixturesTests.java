package io.pomelo.gateway.support;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;

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

}
