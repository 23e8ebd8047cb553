package io.pomelo.gateway.helm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.marcnuri.helm.DryRun;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.yaml.snakeyaml.Yaml;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.util.FileSystemUtils;
import org.springframework.util.unit.DataSize;

import io.pomelo.gateway.config.DataPlaneTlsEnvironmentPostProcessor;
import io.pomelo.gateway.config.GatewayProperties;
import io.pomelo.gateway.route.ConfigRoutes;
import io.pomelo.gateway.route.GatewayRoute;
import io.pomelo.gateway.route.RouteLimits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * The Helm chart under {@code helm/pomelo-wx-gateway}, linted and rendered by the real Helm (helm-java
 * bundles it as a native library), with assertions on the rendered objects. The rendered
 * {@code application.yml} is bound to {@link GatewayProperties} and turned into routes, so the chart and
 * the application cannot drift apart.
 */
class HelmChartTests {

	private static final Path CHART = Paths.get("helm", "pomelo-wx-gateway");

	private static final String TLS_DIR = "/etc/pomelo-gateway/tls";

	static Stream<String> scenarios() throws IOException {
		try (Stream<Path> files = Files.list(CHART.resolve("ci"))) {
			List<String> names = files.map((file) -> file.getFileName().toString())
				.filter((name) -> name.endsWith("-values.yaml"))
				.sorted()
				.collect(Collectors.toList());
			assertThat(names).contains("default-values.yaml", "tls-values.yaml", "routes-values.yaml",
					"servicemonitor-dashboards-values.yaml");
			return names.stream();
		}
	}

	@Test
	void chartLintsCleanInStrictMode() {
		LintResult result = new Helm(CHART).lint().strict().call();
		assertThat(result.isFailed()).as(String.join("\n", result.getMessages())).isFalse();
		assertThat(result.getMessages()).noneMatch((message) -> message.contains("[WARNING]") || message.contains("[ERROR]"));
	}

	@Test
	void valuesStartWithTheSchemaLineAndEverySchemaPropertyIsDescribed() throws IOException {
		assertThat(Files.readAllLines(CHART.resolve("values.yaml")).get(0))
			.isEqualTo("# yaml-language-server: $schema=values.schema.json");
		Map<String, Object> schema = new Yaml().load(Files.readString(CHART.resolve("values.schema.json")));
		List<String> undescribed = new ArrayList<>();
		collectUndescribed(schema, "", undescribed);
		assertThat(undescribed).isEmpty();
		// Every top-level key of values.yaml is in the schema, which rejects unknown keys.
		Map<String, Object> values = new Yaml().load(Files.readString(CHART.resolve("values.yaml")));
		assertThat(map(schema.get("properties")).keySet()).containsAll(values.keySet());
		assertThat(schema.get("additionalProperties")).isEqualTo(false);
	}

