package io.pomelo.gateway.config;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringApplication;
import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

class EventLoopEnvironmentPostProcessorTests {

	private final EventLoopEnvironmentPostProcessor processor = new EventLoopEnvironmentPostProcessor();

	private String saved;

	@BeforeEach
	void clear() {
		this.saved = System.clearProperty(EventLoopEnvironmentPostProcessor.REACTOR_PROPERTY);
	}

	@AfterEach
	void restore() {
		if (this.saved != null) {
			System.setProperty(EventLoopEnvironmentPostProcessor.REACTOR_PROPERTY, this.saved);
		}
		else {
			System.clearProperty(EventLoopEnvironmentPostProcessor.REACTOR_PROPERTY);
		}
	}

	@Test
	void oneLoopPerAvailableProcessorByDefault() {
		this.processor.postProcessEnvironment(new MockEnvironment(), new SpringApplication());
		assertThat(System.getProperty(EventLoopEnvironmentPostProcessor.REACTOR_PROPERTY))
			.isEqualTo(String.valueOf(Runtime.getRuntime().availableProcessors()));
	}

	@Test
	void theGatewayPropertySetsTheCount() {
		MockEnvironment environment = new MockEnvironment().withProperty("pomelo.gateway.relay.event-loops", "3");
		this.processor.postProcessEnvironment(environment, new SpringApplication());
		assertThat(System.getProperty(EventLoopEnvironmentPostProcessor.REACTOR_PROPERTY)).isEqualTo("3");
	}

	@Test
	void anOperatorsSystemPropertyWins() {
		System.setProperty(EventLoopEnvironmentPostProcessor.REACTOR_PROPERTY, "7");
		MockEnvironment environment = new MockEnvironment().withProperty("pomelo.gateway.relay.event-loops", "3");
		this.processor.postProcessEnvironment(environment, new SpringApplication());
		assertThat(System.getProperty(EventLoopEnvironmentPostProcessor.REACTOR_PROPERTY)).isEqualTo("7");
	}

}
