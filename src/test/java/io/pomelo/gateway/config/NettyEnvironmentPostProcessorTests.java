package io.pomelo.gateway.config;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringApplication;
import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

class NettyEnvironmentPostProcessorTests {

	private static final List<String> PROPERTIES = List.of(NettyEnvironmentPostProcessor.EVENT_LOOPS,
			NettyEnvironmentPostProcessor.LEAK_DETECTION);

	private final NettyEnvironmentPostProcessor processor = new NettyEnvironmentPostProcessor();

	private final Map<String, String> saved = new HashMap<>();

	@BeforeEach
	void clear() {
		PROPERTIES.forEach((name) -> this.saved.put(name, System.clearProperty(name)));
	}

	@AfterEach
	void restore() {
		this.saved.forEach((name, value) -> {
			if (value != null) {
				System.setProperty(name, value);
			}
			else {
				System.clearProperty(name);
			}
		});
	}

	@Test
	void oneLoopPerAvailableProcessorAndNoLeakDetectionByDefault() {
		this.processor.postProcessEnvironment(new MockEnvironment(), new SpringApplication());
		assertThat(System.getProperty(NettyEnvironmentPostProcessor.EVENT_LOOPS))
			.isEqualTo(String.valueOf(Runtime.getRuntime().availableProcessors()));
		assertThat(System.getProperty(NettyEnvironmentPostProcessor.LEAK_DETECTION)).isEqualTo("disabled");
	}

	@Test
	void gatewayPropertiesSetBoth() {
		MockEnvironment environment = new MockEnvironment().withProperty("pomelo.gateway.relay.event-loops", "3")
			.withProperty("pomelo.gateway.relay.leak-detection", "simple");
		this.processor.postProcessEnvironment(environment, new SpringApplication());
		assertThat(System.getProperty(NettyEnvironmentPostProcessor.EVENT_LOOPS)).isEqualTo("3");
		assertThat(System.getProperty(NettyEnvironmentPostProcessor.LEAK_DETECTION)).isEqualTo("simple");
	}

	@Test
	void anOperatorsSystemPropertiesWin() {
		System.setProperty(NettyEnvironmentPostProcessor.EVENT_LOOPS, "7");
		System.setProperty(NettyEnvironmentPostProcessor.LEAK_DETECTION, "paranoid");
		MockEnvironment environment = new MockEnvironment().withProperty("pomelo.gateway.relay.event-loops", "3")
			.withProperty("pomelo.gateway.relay.leak-detection", "simple");
		this.processor.postProcessEnvironment(environment, new SpringApplication());
		assertThat(System.getProperty(NettyEnvironmentPostProcessor.EVENT_LOOPS)).isEqualTo("7");
		assertThat(System.getProperty(NettyEnvironmentPostProcessor.LEAK_DETECTION)).isEqualTo("paranoid");
	}

}