	@ParameterizedTest
	@MethodSource("scenarios")
	void everyScenarioRendersProbesAndPortsOnTheManagementPlane(String scenario) {
		Rendered rendered = template(scenario);
		Map<String, Object> deployment = rendered.one("Deployment");
		Map<String, Object> container = map(at(deployment, "spec.template.spec.containers.0"));
		Map<String, Object> application = rendered.applicationYml();

		Map<String, Integer> ports = containerPorts(container);
		assertThat(ports.get("management")).isEqualTo(9090).isEqualTo(at(application, "management.server.port"));
		assertThat(ports.get("data")).isEqualTo(at(application, "server.port"));
		assertThat(at(container, "livenessProbe.httpGet.path")).isEqualTo("/actuator/health/liveness");
		assertThat(at(container, "livenessProbe.httpGet.port")).isEqualTo("management");
		assertThat(at(container, "readinessProbe.httpGet.path")).isEqualTo("/actuator/health/readiness");
		assertThat(at(container, "readinessProbe.httpGet.port")).isEqualTo("management");
		assertThat(at(container, "startupProbe.httpGet.port")).isEqualTo("management");

		// application.yml is mounted where the image's SPRING_CONFIG_ADDITIONAL_LOCATION looks.
		assertThat(env(container)).containsEntry("SPRING_CONFIG_ADDITIONAL_LOCATION", "optional:file:/config/");
		assertThat(mountPaths(container)).containsEntry("config", "/config").containsEntry("tmp", "/tmp");
		assertThat(volume(deployment, "config")).containsEntry("configMap",
				Map.of("name", at(rendered.one("ConfigMap", "application.yml"), "metadata.name")));
		assertThat(volume(deployment, "tmp")).containsKey("emptyDir");
		assertThat(map(at(deployment, "spec.template.metadata.annotations"))).containsKey("checksum/config");

		assertThat(at(deployment, "spec.template.spec.securityContext.runAsNonRoot")).isEqualTo(true);
		assertThat(at(container, "securityContext.readOnlyRootFilesystem")).isEqualTo(true);
		assertThat(at(container, "securityContext.allowPrivilegeEscalation")).isEqualTo(false);
		assertThat(at(deployment, "spec.template.spec.terminationGracePeriodSeconds")).isEqualTo(45);

		Map<String, Object> service = rendered.one("Service");
		assertThat(servicePorts(service)).containsEntry("management", 9090);
		assertThat(listOf(at(service, "spec.ports"))).allSatisfy((port) -> assertThat(map(port).get("targetPort"))
			.isEqualTo(map(port).get("name")));
		// The Service selects the Deployment's pods.
		assertThat(map(at(deployment, "spec.template.metadata.labels")))
			.containsAllEntriesOf(map(at(service, "spec.selector")));
		assertThat(map(at(service, "spec.selector"))).containsOnlyKeys("app.kubernetes.io/name",
				"app.kubernetes.io/instance");
	}

	@ParameterizedTest
	@MethodSource("scenarios")
	void everyScenarioBindsToTheApplicationsPropertiesAndRoutes(String scenario) throws IOException {
		Rendered rendered = template(scenario);
		GatewayProperties properties = bind(rendered.applicationYmlText());
		List<GatewayRoute> routes = ConfigRoutes.from(properties);

		Map<String, Object> values = scenarioValues(scenario);
		List<Object> valueRoutes = listOf(at(values, "gateway.routes"));
		List<Object> valuePortRoutes = listOf(at(values, "gateway.portRoutes"));
		assertThat(routes).hasSize(valueRoutes.size() + valuePortRoutes.size());
		List<String> expectedIds = Stream.concat(valueRoutes.stream(), valuePortRoutes.stream())
			.map((route) -> (String) map(route).get("id"))
			.collect(Collectors.toList());
		assertThat(routes).extracting(GatewayRoute::id).containsExactlyInAnyOrderElementsOf(expectedIds);
		// The file store must write to the mounted data volume: the root file system is read-only.
		assertThat(properties.getStore().getFile()).isEqualTo(Path.of("/var/lib/pomelo-gateway/routes.json"));
		Map<String, Object> container = map(listOf(at(rendered.one("Deployment"), "spec.template.spec.containers")).get(0));
		assertThat(mountPaths(container)).containsEntry("data", "/var/lib/pomelo-gateway");
	}

	@Test
	void routesRenderInTheShapeTheApplicationBinds() {
		Map<String, Object> gateway = map(at(template("routes-values.yaml").applicationYml(), "pomelo.gateway"));
		assertThat(at(gateway, "routes.0.id")).isEqualTo("gate");
		assertThat(at(gateway, "routes.0.prefix")).isEqualTo("/gate/");
		assertThat(at(gateway, "routes.0.targets")).isEqualTo(List.of("ws://pomelo-gate:3014"));
		assertThat(at(gateway, "routes.1.targets")).isEqualTo(List.of("ws://pomelo-connector-0.pomelo-connector:3050",
				"ws://pomelo-connector-1.pomelo-connector:3050"));
		// camelCase values become the kebab-case keys of the README.
		assertThat(map(at(gateway, "routes.1"))).containsEntry("idle-timeout", "300s")
			.containsEntry("max-connections", 5000)
			.containsEntry("max-frame-payload", "1MB")
			.containsEntry("strip-prefix", false)
			.doesNotContainKeys("idleTimeout", "maxConnections");
		assertThat(at(gateway, "port-routes.0.prefix")).isEqualTo("/ws/");
		assertThat(at(gateway, "port-routes.0.host")).isEqualTo("pomelo-connector");
		assertThat(at(gateway, "port-routes.0.ports")).isEqualTo(List.of(3014, "3050-3059"));
		assertThat(map(at(gateway, "relay"))).containsEntry("connect-timeout", "2s")
			.containsEntry("handshake-timeout", "4s");
		assertThat(gateway).doesNotContainKeys("portRoutes", "tls");
	}

