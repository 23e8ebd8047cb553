package io.pomelo.gateway.config;

import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringApplication;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

class DataPlaneTlsEnvironmentPostProcessorTests {

	private static StandardEnvironment environment(Map<String, Object> properties) {
		StandardEnvironment environment = new StandardEnvironment();
		environment.getPropertySources().addFirst(new MapPropertySource("test", properties));
		new DataPlaneTlsEnvironmentPostProcessor().postProcessEnvironment(environment, new SpringApplication());
		return environment;
	}

	@Test
	void pemFilesBecomeAReloadingBundleOnPort8443WithTls12And13Only() {
		StandardEnvironment environment = environment(Map.of("pomelo.gateway.tls.certificate", "file:/tls/tls.crt",
				"pomelo.gateway.tls.private-key", "file:/tls/tls.key"));
		assertThat(environment.getProperty("server.ssl.bundle")).isEqualTo("pomelo-data");
		assertThat(environment.getProperty("spring.ssl.bundle.pem.pomelo-data.keystore.certificate"))
			.isEqualTo("file:/tls/tls.crt");
		assertThat(environment.getProperty("spring.ssl.bundle.pem.pomelo-data.keystore.private-key"))
			.isEqualTo("file:/tls/tls.key");
		assertThat(environment.getProperty("spring.ssl.bundle.pem.pomelo-data.reload-on-update")).isEqualTo("true");
		assertThat(environment.getProperty("spring.ssl.bundle.pem.pomelo-data.options.enabled-protocols"))
			.isEqualTo("TLSv1.3,TLSv1.2");
		assertThat(environment.getProperty("server.port")).isEqualTo("8443");
	}

	@Test
	void aKeyStoreConfiguredDirectlyIsAlsoLimitedToTls12And13() {
		StandardEnvironment environment = environment(Map.of("server.ssl.key-store", "file:/tls/ks.p12"));
		assertThat(environment.getProperty("server.ssl.enabled-protocols")).isEqualTo("TLSv1.3,TLSv1.2");
		assertThat(environment.getProperty("server.port")).isEqualTo("8443");
	}

	@Test
	void withoutACertificateTheDataPortIsPlainOn8080() {
		StandardEnvironment environment = environment(Map.of());
		assertThat(environment.getProperty("server.ssl.bundle")).isNull();
		assertThat(environment.getProperty("server.ssl.enabled-protocols")).isNull();
		assertThat(environment.getProperty("server.port")).isEqualTo("8080");
	}

	@Test
	void theOperatorsOwnKeysWin() {
		StandardEnvironment environment = environment(
				Map.of("pomelo.gateway.tls.certificate", "c", "pomelo.gateway.tls.private-key", "k", "server.port",
						"443", "spring.ssl.bundle.pem.pomelo-data.options.enabled-protocols", "TLSv1.3"));
		assertThat(environment.getProperty("server.port")).isEqualTo("443");
		assertThat(environment.getProperty("spring.ssl.bundle.pem.pomelo-data.options.enabled-protocols"))
			.isEqualTo("TLSv1.3");
	}

}
