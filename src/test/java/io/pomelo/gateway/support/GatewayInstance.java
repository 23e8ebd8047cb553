package io.pomelo.gateway.support;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;

import io.pomelo.gateway.PomeloGatewayApplication;

/**
 * A whole gateway in this JVM, as its own Spring application context, on free data and
 * management ports, with the product's application.yml and an {@code admin} user; several
 * can share one route store.
 */
public final class GatewayInstance implements AutoCloseable {

	/**
	 * The admin user's password; its BCrypt hash is made at run time, so no hash is
	 * checked in.
	 */
	public static final String PASSWORD = "test-" + Long.toHexString(System.nanoTime());

	private static final String HASH = new BCryptPasswordEncoder(4).encode(PASSWORD);

	private final ConfigurableApplicationContext context;

	private final AdminClient admin;

	private GatewayInstance(ConfigurableApplicationContext context) {
		this.context = context;
		this.admin = new AdminClient(managementPort(), "admin", PASSWORD);
	}

	/**
	 * Starts a gateway with these extra properties ({@code name=value}), which win over
	 * application.yml.
	 */
	public static GatewayInstance start(String... properties) {
		List<String> args = new ArrayList<>(List.of("--spring.config.location=classpath:/application.yml",
				"--server.port=0", "--management.server.port=0", "--pomelo.gateway.targets.allow-cidrs=127.0.0.0/8",
				"--pomelo.gateway.admin.users[0].name=admin", "--pomelo.gateway.admin.users[0].password=" + HASH,
				"--pomelo.gateway.admin.users[0].role=admin"));
		for (String property : properties) {
			args.add("--" + property);
		}
		// Command-line arguments, not builder properties: those are defaults that
		// application.yml overrides.
		return new GatewayInstance(
				new SpringApplicationBuilder(PomeloGatewayApplication.class).run(args.toArray(String[]::new)));
	}

	public ConfigurableApplicationContext context() {
		return this.context;
	}

	public AdminClient admin() {
		return this.admin;
	}

	public int dataPort() {
		return this.context.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
	}

	public int managementPort() {
		return this.context.getEnvironment().getRequiredProperty("local.management.port", Integer.class);
	}

	/** ws:// URI of a path on the data port. */
	public URI ws(String path) {
		return URI.create("ws://127.0.0.1:" + dataPort() + path);
	}

	/** http:// URI of a path on the management port. */
	public URI management(String path) {
		return URI.create("http://127.0.0.1:" + managementPort() + path);
	}

	@Override
	public void close() {
		this.context.close();
	}

}