	@Test
	void routesBindWithTheirLimitsAndPortAllowList() {
		GatewayProperties properties = bind(template("routes-values.yaml").applicationYmlText());
		assertThat(properties.getRelay().getConnectTimeout()).isEqualTo(Duration.ofSeconds(2));
		assertThat(properties.getRelay().getHandshakeTimeout()).isEqualTo(Duration.ofSeconds(4));
		List<GatewayRoute> routes = ConfigRoutes.from(properties);
		GatewayRoute gate = route(routes, "gate");
		assertThat(gate.prefix()).isEqualTo("/gate/");
		assertThat(gate.targets()).containsExactly(URI.create("ws://pomelo-gate:3014"));
		// The relay default (idle-timeout 180s from values) applies where the route sets nothing.
		assertThat(gate.limits().idleTimeout()).isEqualTo(Duration.ofSeconds(180));
		assertThat(route(routes, "conn").limits())
			.isEqualTo(new RouteLimits(false, Duration.ofSeconds(300), 5000, (int) DataSize.ofMegabytes(1).toBytes()));
		GatewayRoute connectors = route(routes, "connectors");
		assertThat(connectors.ports().allows(3014)).isTrue();
		assertThat(connectors.ports().allows(3055)).isTrue();
		assertThat(connectors.ports().allows(3060)).isFalse();
		assertThat(connectors.portHost()).isEqualTo("pomelo-connector");
	}

	@Test
	void withoutTlsTheDataPortIsPlain8080BehindServicePort80() {
		Rendered rendered = template("default-values.yaml");
		Map<String, Object> deployment = rendered.one("Deployment");
		assertThat(containerPorts(map(at(deployment, "spec.template.spec.containers.0")))).containsEntry("data", 8080);
		assertThat(servicePorts(rendered.one("Service"))).containsEntry("data", 80);
		assertThat(mountPaths(map(at(deployment, "spec.template.spec.containers.0")))).doesNotContainKey("tls");
		assertThat(map(at(rendered.applicationYml(), "pomelo.gateway"))).doesNotContainKey("tls");
		assertThat(rendered.all("Ingress")).isEmpty();
	}

	@Test
	void tlsMountsTheSecretDirectoryAndPointsTheCertificateAtIt() {
		Rendered rendered = template("tls-values.yaml");
		Map<String, Object> deployment = rendered.one("Deployment");
		Map<String, Object> container = map(at(deployment, "spec.template.spec.containers.0"));
		assertThat(volume(deployment, "tls")).containsEntry("secret", Map.of("secretName", "pomelo-gateway-tls"));
		Map<String, Object> mount = mount(container, "tls");
		assertThat(mount).containsEntry("mountPath", TLS_DIR).containsEntry("readOnly", true);
		// A subPath mount never sees a rotated secret.
		assertThat(mount).doesNotContainKey("subPath");

		Map<String, Object> application = rendered.applicationYml();
		assertThat(at(application, "pomelo.gateway.tls.certificate")).isEqualTo("file:" + TLS_DIR + "/tls.crt");
		assertThat(at(application, "pomelo.gateway.tls.private-key")).isEqualTo("file:" + TLS_DIR + "/tls.key");
		assertThat(at(application, "server.port")).isEqualTo(8443);
		assertThat(containerPorts(container)).containsEntry("data", 8443);
		assertThat(servicePorts(rendered.one("Service"))).containsEntry("data", 443);

		Map<String, Object> ingress = rendered.one("Ingress");
		assertThat(at(ingress, "spec.rules.0.http.paths.0.backend.service.port.name")).isEqualTo("data");
		assertThat(at(ingress, "spec.rules.0.http.paths.0.backend.service.name"))
			.isEqualTo(at(rendered.one("Service"), "metadata.name"));
		assertThat(at(ingress, "spec.tls.0.secretName")).isEqualTo("game-example-com-tls");

		// A rotation controller reads the Deployment's own annotations, not the pod template's.
		assertThat(at(deployment, "metadata.annotations")).isEqualTo(
				Map.of("secret.reloader.stakater.com/reload", "pomelo-gateway-tls"));
		assertThat(map(at(deployment, "spec.template.metadata.annotations")))
			.doesNotContainKey("secret.reloader.stakater.com/reload");
	}

