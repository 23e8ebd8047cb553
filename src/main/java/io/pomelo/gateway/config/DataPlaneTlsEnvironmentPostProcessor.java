package io.pomelo.gateway.config;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.PropertyResolver;
import org.springframework.util.StringUtils;

/**
 * Turns {@code pomelo.gateway.tls.certificate} and {@code private-key} into a Spring Boot
 * PEM SSL bundle for the data port, restricted to TLS 1.2 and 1.3 and reloaded when the
 * files change, and picks the data port's default: 8443 with TLS, 8080 without.
 * <p>
 * The derived keys go into a property source of the lowest precedence, so an operator who
 * sets {@code server.port} or {@code server.ssl.*} directly still wins.
 */
public class DataPlaneTlsEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

	/** Name of the SSL bundle the gateway registers for the data port. */
	public static final String BUNDLE = "pomelo-data";

	private static final String TLS_PROTOCOLS = "TLSv1.3,TLSv1.2";

	static final String SOURCE_NAME = "pomeloGatewayDataPlaneDefaults";

	private static final String PREFIX = "spring.ssl.bundle.pem." + BUNDLE + ".";

	private static final String TLS = PomeloGatewayProperties.PREFIX + ".tls";

	@Override
	public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
		Map<String, Object> defaults = new LinkedHashMap<>();
		String certificate = environment.getProperty(TLS + ".certificate");
		String privateKey = environment.getProperty(TLS + ".private-key");
		boolean ours = StringUtils.hasText(certificate) && StringUtils.hasText(privateKey);
		if (ours) {
			defaults.put(PREFIX + "keystore.certificate", certificate);
			defaults.put(PREFIX + "keystore.private-key", privateKey);
			String password = environment.getProperty(TLS + ".private-key-password");
			if (StringUtils.hasText(password)) {
				defaults.put(PREFIX + "keystore.private-key-password", password);
			}
			// Kubernetes rotates a secret by swapping files; the bundle picks the new
			// pair up without a restart.
			defaults.put(PREFIX + "reload-on-update", "true");
			// A bundle carries its own protocol list; server.ssl.enabled-protocols does
			// not apply to it.
			defaults.put(PREFIX + "options.enabled-protocols", TLS_PROTOCOLS);
			defaults.put("server.ssl.bundle", BUNDLE);
		}
		boolean tls = ours || serverTlsConfigured(environment);
		if (tls && !environment.containsProperty("server.ssl.bundle")) {
			// WeChat requires TLS 1.2 or later; older protocols are never offered.
			defaults.put("server.ssl.enabled-protocols", TLS_PROTOCOLS);
		}
		defaults.put("server.port", tls ? "8443" : "8080");
		environment.getPropertySources().addLast(new MapPropertySource(SOURCE_NAME, defaults));
	}

	/**
	 * Whether the data port serves TLS: our PEM pair (turned into
	 * {@code server.ssl.bundle} above) or Boot's own {@code server.ssl.*}, once this
	 * post-processor has run.
	 */
	static boolean serverTlsConfigured(PropertyResolver environment) {
		return environment.containsProperty("server.ssl.bundle")
				|| environment.containsProperty("server.ssl.certificate")
				|| environment.containsProperty("server.ssl.key-store");
	}

	@Override
	public int getOrder() {
		// After config data has been loaded, so application.yml and the environment are
		// visible.
		return Ordered.LOWEST_PRECEDENCE;
	}

}
