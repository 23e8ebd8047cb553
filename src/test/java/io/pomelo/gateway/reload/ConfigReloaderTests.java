package io.pomelo.gateway.reload;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.FileSystemResource;

import io.pomelo.gateway.config.PomeloGatewayProperties;
import io.pomelo.gateway.reload.ReloadOutcome.Result;
import io.pomelo.gateway.route.ConfigRoutes;
import io.pomelo.gateway.route.GatewayRoute;
import io.pomelo.gateway.route.RouteTable;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The reloader over a real file, loaded into an environment the way Spring Boot's config
 * data loads it (origin-tracked, named after its resource), with a command-line source
 * above it.
 */
class ConfigReloaderTests {

	private static final String CONN = "pomelo:\n  gateway:\n    routes:\n      - id: conn\n        prefix: /conn/\n"
			+ "        targets: [ws://127.0.0.1:3050]\n";

	private static final String GATE = "      - id: gate\n        prefix: /gate/\n        targets: [ws://127.0.0.1:3014]\n";

	@TempDir
	Path temp;

	@Test
	void aRemovedRouteIsReportedAndAnUnchangedOneKeepsItsInstance() throws IOException {
		Path file = write(CONN + GATE);
		Fixture fixture = fixture(file, Map.of());
		GatewayRoute conn = fixture.table.configRoutes().get(0);
		write(CONN);
		ReloadOutcome outcome = fixture.reloader.reload(false, "test");
		assertThat(outcome.result()).isEqualTo(Result.APPLIED);
		assertThat(outcome.removed()).containsExactly("gate");
		assertThat(outcome.added()).isEmpty();
		assertThat(fixture.table.configRoutes()).containsExactly(conn);
	}

	@Test
	void aFileThatDoesNotParseIsRefusedNamingTheFile() throws IOException {
		Path file = write(CONN);
		Fixture fixture = fixture(file, Map.of());
		write("pomelo: [\n");
		ReloadOutcome outcome = fixture.reloader.reload(false, "test");
		assertThat(outcome.result()).isEqualTo(Result.REFUSED);
		assertThat(outcome.problems()).singleElement().satisfies((problem) -> {
			assertThat(problem.field()).isEqualTo(file.toString());
			assertThat(problem.message()).startsWith(file + " cannot be read: ");
		});
		assertThat(fixture.table.configRoutes()).extracting(GatewayRoute::id).containsExactly("conn");
	}

	@Test
	void aValueThatDoesNotBindIsRefusedNamingTheProperty() throws IOException {
		Fixture fixture = fixture(write(CONN), Map.of());
		write(CONN + "        idle-timeout: soon\n");
		ReloadOutcome outcome = fixture.reloader.reload(false, "test");
		assertThat(outcome.result()).isEqualTo(Result.REFUSED);
		assertThat(outcome.problems()).singleElement()
			.satisfies((problem) -> assertThat(problem.field()).isEqualTo("pomelo.gateway.routes[0].idle-timeout"));
	}

	@Test
	void aChangedPortNeedsARestartUnlessAHigherSourceSetsItAndIsNeverApplied() throws IOException {
		Fixture fixture = fixture(write("server:\n  port: 8080\n  ssl:\n    enabled: false\n" + CONN),
				Map.of("server.ssl.enabled", "false"));
		write("server:\n  port: 9443\n  ssl:\n    enabled: true\n" + CONN);
		ReloadOutcome outcome = fixture.reloader.reload(false, "test");
		assertThat(outcome.result()).isEqualTo(Result.UNCHANGED);
		assertThat(outcome.needsRestart()).containsExactly("server.port");
		assertThat(fixture.environment.getProperty("server.port")).isEqualTo("8080");
	}

	@Test
	void aDryRunComparesOnly() throws IOException {
		Fixture fixture = fixture(write(CONN), Map.of());
		write(CONN + GATE);
		ReloadOutcome outcome = fixture.reloader.reload(true, "test");
		assertThat(outcome.result()).isEqualTo(Result.DRY_RUN);
		assertThat(outcome.added()).containsExactly("gate");
		assertThat(fixture.table.configRoutes()).extracting(GatewayRoute::id).containsExactly("conn");
		assertThat(fixture.reloader.last()).isNull();
	}

	@Test
	void routeKeysAreReloadableInEveryRelaxedSpelling() {
		assertThat(ConfigReloader.reloadable("pomelo.gateway.routes[0].id")).isTrue();
		assertThat(ConfigReloader.reloadable("pomelo.gateway.port-routes[1].ports[0]")).isTrue();
		assertThat(ConfigReloader.reloadable("pomelo.gateway.portRoutes[1].host")).isTrue();
		assertThat(ConfigReloader.reloadable("pomelo.gateway.routes")).isTrue();
		assertThat(ConfigReloader.reloadable("pomelo.gateway.relay.idle-timeout")).isFalse();
		assertThat(ConfigReloader.reloadable("pomelo.gateway.routesx")).isFalse();
		assertThat(ConfigReloader.reloadable("server.port")).isFalse();
	}

	private Path write(String content) throws IOException {
		return Files.writeString(this.temp.resolve("application.yml"), content);
	}

	private Fixture fixture(Path file, Map<String, Object> commandLine) throws IOException {
		StandardEnvironment environment = new StandardEnvironment();
		environment.getPropertySources().addFirst(new MapPropertySource("commandLineArgs", commandLine));
		List<PropertySource<?>> documents = new YamlPropertySourceLoader().load(
				"Config resource 'file [" + file + "]' via location 'file:" + this.temp + "/'",
				new FileSystemResource(file));
		documents.forEach(environment.getPropertySources()::addLast);
		PomeloGatewayProperties properties = new PomeloGatewayProperties();
		org.springframework.boot.context.properties.bind.Binder.get(environment)
			.bind(PomeloGatewayProperties.PREFIX,
					org.springframework.boot.context.properties.bind.Bindable.ofInstance(properties));
		RouteTable table = new RouteTable(ConfigRoutes.from(properties), (event) -> {
		});
		ConfigReloader reloader = new ConfigReloader(new ConfigFiles(environment), table, properties.getRelay(),
				environment, Clock.systemUTC());
		return new Fixture(environment, table, reloader);
	}

	private record Fixture(StandardEnvironment environment, RouteTable table, ConfigReloader reloader) {
	}

}