	@Test
	void tlsPathsBecomeTheApplicationsReloadingSslBundle() {
		StandardEnvironment environment = environment(template("tls-values.yaml").applicationYmlText());
		new DataPlaneTlsEnvironmentPostProcessor().postProcessEnvironment(environment, new SpringApplication());
		String bundle = "spring.ssl.bundle.pem." + DataPlaneTlsEnvironmentPostProcessor.BUNDLE + ".";
		assertThat(environment.getProperty("server.ssl.bundle")).isEqualTo(DataPlaneTlsEnvironmentPostProcessor.BUNDLE);
		assertThat(environment.getProperty(bundle + "keystore.certificate")).isEqualTo("file:" + TLS_DIR + "/tls.crt");
		assertThat(environment.getProperty(bundle + "keystore.private-key")).isEqualTo("file:" + TLS_DIR + "/tls.key");
		assertThat(environment.getProperty(bundle + "reload-on-update")).isEqualTo("true");
		assertThat(environment.getProperty("server.port")).isEqualTo("8443");
	}

	@Test
	void serviceMonitorOnlyWhenEnabledAndOnlyWithTheFieldsThatAreSet() {
		assertThat(template("default-values.yaml").all("ServiceMonitor")).isEmpty();
		Rendered rendered = template("servicemonitor-dashboards-values.yaml");
		Map<String, Object> monitor = rendered.one("ServiceMonitor");
		assertThat(at(monitor, "metadata.labels.release")).isEqualTo("kube-prometheus-stack");
		Map<String, Object> endpoint = map(at(monitor, "spec.endpoints.0"));
		assertThat(endpoint).containsEntry("port", "management")
			.containsEntry("path", "/actuator/prometheus")
			.containsEntry("interval", "15s")
			.doesNotContainKeys("scrapeTimeout", "relabelings", "metricRelabelings");
		assertThat(map(at(rendered.one("Service"), "metadata.labels")))
			.containsAllEntriesOf(map(at(monitor, "spec.selector.matchLabels")));
		assertThat(servicePorts(rendered.one("Service"))).containsKey("management");
	}

	@Test
	void podDisruptionBudgetOnlyWhenSet() {
		assertThat(template("default-values.yaml").all("PodDisruptionBudget")).isEmpty();
		Rendered rendered = template("servicemonitor-dashboards-values.yaml");
		Map<String, Object> budget = rendered.one("PodDisruptionBudget");
		assertThat(at(budget, "spec.maxUnavailable")).isEqualTo(1);
		assertThat(map(at(rendered.one("Deployment"), "spec.template.metadata.labels")))
			.containsAllEntriesOf(map(at(budget, "spec.selector.matchLabels")));
		assertThat(at(rendered.one("Deployment"), "spec.replicas")).isEqualTo(2);
	}

	@Test
	void dashboardsShipAsASidecarConfigMap(@TempDir Path temp) throws IOException {
		Path chart = copyChart(temp);
		Path dashboards = Files.createDirectories(chart.resolve("dashboards"));
		String json = "{\"title\": \"pomelo-wx-gateway test\", \"panels\": []}";
		Files.writeString(dashboards.resolve("test-dashboard.json"), json);
		Files.writeString(dashboards.resolve("notes.txt"), "not a dashboard");
		Rendered rendered = template(chart, "servicemonitor-dashboards-values.yaml", UnaryOperator.identity());
		Map<String, Object> configMap = rendered.one("ConfigMap", "test-dashboard.json");
		assertThat(at(configMap, "metadata.labels.grafana_dashboard")).isEqualTo("1");
		assertThat(at(configMap, "metadata.annotations.grafana_folder")).isEqualTo("Pomelo");
		// The chart's own dashboard ships beside it; files that are not JSON do not.
		assertThat(map(configMap.get("data"))).containsOnlyKeys("test-dashboard.json", "pomelo-gateway.json")
			.containsEntry("test-dashboard.json", json);

		// Switched off, the same chart ships no dashboards.
		Rendered off = template(chart, "servicemonitor-dashboards-values.yaml",
				(command) -> command.set("grafana.dashboards.enabled", false));
		assertThat(off.all("ConfigMap")).hasSize(1);
	}

	@ParameterizedTest
	@ValueSource(booleans = { true, false })
	void dashboardsEnabledWithoutDashboardFilesRendersNoConfigMap(boolean folderExists, @TempDir Path temp)
			throws IOException {
		Path chart = copyChart(temp);
		FileSystemUtils.deleteRecursively(chart.resolve("dashboards"));
		if (folderExists) {
			Files.createDirectories(chart.resolve("dashboards"));
		}
		Rendered rendered = template(chart, "servicemonitor-dashboards-values.yaml", UnaryOperator.identity());
		assertThat(rendered.all("ConfigMap")).hasSize(1);
		assertThat(rendered.one("ConfigMap", "application.yml")).isNotNull();
	}

	@Test
	void helmTestPodCurlsHealthOnTheManagementPort(@TempDir Path temp) throws IOException {
		// helm-java's template leaves hooks out; a copy with the hook annotation removed renders the pod.
		Path chart = copyChart(temp);
		Path testPod = chart.resolve("templates/tests/test-connection.yaml");
		String source = Files.readString(testPod);
		assertThat(source).contains("\"helm.sh/hook\": test");
		Files.writeString(testPod, source.replace("\"helm.sh/hook\": test", "\"example.com/was-hook\": test"));
		Rendered rendered = template(chart, "default-values.yaml", UnaryOperator.identity());
		Map<String, Object> pod = rendered.one("Pod");
		Map<String, Object> service = rendered.one("Service");
		String url = "http://" + at(service, "metadata.name") + ":" + servicePorts(service).get("management")
				+ "/actuator/health";
		assertThat(at(pod, "spec.containers.0.command")).isEqualTo(List.of("curl"));
		assertThat(listOf(at(pod, "spec.containers.0.args"))).contains("--fail", url);
		assertThat(at(pod, "spec.restartPolicy")).isEqualTo("Never");
	}

	@Test
	void notesWarnWithoutTlsAndNameTheWssHostWithIt() {
		String plain = notes("default-values.yaml");
		assertThat(plain).contains("WARNING: no tls.secretName").contains("none: set gateway.routes");
		String tls = notes("tls-values.yaml");
		assertThat(tls).contains("wss://game.example.com/").contains("/gate/ -> ws://pomelo-gate:3014")
			.doesNotContain("WARNING");
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', textBlock = """
			replicaCount=two | replicaCount: Invalid type. Expected: integer, given: string
			gateway.routes[0].id=gate,gateway.routes[0].prefix=/gate/ | gateway.routes.0: targets is required
			gateway.routes[0].id=gate,gateway.routes[0].prefix=gate,gateway.routes[0].targets[0]=ws://a:1 | gateway.routes.0.prefix: Does not match pattern
			gateway.routes[0].id=gate,gateway.routes[0].prefix=/gate/,gateway.routes[0].targets[0]=http://a:1 | gateway.routes.0.targets.0: Does not match pattern
			gateway.routes[0].id=Gate,gateway.routes[0].prefix=/gate/,gateway.routes[0].targets[0]=ws://a:1 | gateway.routes.0.id: Does not match pattern
			gateway.routes[0].id=gate,gateway.routes[0].prefix=/gate/,gateway.routes[0].target[0]=ws://a:1 | gateway.routes.0: Additional property target is not allowed
			gateway.portRoutes[0].id=ws,gateway.portRoutes[0].prefix=/ws/,gateway.portRoutes[0].ports[0]=30x | gateway.portRoutes.0.ports.0: Does not match pattern
			gateway.relay.idleTimeout=forever | gateway.relay.idleTimeout: Does not match pattern
			gateway.relay.maxFramePayload=16MiB | gateway.relay.maxFramePayload: Does not match pattern
			service.type=Ingress | service.type must be one of the following
			gatway.relay.idleTimeout=5s | (root): Additional property gatway is not allowed
			""")
	void schemaRejectsBadValues(String assignments, String problem) {
		assertThatException().isThrownBy(() -> template(CHART, "default-values.yaml", (command) -> {
			for (String assignment : assignments.split(",")) {
				String[] pair = assignment.split("=", 2);
				command.set(pair[0], pair[1]);
			}
			return command;
		}))
			.withMessageContaining("values don't meet the specifications of the schema")
			.withMessageContaining(problem);
	}

	@Test
	void schemaAcceptsTheSameValuesWhenCorrect() {
		Rendered rendered = template(CHART, "default-values.yaml",
				(command) -> command.set("replicaCount", 2)
					.set("gateway.routes[0].id", "gate")
					.set("gateway.routes[0].prefix", "/gate/")
					.set("gateway.routes[0].targets[0]", "ws://a:1")
					.set("gateway.relay.idleTimeout", "5m"));
		assertThat(at(rendered.one("Deployment"), "spec.replicas")).isEqualTo(2);
		assertThat(ConfigRoutes.from(bind(rendered.applicationYmlText()))).extracting(GatewayRoute::id)
			.containsExactly("gate");
	}

	// ---- rendering

	private static Rendered template(String scenario) {
		return template(CHART, scenario, UnaryOperator.identity());
	}

	private static Rendered template(Path chart, String scenario, UnaryOperator<TemplateCommand> customizer) {
		TemplateCommand command = new Helm(chart).template()
			.withName("games")
			.withNamespace("pomelo")
			.withValuesFile(CHART.resolve("ci").resolve(scenario).toAbsolutePath());
		return new Rendered(customizer.apply(command).call());
	}

	private static String notes(String scenario) {
		return new Helm(CHART).install()
			.withName("games")
			.withNamespace("pomelo")
			.clientOnly()
			.withDryRunOption(DryRun.CLIENT)
			.withValuesFile(CHART.resolve("ci").resolve(scenario).toAbsolutePath())
			.call()
			.getOutput();
	}

	private static Map<String, Object> scenarioValues(String scenario) throws IOException {
		Map<String, Object> values = new Yaml().load(Files.readString(CHART.resolve("ci").resolve(scenario)));
		return (values != null) ? values : Map.of();
	}

	private static Path copyChart(Path temp) throws IOException {
		Path copy = temp.resolve("pomelo-wx-gateway");
		FileSystemUtils.copyRecursively(CHART, copy);
		return copy;
	}

	/** The objects of one {@code helm template} run. */
	private static final class Rendered {

		private final List<Map<String, Object>> objects = new ArrayList<>();

		Rendered(String manifest) {
			for (Object document : new Yaml().loadAll(manifest)) {
				if (document != null) {
					this.objects.add(map(document));
				}
			}
		}

		List<Map<String, Object>> all(String kind) {
			return this.objects.stream().filter((object) -> kind.equals(object.get("kind"))).collect(Collectors.toList());
		}

		Map<String, Object> one(String kind) {
			List<Map<String, Object>> all = all(kind);
			assertThat(all).as("rendered %s objects", kind).hasSize(1);
			return all.get(0);
		}

		Map<String, Object> one(String kind, String dataKey) {
			List<Map<String, Object>> all = all(kind).stream()
				.filter((object) -> object.get("data") != null && map(object.get("data")).containsKey(dataKey))
				.collect(Collectors.toList());
			assertThat(all).as("rendered %s objects with %s", kind, dataKey).hasSize(1);
			return all.get(0);
		}

		String applicationYmlText() {
			return (String) map(one("ConfigMap", "application.yml").get("data")).get("application.yml");
		}

		Map<String, Object> applicationYml() {
			return map(new Yaml().load(applicationYmlText()));
		}

	}

	// ---- binding the rendered application.yml as the application does

	private static StandardEnvironment environment(String applicationYml) {
		try {
			List<PropertySource<?>> sources = new YamlPropertySourceLoader()
				.load("helm application.yml", new ByteArrayResource(applicationYml.getBytes(StandardCharsets.UTF_8)));
			StandardEnvironment environment = new StandardEnvironment();
			sources.forEach(environment.getPropertySources()::addFirst);
			return environment;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static GatewayProperties bind(String applicationYml) {
		StandardEnvironment environment = environment(applicationYml);
		Binder binder = new Binder(ConfigurationPropertySources.get(environment));
		return binder.bindOrCreate("pomelo.gateway", GatewayProperties.class);
	}

	private static GatewayRoute route(List<GatewayRoute> routes, String id) {
		return routes.stream().filter((route) -> route.id().equals(id)).findFirst().orElseThrow();
	}

	// ---- navigating parsed YAML

	@SuppressWarnings("unchecked")
	private static Map<String, Object> map(Object value) {
		assertThat(value).isInstanceOf(Map.class);
		return (Map<String, Object>) value;
	}

	@SuppressWarnings("unchecked")
	private static List<Object> listOf(Object value) {
		return (value != null) ? (List<Object>) value : List.of();
	}

	/** The value at a dotted path; numeric segments index lists; {@code null} when absent. */
	private static Object at(Object root, String path) {
		Object current = root;
		for (String segment : path.split("\\.")) {
			if (current instanceof Map<?, ?> object) {
				current = object.get(segment);
			}
			else if (current instanceof List<?> list && segment.chars().allMatch(Character::isDigit)) {
				int index = Integer.parseInt(segment);
				current = (index < list.size()) ? list.get(index) : null;
			}
			else {
				return null;
			}
		}
		return current;
	}

	private static Map<String, Integer> containerPorts(Map<String, Object> container) {
		return listOf(container.get("ports")).stream()
			.map(HelmChartTests::map)
			.collect(Collectors.toMap((port) -> (String) port.get("name"), (port) -> (Integer) port.get("containerPort")));
	}

	private static Map<String, Integer> servicePorts(Map<String, Object> service) {
		return listOf(at(service, "spec.ports")).stream()
			.map(HelmChartTests::map)
			.collect(Collectors.toMap((port) -> (String) port.get("name"), (port) -> (Integer) port.get("port")));
	}

	private static Map<String, String> env(Map<String, Object> container) {
		return listOf(container.get("env")).stream()
			.map(HelmChartTests::map)
			.collect(Collectors.toMap((env) -> (String) env.get("name"), (env) -> String.valueOf(env.get("value"))));
	}

	private static Map<String, String> mountPaths(Map<String, Object> container) {
		return listOf(container.get("volumeMounts")).stream()
			.map(HelmChartTests::map)
			.collect(Collectors.toMap((mount) -> (String) mount.get("name"), (mount) -> (String) mount.get("mountPath")));
	}

	private static Map<String, Object> mount(Map<String, Object> container, String name) {
		return listOf(container.get("volumeMounts")).stream()
			.map(HelmChartTests::map)
			.filter((mount) -> name.equals(mount.get("name")))
			.findFirst()
			.orElseThrow(() -> new AssertionError("no volume mount " + name));
	}

	private static Map<String, Object> volume(Map<String, Object> deployment, String name) {
		return listOf(at(deployment, "spec.template.spec.volumes")).stream()
			.map(HelmChartTests::map)
			.filter((volume) -> name.equals(volume.get("name")))
			.findFirst()
			.orElseThrow(() -> new AssertionError("no volume " + name));
	}

	private static void collectUndescribed(Map<String, Object> schema, String path, List<String> undescribed) {
		Object properties = schema.get("properties");
		if (properties != null) {
			map(properties).forEach((name, property) -> {
				if (!map(property).containsKey("description")) {
					undescribed.add(path + name);
				}
				collectUndescribed(map(property), path + name + ".", undescribed);
			});
		}
		if (schema.get("items") instanceof Map<?, ?> items) {
			collectUndescribed(map(items), path + "[].", undescribed);
		}
	}

}
