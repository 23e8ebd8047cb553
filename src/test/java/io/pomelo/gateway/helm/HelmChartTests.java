package io.pomelo.gateway.helm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.openshift.api.model.monitoring.v1.Endpoint;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
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
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.util.FileSystemUtils;
import org.springframework.util.unit.DataSize;

import io.pomelo.gateway.config.DataPlaneTlsEnvironmentPostProcessor;
import io.pomelo.gateway.config.AdminProperties;
import io.pomelo.gateway.config.PomeloGatewayProperties;
import io.pomelo.gateway.config.StoreProperties;
import io.pomelo.gateway.route.ConfigRoutes;
import io.pomelo.gateway.route.GatewayRoute;
import io.pomelo.gateway.route.PortAddressedRoute;
import io.pomelo.gateway.route.RouteLimits;
import io.pomelo.gateway.route.TargetRoute;

import static io.pomelo.gateway.helm.RenderedChart.CHART;
import static io.pomelo.gateway.helm.RenderedChart.FULLNAME;
import static io.pomelo.gateway.helm.YamlPaths.at;
import static io.pomelo.gateway.helm.YamlPaths.listOf;
import static io.pomelo.gateway.helm.YamlPaths.map;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The Helm chart under {@code helm/pomelo-wx-gateway}, linted and rendered by the real
 * Helm, with every rendered object read strictly into the typed Kubernetes model
 * ({@link RenderedChart}). The rendered {@code application.yml} is bound to
 * {@link PomeloGatewayProperties} and turned into routes, so the chart and the
 * application cannot drift apart. The JVM flags the chart renders are run in
 * {@link HelmChartJvmOptionsTests}.
 */
class HelmChartTests {

	private static final String TLS_DIR = "/etc/pomelo-gateway/tls";

	private static final String MANAGEMENT_SERVICE = FULLNAME + "-management";

	static Stream<String> scenarios() throws IOException {
		try (Stream<Path> files = Files.list(CHART.resolve("ci"))) {
			List<String> names = files.map((file) -> file.getFileName().toString())
				.filter((name) -> name.endsWith("-values.yaml"))
				.sorted()
				.collect(Collectors.toList());
			assertThat(names).contains("default-values.yaml", "tls-values.yaml", "routes-values.yaml",
					"servicemonitor-dashboards-values.yaml", "loadbalancer-values.yaml", "production-values.yaml",
					"autoscaling-values.yaml");
			return names.stream();
		}
	}

	// ---- the chart as a whole

	@Test
	void chartLintsCleanInStrictMode() {
		LintResult result = new Helm(CHART).lint().strict().call();
		assertThat(result.isFailed()).as(String.join("\n", result.getMessages())).isFalse();
		assertThat(result.getMessages())
			.noneMatch((message) -> message.contains("[WARNING]") || message.contains("[ERROR]"));
	}

	@Test
	void valuesStartWithTheSchemaLineAndEverySchemaPropertyIsDescribed() throws IOException {
		assertThat(Files.readAllLines(CHART.resolve("values.yaml")).get(0))
			.isEqualTo("# yaml-language-server: $schema=values.schema.json");
		Map<String, Object> schema = new Yaml().load(Files.readString(CHART.resolve("values.schema.json")));
		List<String> undescribed = new ArrayList<>();
		collectUndescribed(schema, "", undescribed);
		assertThat(undescribed).isEmpty();
		// Every top-level key of values.yaml is in the schema, which rejects unknown
		// keys.
		Map<String, Object> values = new Yaml().load(Files.readString(CHART.resolve("values.yaml")));
		assertThat(map(schema.get("properties")).keySet()).containsAll(values.keySet());
		assertThat(schema.get("additionalProperties")).isEqualTo(false);
	}

	@ParameterizedTest
	@MethodSource("scenarios")
	void everyScenarioRendersOnlyKindsOfTheTypedModelWithNoUnknownField(String scenario) {
		RenderedChart rendered = RenderedChart.of(scenario);
		// RenderedChart has read each object strictly; here: the objects every release
		// has.
		assertThat(rendered.objects()).extracting(HasMetadata::getKind)
			.contains("Deployment", "Service", "ConfigMap", "ServiceAccount");
		assertThat(rendered.all(Service.class)).extracting((service) -> service.getMetadata().getName())
			.containsExactlyInAnyOrder(FULLNAME, MANAGEMENT_SERVICE);
	}

	@Test
	void strictModelRefusesUnknownFieldsWrongScalarsAndUnknownKinds() {
		Map<String, Object> good = deploymentDocument(
				Map.of("name", "gateway", "image", "gateway:1", "env", List.of(Map.of("name", "A", "value", "8080"))));
		assertThat(StrictKubernetesModel.read(good)).isInstanceOf(Deployment.class);
		// A misspelt field, which fabric8 alone would keep as an additional property.
		assertThatIllegalArgumentException()
			.isThrownBy(() -> StrictKubernetesModel.read(deploymentDocument(Map.of("name", "gateway", "imagee", "x"))))
			.withMessageContaining("imagee");
		// An unquoted number where the API server wants a string.
		assertThatIllegalArgumentException()
			.isThrownBy(() -> StrictKubernetesModel.read(
					deploymentDocument(Map.of("name", "gateway", "env", List.of(Map.of("name", "A", "value", 8080))))))
			.withMessageContaining("value");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> StrictKubernetesModel.read(Map.of("apiVersion", "v1", "kind", "Secret")))
			.withMessageContaining("v1/Secret");
	}

	@Test
	void aMisspeltFieldInATemplateFailsTheRender(@TempDir Path temp) throws IOException {
		Path chart = RenderedChart.copyChart(temp);
		Path deployment = chart.resolve("templates/deployment.yaml");
		String source = Files.readString(deployment);
		assertThat(source).contains("terminationGracePeriodSeconds:");
		Files.writeString(deployment,
				source.replace("terminationGracePeriodSeconds:", "terminationGracePeriodSecond:"));
		assertThatIllegalArgumentException()
			.isThrownBy(() -> RenderedChart.of(chart, "default-values.yaml", UnaryOperator.identity()))
			.withMessageContaining("terminationGracePeriodSecond");
	}

	// ---- item 1: a public Service with the data port only, a private one for the
	// control plane

	@ParameterizedTest
	@MethodSource("scenarios")
	void thePublicServiceNeverCarriesTheManagementPort(String scenario) {
		RenderedChart rendered = RenderedChart.of(scenario);
		Service data = rendered.dataService();
		assertThat(data.getSpec().getPorts()).extracting(ServicePort::getName).containsExactly("data");
		assertThat(data.getSpec().getPorts().get(0).getTargetPort()).isEqualTo(new IntOrString("data"));
		assertThat(data.getSpec().getPorts()).extracting(ServicePort::getPort).doesNotContain(9090);

		Service management = rendered.managementService();
		assertThat(management.getSpec().getType()).isEqualTo("ClusterIP");
		assertThat(management.getSpec().getPorts()).extracting(ServicePort::getName).containsExactly("management");
		assertThat(management.getSpec().getPorts().get(0).getTargetPort()).isEqualTo(new IntOrString("management"));
		assertThat(management.getSpec().getPorts().get(0).getPort()).isEqualTo(9090);
		assertThat(management.getMetadata().getLabels()).containsEntry("app.kubernetes.io/component", "management");

		// Both select the Deployment's pods, by the stable selector labels only.
		Map<String, String> podLabels = rendered.deployment().getSpec().getTemplate().getMetadata().getLabels();
		for (Service service : List.of(data, management)) {
			assertThat(service.getSpec().getSelector()).containsOnlyKeys("app.kubernetes.io/name",
					"app.kubernetes.io/instance");
			assertThat(podLabels).containsAllEntriesOf(service.getSpec().getSelector());
		}
		for (Ingress ingress : rendered.all(Ingress.class)) {
			ingress.getSpec().getRules().forEach((rule) -> rule.getHttp().getPaths().forEach((path) -> {
				assertThat(path.getBackend().getService().getName()).isEqualTo(FULLNAME);
				assertThat(path.getBackend().getService().getPort().getName()).isEqualTo("data");
			}));
		}
	}

	@Test
	void serviceMonitorScrapesTheManagementServiceOnly() {
		assertThat(RenderedChart.of("default-values.yaml").all(ServiceMonitor.class)).isEmpty();
		RenderedChart rendered = RenderedChart.of("servicemonitor-dashboards-values.yaml");
		ServiceMonitor monitor = rendered.one(ServiceMonitor.class);
		assertThat(monitor.getMetadata().getLabels()).containsEntry("release", "kube-prometheus-stack");
		Map<String, String> selector = monitor.getSpec().getSelector().getMatchLabels();
		assertThat(rendered.managementService().getMetadata().getLabels()).containsAllEntriesOf(selector);
		assertThat(rendered.dataService().getMetadata().getLabels()).doesNotContainEntry("app.kubernetes.io/component",
				"management");
		assertThat(selects(selector, rendered.dataService().getMetadata().getLabels())).isFalse();
		Endpoint endpoint = monitor.getSpec().getEndpoints().get(0);
		assertThat(endpoint.getPort()).isEqualTo("management");
		assertThat(endpoint.getPath()).isEqualTo("/actuator/prometheus");
		assertThat(endpoint.getInterval()).isEqualTo("15s");
		assertThat(endpoint.getScrapeTimeout()).isNull();
		assertThat(endpoint.getRelabelings()).isNullOrEmpty();
		assertThat(endpoint.getMetricRelabelings()).isNullOrEmpty();
		assertThat(monitor.getSpec().getNamespaceSelector().getMatchNames()).containsExactly(RenderedChart.NAMESPACE);
	}

	@Test
	void networkPolicyLetsManagementInFromListedPeersOnlyAndEgressToDnsBackendsAndRedis(@TempDir Path temp)
			throws IOException {
		assertThat(RenderedChart.of("default-values.yaml").all(NetworkPolicy.class)).isEmpty();
		RenderedChart rendered = RenderedChart.of("production-values.yaml");
		NetworkPolicy policy = rendered.one(NetworkPolicy.class);
		assertThat(policy.getSpec().getPodSelector().getMatchLabels())
			.isEqualTo(rendered.deployment().getSpec().getSelector().getMatchLabels());
		assertThat(policy.getSpec().getPolicyTypes()).containsExactly("Ingress", "Egress");

		List<NetworkPolicyIngressRule> ingress = policy.getSpec().getIngress();
		assertThat(ingress).hasSize(2);
		NetworkPolicyIngressRule data = ingressRule(ingress, "data");
		assertThat(data.getFrom()).as("the data port is public").isNullOrEmpty();
		NetworkPolicyIngressRule management = ingressRule(ingress, "management");
		assertThat(management.getFrom()).hasSize(2);
		// The helm test pod, by its own labels, then the listed Prometheus.
		Pod testPod = testPod(rendered(chartWithTestPod(temp), "production-values.yaml"));
		assertThat(testPod.getMetadata().getLabels())
			.containsAllEntriesOf(management.getFrom().get(0).getPodSelector().getMatchLabels());
		assertThat(management.getFrom().get(1).getNamespaceSelector().getMatchLabels())
			.containsEntry("kubernetes.io/metadata.name", "monitoring");
		assertThat(management.getFrom().get(1).getPodSelector().getMatchLabels())
			.containsEntry("app.kubernetes.io/name", "prometheus");

		List<NetworkPolicyEgressRule> egress = policy.getSpec().getEgress();
		assertThat(egress).hasSize(3);
		assertThat(egress.get(0).getPorts()).extracting(this::portText).containsExactly("UDP 53", "TCP 53");
		assertThat(egress.get(0).getTo().get(0).getPodSelector().getMatchLabels()).containsEntry("k8s-app", "kube-dns");
		// The static route's port, the port route's range, and the target policy's
		// allow-ports (admin on).
		assertThat(egress.get(1).getPorts()).extracting(this::portText)
			.containsExactly("TCP 3014", "TCP 3050-3059", "TCP 3100");
		assertThat(egress.get(1).getTo().get(0).getNamespaceSelector().getMatchLabels())
			.containsEntry("kubernetes.io/metadata.name", "pomelo");
		// Redis on the port of config.spring.data.redis.port.
		assertThat(egress.get(2).getPorts()).extracting(this::portText).containsExactly("TCP 6380");
		assertThat(egress.get(2).getTo().get(0).getPodSelector().getMatchLabels())
			.containsEntry("app.kubernetes.io/name", "redis");
	}

	@Test
	void networkPolicyBackendPortsFollowTheRoutesAndDataFromKeepsTheTestPodsUpgrade() {
		RenderedChart rendered = RenderedChart.of("routes-values.yaml",
				(command) -> command.set("networkPolicy.enabled", true).set("networkPolicy.egress.enabled", true));
		List<NetworkPolicyEgressRule> egress = rendered.one(NetworkPolicy.class).getSpec().getEgress();
		assertThat(egress).hasSize(2);
		// 3014 is named twice (a gate target and the port route) and listed once.
		assertThat(egress.get(1).getPorts()).extracting(this::portText)
			.containsExactly("TCP 3014", "TCP 3050", "TCP 3050-3059");
		assertThat(egress.get(1).getTo()).as("no peers listed: any address on those ports").isNullOrEmpty();

		RenderedChart narrowed = RenderedChart.of("routes-values.yaml",
				(command) -> command.set("networkPolicy.enabled", true)
					.set("networkPolicy.dataFrom[0].namespaceSelector.matchLabels.kubernetes\\.io/metadata\\.name",
							"ingress-nginx"));
		NetworkPolicyIngressRule data = ingressRule(narrowed.one(NetworkPolicy.class).getSpec().getIngress(), "data");
		// The helm test pod keeps its upgrade, and the listed Ingress controller's
		// namespace gets in.
		assertThat(data.getFrom()).hasSize(2);
		assertThat(data.getFrom().get(0).getPodSelector().getMatchLabels()).containsEntry("app.kubernetes.io/name",
				"pomelo-wx-gateway-test");
		assertThat(data.getFrom().get(1).getNamespaceSelector().getMatchLabels())
			.containsEntry("kubernetes.io/metadata.name", "ingress-nginx");

		RenderedChart ingressOnly = RenderedChart.of("routes-values.yaml",
				(command) -> command.set("networkPolicy.enabled", true));
		assertThat(ingressOnly.one(NetworkPolicy.class).getSpec().getPolicyTypes()).containsExactly("Ingress");
		assertThat(ingressOnly.one(NetworkPolicy.class).getSpec().getEgress()).isNullOrEmpty();
	}

	// ---- item 2: rollouts without a 503

	@Test
	void podsPauseBeforeSigtermAndTheGracePeriodCoversTheWholeShutdown() {
		RenderedChart rendered = RenderedChart.of("default-values.yaml");
		Container container = rendered.container();
		assertThat(container.getLifecycle().getPreStop().getExec().getCommand()).containsExactly("sleep", "10");
		// 10 s pause + 10 s drain + 5 s close grace + 30 s shutdown phase, and 5 s for
		// the JVM to exit.
		assertThat(rendered.deployment().getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds())
			.isEqualTo(60);
		assertThat(at(rendered.applicationYml(), "pomelo.gateway.relay.drain-period")).isEqualTo("10s");
		assertThat(bind(rendered.applicationYmlText()).getRelay().getDrainPeriod()).isEqualTo(Duration.ofSeconds(10));
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', textBlock = """
			10s   | 10 | 30s                                    | 60
			500ms | 10 | 30s                                    | 51
			PT1M  | 10 | 30s                                    | 110
			20000 | 10 | 30s                                    | 70
			10s   | 0  | 30s                                    | 50
			10s   | 10 | 1m                                     | 90
			10s   | 10 | PT0.5S                                 | 31
			""")
	void gracePeriodIsComputedFromDrainPreStopAndShutdownPhaseInAnyDurationForm(String drain, int preStop, String phase,
			int grace) {
		RenderedChart rendered = RenderedChart.of("default-values.yaml",
				(command) -> command.set("gateway.relay.drainPeriod", drain)
					.set("preStop.sleepSeconds", preStop)
					.set("config.spring.lifecycle.timeout-per-shutdown-phase", phase));
		assertThat(rendered.deployment().getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds())
			.isEqualTo(grace);
		if (preStop == 0) {
			assertThat(rendered.container().getLifecycle()).isNull();
		}
	}

	@Test
	void gracePeriodShorterThanTheShutdownFailsNamingTheValues() {
		assertThatIllegalStateException(() -> RenderedChart.of("default-values.yaml",
				(command) -> command.set("terminationGracePeriodSeconds", 45)))
			.withMessageContaining("terminationGracePeriodSeconds=45 is shorter than the shutdown needs")
			.withMessageContaining("preStop.sleepSeconds (10)")
			.withMessageContaining("gateway.relay.drainPeriod (10 s)")
			.withMessageContaining("config.spring.lifecycle.timeout-per-shutdown-phase (30 s) = 55 s");
		assertThatIllegalStateException(() -> RenderedChart.of("production-values.yaml",
				(command) -> command.set("terminationGracePeriodSeconds", 50)))
			.withMessageContaining("gateway.relay.drainPeriod (20 s)")
			.withMessageContaining("(20 s) = 55 s");
		// Long enough: kept as given.
		RenderedChart rendered = RenderedChart.of("default-values.yaml",
				(command) -> command.set("terminationGracePeriodSeconds", 55));
		assertThat(rendered.deployment().getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds())
			.isEqualTo(55);
	}

	@Test
	void aDrainPeriodThatIsNoDurationFailsNamingTheValue() {
		assertThatIllegalStateException(() -> RenderedChart.of("default-values.yaml",
				(command) -> command.set("config.spring.lifecycle.timeout-per-shutdown-phase", "half a minute")))
			.withMessageContaining(
					"config.spring.lifecycle.timeout-per-shutdown-phase=half a minute is not a duration");
	}

	@Test
	void rolloutsStartTheNewPodBeforeStoppingAnOldOneAndSpreadPodsOverNodes() {
		Deployment deployment = RenderedChart.of("default-values.yaml").deployment();
		assertThat(deployment.getSpec().getStrategy().getType()).isEqualTo("RollingUpdate");
		assertThat(deployment.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable())
			.isEqualTo(new IntOrString(0));
		assertThat(deployment.getSpec().getStrategy().getRollingUpdate().getMaxSurge()).isEqualTo(new IntOrString(1));
		PodSpec pod = deployment.getSpec().getTemplate().getSpec();
		var soft = pod.getAffinity().getPodAntiAffinity();
		assertThat(soft.getRequiredDuringSchedulingIgnoredDuringExecution()).isNullOrEmpty();
		assertThat(soft.getPreferredDuringSchedulingIgnoredDuringExecution()).hasSize(1);
		var term = soft.getPreferredDuringSchedulingIgnoredDuringExecution().get(0).getPodAffinityTerm();
		assertThat(term.getTopologyKey()).isEqualTo("kubernetes.io/hostname");
		assertThat(term.getLabelSelector().getMatchLabels())
			.isEqualTo(deployment.getSpec().getSelector().getMatchLabels());

		var hard = RenderedChart.of("default-values.yaml", (command) -> command.set("podAntiAffinity", "hard"))
			.deployment()
			.getSpec()
			.getTemplate()
			.getSpec()
			.getAffinity()
			.getPodAntiAffinity();
		assertThat(hard.getPreferredDuringSchedulingIgnoredDuringExecution()).isNullOrEmpty();
		assertThat(hard.getRequiredDuringSchedulingIgnoredDuringExecution()).hasSize(1);
		assertThat(RenderedChart.of("default-values.yaml", (command) -> command.set("podAntiAffinity", "none"))
			.deployment()
			.getSpec()
			.getTemplate()
			.getSpec()
			.getAffinity()).isNull();
		// An affinity of one's own replaces the default entirely.
		PodSpec own = RenderedChart
			.of("default-values.yaml",
					(command) -> command
						.set("affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution"
								+ ".nodeSelectorTerms[0].matchExpressions[0].key", "pool")
						.set("affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution"
								+ ".nodeSelectorTerms[0].matchExpressions[0].operator", "Exists"))
			.deployment()
			.getSpec()
			.getTemplate()
			.getSpec();
		assertThat(own.getAffinity().getPodAntiAffinity()).isNull();
		assertThat(own.getAffinity().getNodeAffinity()).isNotNull();
	}

	@Test
	void autoscalingScalesOnSessionsPerPodAndCpuWithASlowScaleDown() {
		RenderedChart rendered = RenderedChart.of("autoscaling-values.yaml");
		HorizontalPodAutoscaler hpa = rendered.one(HorizontalPodAutoscaler.class);
		assertThat(hpa.getSpec().getScaleTargetRef().getKind()).isEqualTo("Deployment");
		assertThat(hpa.getSpec().getScaleTargetRef().getName())
			.isEqualTo(rendered.deployment().getMetadata().getName());
		assertThat(hpa.getSpec().getMinReplicas()).isEqualTo(2);
		assertThat(hpa.getSpec().getMaxReplicas()).isEqualTo(8);
		List<MetricSpec> metrics = hpa.getSpec().getMetrics();
		assertThat(metrics).extracting(MetricSpec::getType).containsExactly("Pods", "Resource");
		assertThat(metrics.get(0).getPods().getMetric().getName()).isEqualTo("pomelo_gateway_connections_active");
		assertThat(metrics.get(0).getPods().getTarget().getType()).isEqualTo("AverageValue");
		assertThat(metrics.get(0).getPods().getTarget().getAverageValue()).isEqualTo(new Quantity("8000"));
		assertThat(metrics.get(1).getResource().getName()).isEqualTo("cpu");
		assertThat(metrics.get(1).getResource().getTarget().getAverageUtilization()).isEqualTo(60);
		var scaleDown = hpa.getSpec().getBehavior().getScaleDown();
		assertThat(scaleDown.getStabilizationWindowSeconds()).isEqualTo(600);
		assertThat(scaleDown.getPolicies()).singleElement()
			.satisfies((policy) -> assertThat(List.of(policy.getType(), policy.getValue(), policy.getPeriodSeconds()))
				.containsExactly("Pods", 1, 300));
		// The HPA owns the replica count: the Deployment names none, so an upgrade does
		// not reset it.
		assertThat(rendered.deployment().getSpec().getReplicas()).isNull();
		assertThat(RenderedChart.of("default-values.yaml").all(HorizontalPodAutoscaler.class)).isEmpty();
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|',
			textBlock = """
					autoscaling.minReplicas=5                                                             | autoscaling.minReplicas=5 is above autoscaling.maxReplicas=3
					autoscaling.targetCPUUtilizationPercentage=null                                       | autoscaling.enabled=true needs autoscaling.targetConnectionsPerPod or autoscaling.targetCPUUtilizationPercentage
					resources.requests.cpu=null                                                           | resources.requests.cpu is not set
					""")
	void autoscalingThatCannotWorkFailsTheRender(String assignment, String problem) {
		assertThatIllegalStateException(() -> RenderedChart.of("default-values.yaml",
				(command) -> set(command.set("autoscaling.enabled", true)
					.set("autoscaling.minReplicas", 2)
					.set("autoscaling.maxReplicas", 3), assignment)))
			.withMessageContaining(problem);
	}

	// ---- item 3: helm test

	@ParameterizedTest
	@CsvSource(delimiter = '|', textBlock = """
			default-values.yaml                 | http://games-pomelo-wx-gateway:80/                 | 404
			routes-values.yaml                  | http://games-pomelo-wx-gateway:80/gate/            | 101 502
			tls-values.yaml                     | https://games-pomelo-wx-gateway:443/gate/          | 101 502
			""")
	void helmTestChecksReadinessThenOneUpgradeThroughThePublicService(String scenario, String url, String expected,
			@TempDir Path temp) throws IOException {
		RenderedChart rendered = rendered(chartWithTestPod(temp), scenario);
		Pod pod = testPod(rendered);
		// Readiness, not the aggregate health that includes the informational backends
		// and store.
		Container readiness = pod.getSpec().getInitContainers().get(0);
		assertThat(readiness.getCommand()).containsExactly("curl");
		assertThat(readiness.getArgs()).contains("--fail",
				"http://" + MANAGEMENT_SERVICE + ":9090/actuator/health/readiness");
		Container upgrade = pod.getSpec().getContainers().get(0);
		Map<String, String> env = upgrade.getEnv()
			.stream()
			.collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
		assertThat(env).containsEntry("UPGRADE_URL", url).containsEntry("EXPECTED_STATUS", expected);
		assertThat(pod.getSpec().getRestartPolicy()).isEqualTo("Never");
		// Neither Service nor the budget selects the test pod: a bare pod in a budget
		// blocks evictions.
		assertThat(selects(rendered.dataService().getSpec().getSelector(), pod.getMetadata().getLabels())).isFalse();
		assertThat(selects(rendered.managementService().getSpec().getSelector(), pod.getMetadata().getLabels()))
			.isFalse();
	}

	@Test
	void helmTestUpgradesThePortRouteOnItsFirstPortWhenThereIsNoStaticRoute(@TempDir Path temp) throws IOException {
		Pod pod = testPod(RenderedChart.of(chartWithTestPod(temp), "default-values.yaml",
				(command) -> command.set("gateway.portRoutes[0].id", "connectors")
					.set("gateway.portRoutes[0].prefix", "/ws/")
					.set("gateway.portRoutes[0].ports[0]", "3050-3059")));
		assertThat(pod.getSpec().getContainers().get(0).getEnv()).extracting(EnvVar::getValue)
			.contains("http://games-pomelo-wx-gateway:80/ws/3050/", "101 502");
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', textBlock = """
			101 | 101 502 | 0
			502 | 101 502 | 0
			503 | 101 502 | 1
			404 | 404     | 0
			200 | 404     | 1
			""")
	void helmTestScriptPassesOnlyOnTheExpectedStatus(int status, String expected, int exitCode, @TempDir Path temp)
			throws Exception {
		Pod pod = testPod(rendered(chartWithTestPod(temp), "routes-values.yaml"));
		Container upgrade = pod.getSpec().getContainers().get(0);
		assertThat(upgrade.getCommand()).containsExactly("sh", "-c");
		String script = upgrade.getArgs()
			.get(0)
			// Five attempts two seconds apart would make each failing case take ten
			// seconds.
			.replace("for attempt in 1 2 3 4 5; do", "for attempt in 1; do")
			.replace("sleep 2", "true");
		try (FakeUpgradeServer server = new FakeUpgradeServer(status)) {
			ProcessBuilder builder = new ProcessBuilder("sh", "-c", script).redirectErrorStream(true);
			builder.environment().put("UPGRADE_URL", "http://127.0.0.1:" + server.port() + "/gate/");
			builder.environment().put("EXPECTED_STATUS", expected);
			Process process = builder.start();
			String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			assertThat(process.waitFor()).as(output).isEqualTo(exitCode);
			assertThat(output).contains("answered " + status);
			assertThat(server.requests()).anySatisfy((request) -> assertThat(request).startsWith("GET /gate/ HTTP/1.1")
				.containsIgnoringCase("upgrade: websocket")
				.containsIgnoringCase("sec-websocket-version: 13"));
		}
	}

	// ---- item 4: JVM sizing (run in HelmChartJvmOptionsTests)

	@Test
	void jvmOptionsAreSizedFromTheMemoryLimitAndTheCpuRequestAndComeLast() {
		RenderedChart rendered = RenderedChart.of("default-values.yaml",
				(command) -> command.set("jvm.options", "-XX:+UseParallelGC -XX:MaxRAMPercentage=60"));
		assertThat(rendered.javaToolOptions()).isEqualTo("-XX:MaxRAM=1073741824 -XX:MaxRAMPercentage=50 "
				+ "-XX:MaxDirectMemorySize=153m -XX:ActiveProcessorCount=1 -XX:+ExitOnOutOfMemoryError "
				+ "-XX:+UseParallelGC -XX:MaxRAMPercentage=60");
		assertThat(bind(rendered.applicationYmlText()).getRelay().getEventLoops()).isEqualTo(1);
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|',
			textBlock = """
					resources.limits.cpu=2,resources.requests.cpu=500m                  | 2 | -XX:MaxRAM=1073741824
					resources.requests.cpu=1500m                                        | 2 | -XX:MaxRAM=1073741824
					resources.requests.cpu=250m,resources.limits.memory=null,resources.requests.memory=512Mi | 1 | -XX:MaxRAM=536870912
					resources.limits.memory=1.5Gi,resources.requests.memory=1Gi         | 1 | -XX:MaxRAM=1610612736
					resources.limits.memory=2G,resources.requests.memory=1G             | 1 | -XX:MaxRAM=2000000000
					""")
	void processorsFollowTheCpuLimitElseTheRequestAndMemoryTheLimitElseTheRequest(String assignments, int processors,
			String maxRam) {
		RenderedChart rendered = RenderedChart.of("default-values.yaml", (command) -> set(command, assignments));
		assertThat(rendered.javaToolOptions()).startsWith(maxRam + " ")
			.contains("-XX:ActiveProcessorCount=" + processors + " ");
		assertThat(bind(rendered.applicationYmlText()).getRelay().getEventLoops()).isEqualTo(processors);
	}

	@Test
	void eventLoopsSetInValuesWinOverTheCpuCount() {
		RenderedChart rendered = RenderedChart.of("default-values.yaml",
				(command) -> command.set("gateway.relay.eventLoops", 4));
		assertThat(bind(rendered.applicationYmlText()).getRelay().getEventLoops()).isEqualTo(4);
		assertThat(rendered.javaToolOptions()).contains("-XX:ActiveProcessorCount=1");
	}

	@Test
	void withoutResourcesTheChartRendersNoSizeAndTheNotesWarn() {
		RenderedChart rendered = RenderedChart.of("default-values.yaml",
				(command) -> command.set("resources.requests", "null").set("resources.limits", "null"));
		assertThat(rendered.javaToolOptions()).isEqualTo("-XX:MaxRAMPercentage=50 -XX:+ExitOnOutOfMemoryError");
		assertThat(rendered.applicationYml()).extracting((yml) -> at(yml, "pomelo.gateway.relay.event-loops")).isNull();
		assertThat(RenderedChart.notes("default-values.yaml",
				(command) -> command.set("resources.requests", "null").set("resources.limits", "null")))
			.contains("WARNING: resources sets no memory limit or request");
		assertThat(RenderedChart.notes("default-values.yaml", UnaryOperator.identity()))
			.doesNotContain("no memory limit");
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|',
			textBlock = """
					env[0].name=JAVA_TOOL_OPTIONS,env[0].value=-Xmx2g                    | env sets JAVA_TOOL_OPTIONS, which would replace the chart's JVM sizing: put extra flags in jvm.options
					jvm.maxRAMPercentage=70,jvm.maxDirectMemoryPercentage=20             | jvm.maxRAMPercentage=70 plus jvm.maxDirectMemoryPercentage=20 is above 80
					resources.limits.memory=lots                                         | resources.limits.memory=lots is not a memory quantity
					resources.requests.cpu=two                                           | resources.requests.cpu=two is not a CPU quantity
					""")
	void jvmSizingThatCannotWorkFailsNamingTheValues(String assignments, String problem) {
		assertThatIllegalStateException(
				() -> RenderedChart.of("default-values.yaml", (command) -> set(command, assignments)))
			.withMessageContaining(problem);
	}

	// ---- item 5: the edges

	@ParameterizedTest
	@CsvSource(delimiter = '|', textBlock = """
			replicaCount=1                                                        | false
			replicaCount=2                                                        | true
			replicaCount=2,podDisruptionBudget.enabled=false                      | false
			autoscaling.enabled=true,autoscaling.minReplicas=1                    | false
			autoscaling.enabled=true,autoscaling.minReplicas=2,replicaCount=1     | true
			""")
	void podDisruptionBudgetOnlyWithMoreThanOnePod(String assignments, boolean rendered) {
		RenderedChart chart = RenderedChart.of("default-values.yaml", (command) -> set(command, assignments));
		assertThat(chart.all(PodDisruptionBudget.class)).hasSize(rendered ? 1 : 0);
		if (rendered) {
			PodDisruptionBudget budget = chart.one(PodDisruptionBudget.class);
			assertThat(budget.getSpec().getMaxUnavailable()).isEqualTo(new IntOrString(1));
			assertThat(budget.getSpec().getMinAvailable()).isNull();
			assertThat(chart.deployment().getSpec().getTemplate().getMetadata().getLabels())
				.containsAllEntriesOf(budget.getSpec().getSelector().getMatchLabels());
		}
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|',
			textBlock = """
					replicaCount=2,podDisruptionBudget.minAvailable=1                     | podDisruptionBudget.minAvailable=1 and podDisruptionBudget.maxUnavailable=1: a budget takes one of them
					replicaCount=2,podDisruptionBudget.minAvailable=2,podDisruptionBudget.maxUnavailable=null | podDisruptionBudget.minAvailable=2 with 2 pods: no pod could ever be evicted
					""")
	void podDisruptionBudgetsThatBlockDrainsFailTheRender(String assignments, String problem) {
		assertThatIllegalStateException(
				() -> RenderedChart.of("default-values.yaml", (command) -> set(command, assignments)))
			.withMessageContaining(problem);
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|',
			textBlock = """
					replicaCount=2                                                        | replicaCount=2 with the file route store and admin users
					autoscaling.enabled=true,autoscaling.maxReplicas=4                    | autoscaling.maxReplicas=4 with the file route store and admin users
					replicaCount=2,gateway.store.type=file                                | Set gateway.store.type=redis
					""")
	void theFileStoreWithSeveralPodsAndAdminUsersFailsNamingTheValues(String assignments, String problem) {
		assertThatIllegalStateException(() -> RenderedChart.of("default-values.yaml",
				(command) -> set(command.set("config.pomelo.gateway.admin.users[0].name", "ops")
					.set("config.pomelo.gateway.admin.users[0].password", "$2a$10$hash"), assignments)))
			.withMessageContaining(problem);
	}

	@Test
	void severalPodsAreFineWithTheRedisStoreOrWithoutAdminUsers() {
		// Without admin users nothing writes the store: every pod serves the same static
		// routes.
		assertThat(RenderedChart.of("default-values.yaml", (command) -> command.set("replicaCount", 3))
			.deployment()
			.getSpec()
			.getReplicas()).isEqualTo(3);
		RenderedChart redis = RenderedChart.of("production-values.yaml");
		assertThat(redis.deployment().getSpec().getReplicas()).isEqualTo(3);
		assertThat(bind(redis.applicationYmlText()).getStore().getType()).isEqualTo(StoreProperties.Type.REDIS);
	}

	@Test
	void credentialsComeFromExistingSecretsAsEnvironmentAndNeverSitInTheConfigMap() {
		RenderedChart rendered = RenderedChart.of("production-values.yaml");
		Map<String, EnvVar> env = rendered.container()
			.getEnv()
			.stream()
			.collect(Collectors.toMap(EnvVar::getName, (var) -> var, (a, b) -> b, LinkedHashMap::new));
		assertThat(secretRef(env.get("SPRING_DATA_REDIS_PASSWORD"))).isEqualTo("pomelo-redis/redis-password");
		assertThat(secretRef(env.get("POMELO_GATEWAY_ADMIN_USERS_0_PASSWORD"))).isEqualTo("pomelo-gateway-admin/ops");
		assertThat(secretRef(env.get("POMELO_GATEWAY_ADMIN_USERS_1_PASSWORD")))
			.isEqualTo("pomelo-gateway-admin/grafana");
		assertThat(rendered.applicationYmlText()).doesNotContain("password");
		assertThat(rendered.container().getEnvFrom()).singleElement()
			.satisfies((from) -> assertThat(from.getConfigMapRef().getName()).isEqualTo("pomelo-gateway-env"));

		// Bound as the application binds them: the environment (secrets filled in) above
		// application.yml.
		Map<String, Object> variables = new HashMap<>();
		env.forEach((name, var) -> variables.put(name,
				(var.getValue() != null) ? var.getValue() : "secret:" + var.getValueFrom().getSecretKeyRef().getKey()));
		StandardEnvironment environment = environment(rendered.applicationYmlText());
		// Under its standard name, so that Boot maps POMELO_GATEWAY_ADMIN_USERS_0_NAME to
		// admin.users[0].name.
		String name = StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME;
		environment.getPropertySources().remove(name);
		environment.getPropertySources().addFirst(new SystemEnvironmentPropertySource(name, variables));
		PomeloGatewayProperties properties = new Binder(ConfigurationPropertySources.get(environment))
			.bindOrCreate("pomelo.gateway", PomeloGatewayProperties.class);
		assertThat(properties.getAdmin().getUsers())
			.extracting(AdminProperties.User::getName, AdminProperties.User::getRole, AdminProperties.User::getPassword)
			.containsExactly(org.assertj.core.groups.Tuple.tuple("ops", AdminProperties.Role.ADMIN, "secret:ops"),
					org.assertj.core.groups.Tuple.tuple("grafana", AdminProperties.Role.VIEWER, "secret:grafana"));
		assertThat(environment.getProperty("spring.data.redis.password")).isEqualTo("secret:redis-password");
		assertThat(environment.getProperty("spring.data.redis.host")).isEqualTo("redis-master.pomelo.svc");
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|',
			textBlock = """
					admin.users[0].name=ops,admin.users[0].passwordKey=ops                                                 | admin.users is set but admin.existingSecret is empty
					admin.existingSecret=s,admin.users[0].name=ops,admin.users[0].passwordKey=ops,config.pomelo.gateway.admin.users[0].name=x | admin.users and config.pomelo.gateway.admin.users are both set
					""")
	void adminUsersFromTwoPlacesOrWithoutTheirSecretFailTheRender(String assignments, String problem) {
		assertThatIllegalStateException(
				() -> RenderedChart.of("default-values.yaml", (command) -> set(command, assignments)))
			.withMessageContaining(problem);
	}

	@Test
	void cloudLoadBalancerSettingsReachThePublicServiceOnly() {
		RenderedChart rendered = RenderedChart.of("loadbalancer-values.yaml");
		Service data = rendered.dataService();
		assertThat(data.getSpec().getType()).isEqualTo("LoadBalancer");
		assertThat(data.getSpec().getExternalTrafficPolicy()).isEqualTo("Local");
		assertThat(data.getSpec().getLoadBalancerClass()).isEqualTo("service.k8s.aws/nlb");
		assertThat(data.getSpec().getLoadBalancerSourceRanges()).containsExactly("203.0.113.0/24", "198.51.100.0/24");
		assertThat(data.getMetadata().getAnnotations())
			.containsEntry("service.beta.kubernetes.io/aws-load-balancer-nlb-target-type", "instance");
		assertThat(data.getSpec().getPorts()).singleElement()
			.satisfies((port) -> assertThat(port.getPort()).isEqualTo(443));
		assertThat(data.getSpec().getSessionAffinity()).isNull();
		Service management = rendered.managementService();
		assertThat(management.getSpec().getType()).isEqualTo("ClusterIP");
		assertThat(management.getMetadata().getAnnotations()).isNullOrEmpty();
		assertThat(management.getSpec().getExternalTrafficPolicy()).isNull();

		Service more = RenderedChart
			.of("loadbalancer-values.yaml",
					(command) -> command.set("service.allocateLoadBalancerNodePorts", false)
						.set("service.sessionAffinity", "ClientIP")
						.set("service.nodePort", 30443)
						.set("service.ipFamilyPolicy", "PreferDualStack")
						.set("service.internalTrafficPolicy", "Local"))
			.dataService();
		assertThat(more.getSpec().getAllocateLoadBalancerNodePorts()).isFalse();
		assertThat(more.getSpec().getSessionAffinity()).isEqualTo("ClientIP");
		assertThat(more.getSpec().getPorts().get(0).getNodePort()).isEqualTo(30443);
		assertThat(more.getSpec().getIpFamilyPolicy()).isEqualTo("PreferDualStack");
		assertThat(more.getSpec().getInternalTrafficPolicy()).isEqualTo("Local");
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|',
			textBlock = """
					service.externalTrafficPolicy=Local                                   | service.externalTrafficPolicy is set but service.type=ClusterIP
					service.nodePort=30080                                                | service.nodePort is set but service.type=ClusterIP
					service.type=NodePort,service.loadBalancerSourceRanges[0]=10.0.0.0/8  | service.loadBalancerSourceRanges is set but service.type=NodePort: it applies to LoadBalancer only
					service.loadBalancerClass=x                                           | service.loadBalancerClass is set but service.type=ClusterIP
					service.allocateLoadBalancerNodePorts=false                           | service.allocateLoadBalancerNodePorts is set but service.type=ClusterIP
					""")
	void serviceSettingsForAnotherServiceTypeFailTheRender(String assignments, String problem) {
		assertThatIllegalStateException(
				() -> RenderedChart.of("default-values.yaml", (command) -> set(command, assignments)))
			.withMessageContaining(problem);
	}

	@Test
	void imageDigestPriorityClassEnvFromAndScratchSizeLimitsRender() {
		RenderedChart production = RenderedChart.of("production-values.yaml");
		assertThat(production.container().getImage()).isEqualTo("registry.example.com/pomelo-wx-gateway@sha256:"
				+ "0f3e8b7c1a2d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7");
		assertThat(production.deployment().getSpec().getTemplate().getSpec().getPriorityClassName())
			.isEqualTo("game-critical");
		RenderedChart defaults = RenderedChart.of("default-values.yaml");
		assertThat(defaults.container().getImage()).isEqualTo("pomelo-wx-gateway:0.1.0");
		assertThat(defaults.deployment().getSpec().getTemplate().getSpec().getPriorityClassName()).isNull();
		assertThat(defaults.container().getEnvFrom()).isNullOrEmpty();
		assertThat(volume(defaults.deployment(), "tmp").getEmptyDir().getSizeLimit()).isEqualTo(new Quantity("64Mi"));
		assertThat(volume(defaults.deployment(), "data").getEmptyDir().getSizeLimit()).isEqualTo(new Quantity("16Mi"));
		RenderedChart unlimited = RenderedChart.of("default-values.yaml",
				(command) -> command.set("emptyDir.tmpSizeLimit", "").set("emptyDir.dataSizeLimit", ""));
		assertThat(volume(unlimited.deployment(), "tmp").getEmptyDir()).isNotNull()
			.satisfies((emptyDir) -> assertThat(emptyDir.getSizeLimit()).isNull());
	}

	// ---- what every scenario shares

	@ParameterizedTest
	@MethodSource("scenarios")
	void everyScenarioRendersProbesAndPortsOnTheManagementPlane(String scenario) {
		RenderedChart rendered = RenderedChart.of(scenario);
		Deployment deployment = rendered.deployment();
		Container container = rendered.container();
		Map<String, Object> application = rendered.applicationYml();

		Map<String, Integer> ports = container.getPorts()
			.stream()
			.collect(Collectors.toMap(ContainerPort::getName, ContainerPort::getContainerPort));
		assertThat(ports.get("management")).isEqualTo(9090).isEqualTo(at(application, "management.server.port"));
		assertThat(ports.get("data")).isEqualTo(at(application, "server.port"));
		assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/actuator/health/liveness");
		assertThat(container.getLivenessProbe().getHttpGet().getPort()).isEqualTo(new IntOrString("management"));
		assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/actuator/health/readiness");
		assertThat(container.getReadinessProbe().getHttpGet().getPort()).isEqualTo(new IntOrString("management"));
		assertThat(container.getStartupProbe().getHttpGet().getPort()).isEqualTo(new IntOrString("management"));

		// Both application.yml files are mounted where SPRING_CONFIG_ADDITIONAL_LOCATION
		// looks, the routes last.
		assertThat(rendered.env("SPRING_CONFIG_ADDITIONAL_LOCATION"))
			.isEqualTo("optional:file:/config/,optional:file:/config-routes/");
		assertThat(mountPaths(container)).containsEntry("config", "/config")
			.containsEntry("routes", "/config-routes")
			.containsEntry("tmp", "/tmp");
		assertThat(volume(deployment, "config").getConfigMap().getName())
			.isEqualTo(rendered.applicationConfigMap().getMetadata().getName());
		assertThat(volume(deployment, "routes").getConfigMap().getName())
			.isEqualTo(rendered.routesConfigMap().getMetadata().getName());
		assertThat(volume(deployment, "tmp").getEmptyDir()).isNotNull();
		assertThat(deployment.getSpec().getTemplate().getMetadata().getAnnotations()).containsKey("checksum/config");

		assertThat(deployment.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsNonRoot()).isTrue();
		assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
		assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
		assertThat(container.getLifecycle().getPreStop().getExec().getCommand()).containsExactly("sleep", "10");
		assertThat(deployment.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds())
			.isGreaterThanOrEqualTo(60);
		assertThat(rendered.javaToolOptions()).contains("-XX:MaxRAM=", "-XX:MaxDirectMemorySize=",
				"-XX:ActiveProcessorCount=", "-XX:+ExitOnOutOfMemoryError");
	}

	@ParameterizedTest
	@MethodSource("scenarios")
	void everyScenarioBindsToTheApplicationsPropertiesAndRoutes(String scenario) throws IOException {
		RenderedChart rendered = RenderedChart.of(scenario);
		PomeloGatewayProperties properties = bind(rendered.configurationText());
		List<GatewayRoute> routes = ConfigRoutes.from(properties);

		Map<String, Object> values = scenarioValues(scenario);
		List<Object> valueRoutes = listOf(at(values, "gateway.routes"));
		List<Object> valuePortRoutes = listOf(at(values, "gateway.portRoutes"));
		assertThat(routes).hasSize(valueRoutes.size() + valuePortRoutes.size());
		List<String> expectedIds = Stream.concat(valueRoutes.stream(), valuePortRoutes.stream())
			.map((route) -> (String) map(route).get("id"))
			.collect(Collectors.toList());
		assertThat(routes).extracting(GatewayRoute::id).containsExactlyInAnyOrderElementsOf(expectedIds);
		// The file store must write to the mounted data volume: the root file system is
		// read-only.
		assertThat(properties.getStore().getFile()).isEqualTo(Path.of("/var/lib/pomelo-gateway/routes.json"));
		assertThat(mountPaths(rendered.container())).containsEntry("data", "/var/lib/pomelo-gateway");
		assertThat(properties.getRelay().getEventLoops()).isPositive();
	}

	@Test
	void routesRenderInTheShapeTheApplicationBinds() {
		RenderedChart rendered = RenderedChart.of("routes-values.yaml");
		Map<String, Object> gateway = map(at(rendered.routesYml(), "pomelo.gateway"));
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
		assertThat(gateway).containsOnlyKeys("routes", "port-routes");
		Map<String, Object> restart = map(at(rendered.applicationYml(), "pomelo.gateway"));
		assertThat(map(at(restart, "relay"))).containsEntry("connect-timeout", "2s")
			.containsEntry("handshake-timeout", "4s")
			.containsEntry("drain-period", "10s");
		assertThat(restart).doesNotContainKeys("routes", "port-routes", "portRoutes", "tls");
	}

	@Test
	void changingOnlyTheRoutesLeavesThePodTemplateAndItsChecksumAsTheyWere() {
		RenderedChart before = RenderedChart.of("routes-values.yaml");
		RenderedChart after = RenderedChart.of("routes-values.yaml",
				(command) -> command.set("gateway.routes[0].prefix", "/gate2/")
					.set("gateway.routes[1].idleTimeout", "30s")
					.set("gateway.portRoutes[0].ports[1]", "3060-3069"));
		assertThat(after.routesYmlText()).isNotEqualTo(before.routesYmlText()).contains("/gate2/", "3060-3069");
		assertThat(after.applicationYmlText()).isEqualTo(before.applicationYmlText());
		assertThat(checksum(after)).isEqualTo(checksum(before));
		assertThat(after.deployment().getSpec().getTemplate()).as("the pod template, so no pod rolls")
			.isEqualTo(before.deployment().getSpec().getTemplate());
	}

	@ParameterizedTest
	@CsvSource({ "config.server.shutdown, immediate", "config.server.max-http-request-header-size, 16KB",
			"gateway.relay.connectTimeout, 5s", "gateway.relay.idleTimeout, 10m", "gateway.store.type, redis" })
	void changingWhatIsReadAtStartUpChangesTheChecksum(String key, String value) {
		RenderedChart before = RenderedChart.of("routes-values.yaml");
		RenderedChart after = RenderedChart.of("routes-values.yaml", (command) -> command.set(key, value));
		assertThat(checksum(after)).as("checksum/config after %s=%s", key, value).isNotEqualTo(checksum(before));
		assertThat(after.routesYmlText()).isEqualTo(before.routesYmlText());
	}

	private static String checksum(RenderedChart rendered) {
		return rendered.deployment().getSpec().getTemplate().getMetadata().getAnnotations().get("checksum/config");
	}

	@Test
	void routesBindWithTheirLimitsAndPortAllowList() {
		PomeloGatewayProperties properties = bind(RenderedChart.of("routes-values.yaml").configurationText());
		assertThat(properties.getRelay().getConnectTimeout()).isEqualTo(Duration.ofSeconds(2));
		assertThat(properties.getRelay().getHandshakeTimeout()).isEqualTo(Duration.ofSeconds(4));
		List<GatewayRoute> routes = ConfigRoutes.from(properties);
		TargetRoute gate = (TargetRoute) route(routes, "gate");
		assertThat(gate.prefix()).isEqualTo("/gate/");
		assertThat(gate.targets()).containsExactly(URI.create("ws://pomelo-gate:3014"));
		// The relay default (idle-timeout 180s from values) applies where the route sets
		// nothing.
		assertThat(gate.limits().idleTimeout()).isEqualTo(Duration.ofSeconds(180));
		assertThat(route(routes, "conn").limits())
			.isEqualTo(new RouteLimits(false, Duration.ofSeconds(300), 5000, (int) DataSize.ofMegabytes(1).toBytes()));
		PortAddressedRoute connectors = (PortAddressedRoute) route(routes, "connectors");
		assertThat(connectors.ports().allows(3014)).isTrue();
		assertThat(connectors.ports().allows(3055)).isTrue();
		assertThat(connectors.ports().allows(3060)).isFalse();
		assertThat(connectors.host()).isEqualTo("pomelo-connector");
	}

	@Test
	void gatewayStoreValuesBindAsTheStoreSettings() {
		PomeloGatewayProperties properties = bind(RenderedChart
			.of("default-values.yaml",
					(command) -> command.set("gateway.store.type", "redis")
						.set("gateway.store.redisKey", "games:routes")
						.set("gateway.store.resyncPeriod", "1m"))
			.applicationYmlText());
		assertThat(properties.getStore().getType()).isEqualTo(StoreProperties.Type.REDIS);
		assertThat(properties.getStore().getRedisKey()).isEqualTo("games:routes");
		assertThat(properties.getStore().getResyncPeriod()).isEqualTo(Duration.ofMinutes(1));
	}

	@Test
	void withoutTlsTheDataPortIsPlain8080BehindServicePort80() {
		RenderedChart rendered = RenderedChart.of("default-values.yaml");
		assertThat(rendered.container().getPorts()).filteredOn((port) -> port.getName().equals("data"))
			.extracting(ContainerPort::getContainerPort)
			.containsExactly(8080);
		assertThat(rendered.dataService().getSpec().getPorts().get(0).getPort()).isEqualTo(80);
		assertThat(mountPaths(rendered.container())).doesNotContainKey("tls");
		assertThat(map(at(rendered.applicationYml(), "pomelo.gateway"))).doesNotContainKey("tls");
		assertThat(rendered.all(Ingress.class)).isEmpty();
	}

	@Test
	void tlsMountsTheSecretDirectoryAndPointsTheCertificateAtIt() {
		RenderedChart rendered = RenderedChart.of("tls-values.yaml");
		Deployment deployment = rendered.deployment();
		Container container = rendered.container();
		assertThat(volume(deployment, "tls").getSecret().getSecretName()).isEqualTo("pomelo-gateway-tls");
		VolumeMount mount = container.getVolumeMounts()
			.stream()
			.filter((m) -> m.getName().equals("tls"))
			.findFirst()
			.orElseThrow();
		assertThat(mount.getMountPath()).isEqualTo(TLS_DIR);
		assertThat(mount.getReadOnly()).isTrue();
		// A subPath mount never sees a rotated secret.
		assertThat(mount.getSubPath()).isNull();

		Map<String, Object> application = rendered.applicationYml();
		assertThat(at(application, "pomelo.gateway.tls.certificate")).isEqualTo("file:" + TLS_DIR + "/tls.crt");
		assertThat(at(application, "pomelo.gateway.tls.private-key")).isEqualTo("file:" + TLS_DIR + "/tls.key");
		assertThat(at(application, "server.port")).isEqualTo(8443);
		assertThat(container.getPorts()).filteredOn((port) -> port.getName().equals("data"))
			.extracting(ContainerPort::getContainerPort)
			.containsExactly(8443);
		assertThat(rendered.dataService().getSpec().getPorts().get(0).getPort()).isEqualTo(443);

		Ingress ingress = rendered.one(Ingress.class);
		assertThat(ingress.getSpec().getTls().get(0).getSecretName()).isEqualTo("game-example-com-tls");

		// A rotation controller reads the Deployment's own annotations, not the pod
		// template's.
		assertThat(deployment.getMetadata().getAnnotations())
			.isEqualTo(Map.of("secret.reloader.stakater.com/reload", "pomelo-gateway-tls"));
		assertThat(deployment.getSpec().getTemplate().getMetadata().getAnnotations())
			.doesNotContainKey("secret.reloader.stakater.com/reload");
	}

	@Test
	void sharedTicketKeysAreMountedAsADirectoryAndNamedToTheGateway() {
		RenderedChart rendered = RenderedChart.of("tls-values.yaml");
		assertThat(volume(rendered.deployment(), "ticket-keys").getSecret().getSecretName())
			.isEqualTo("pomelo-gateway-ticket-keys");
		VolumeMount mount = rendered.container()
			.getVolumeMounts()
			.stream()
			.filter((m) -> m.getName().equals("ticket-keys"))
			.findFirst()
			.orElseThrow();
		assertThat(mount.getSubPath()).as("a subPath mount never sees a rotated secret").isNull();
		assertThat(mount.getReadOnly()).isTrue();
		assertThat(at(rendered.applicationYml(), "pomelo.gateway.tls.session-ticket-keys"))
			.isEqualTo(mount.getMountPath() + "/ticket-keys");

		RenderedChart own = RenderedChart.of("tls-values.yaml",
				(command) -> command.set("tls.sessionTicketKeys.secretName", ""));
		assertThat(mountPaths(own.container())).doesNotContainKey("ticket-keys");
		assertThat(map(at(own.applicationYml(), "pomelo.gateway.tls"))).doesNotContainKey("session-ticket-keys");
	}

	@Test
	void tlsPathsBecomeTheApplicationsReloadingSslBundle() {
		StandardEnvironment environment = environment(RenderedChart.of("tls-values.yaml").applicationYmlText());
		new DataPlaneTlsEnvironmentPostProcessor().postProcessEnvironment(environment, new SpringApplication());
		String bundle = "spring.ssl.bundle.pem." + DataPlaneTlsEnvironmentPostProcessor.BUNDLE + ".";
		assertThat(environment.getProperty("server.ssl.bundle")).isEqualTo(DataPlaneTlsEnvironmentPostProcessor.BUNDLE);
		assertThat(environment.getProperty(bundle + "keystore.certificate")).isEqualTo("file:" + TLS_DIR + "/tls.crt");
		assertThat(environment.getProperty(bundle + "keystore.private-key")).isEqualTo("file:" + TLS_DIR + "/tls.key");
		assertThat(environment.getProperty(bundle + "reload-on-update")).isEqualTo("true");
		assertThat(environment.getProperty("server.port")).isEqualTo("8443");
	}

	// ---- item 6: NOTES.txt

	@Test
	void notesWarnWithoutTlsAndNameTheSchemeClientsSee() {
		String plain = RenderedChart.notes("default-values.yaml", UnaryOperator.identity());
		assertThat(plain).contains("WARNING: no tls.secretName and no ingress.tls")
			.contains("none: set gateway.routes")
			.contains("svc/" + FULLNAME + " 8080:80")
			.contains("ClusterIP Service " + MANAGEMENT_SERVICE + " port 9090")
			.contains("Every pod in the cluster can reach it")
			.contains("svc/" + MANAGEMENT_SERVICE + " 9090:9090")
			.doesNotContain("inside the cluster only");
		String tls = RenderedChart.notes("tls-values.yaml", UnaryOperator.identity());
		assertThat(tls).contains("wss://game.example.com/")
			.contains("/gate/ -> ws://pomelo-gate:3014")
			.doesNotContain("WARNING");
		// TLS at the Ingress, plain behind it: clients still use wss://.
		String edgeTls = RenderedChart.notes("tls-values.yaml", (command) -> command.set("tls.secretName", ""));
		assertThat(edgeTls).contains("wss://game.example.com/")
			.doesNotContain("ws://game.example.com")
			.doesNotContain("WARNING");
		// An Ingress without TLS for the host: ws://, whatever the gateway speaks.
		String noEdgeTls = RenderedChart.notes("tls-values.yaml", (command) -> command.set("ingress.tls", "null"));
		assertThat(noEdgeTls).contains("ws://game.example.com/").doesNotContain("wss://game.example.com");
		assertThat(RenderedChart.notes("production-values.yaml", UnaryOperator.identity()))
			.contains("The NetworkPolicy admits only the helm test pod and networkPolicy.managementFrom");
		assertThat(RenderedChart.notes("loadbalancer-values.yaml", UnaryOperator.identity()))
			.contains("kubectl get svc " + FULLNAME + " ")
			.contains("wss://<EXTERNAL-IP or your DNS name>:443/");
	}

	// ---- item 7: the dashboard

	@Test
	void dashboardHasNamespaceAndJobVariablesAndEveryQueryUsesThem() throws IOException {
		Map<String, Object> dashboard = map(
				new Yaml().load(Files.readString(CHART.resolve("dashboards/pomelo-gateway.json"))));
		List<Object> variables = listOf(at(dashboard, "templating.list"));
		assertThat(variables).extracting((variable) -> map(variable).get("name"))
			.containsExactly("datasource", "namespace", "job", "route");
		// Each variable narrows the next, so a route list belongs to one release.
		assertThat((String) at(variables.get(2), "query.query")).contains("namespace=~\"$namespace\"");
		assertThat((String) at(variables.get(3), "query.query")).contains("namespace=~\"$namespace\"", "job=~\"$job\"");
		List<String> expressions = new ArrayList<>();
		collectExpressions(dashboard, expressions);
		assertThat(expressions).hasSizeGreaterThan(10);
		Pattern selector = Pattern.compile("pomelo_gateway_[a-z_]+\\{([^}]*)}");
		for (String expression : expressions) {
			Matcher matcher = selector.matcher(expression);
			int selectors = 0;
			while (matcher.find()) {
				selectors++;
				assertThat(matcher.group(1)).as(expression).contains("namespace=~\"$namespace\"", "job=~\"$job\"");
			}
			assertThat(selectors).as(expression).isPositive();
		}
	}

	@Test
	void dashboardsShipAsASidecarConfigMap(@TempDir Path temp) throws IOException {
		Path chart = RenderedChart.copyChart(temp);
		Path dashboards = Files.createDirectories(chart.resolve("dashboards"));
		String json = "{\"title\": \"pomelo-wx-gateway test\", \"panels\": []}";
		Files.writeString(dashboards.resolve("test-dashboard.json"), json);
		Files.writeString(dashboards.resolve("notes.txt"), "not a dashboard");
		RenderedChart rendered = RenderedChart.of(chart, "servicemonitor-dashboards-values.yaml",
				UnaryOperator.identity());
		ConfigMap configMap = rendered.all(ConfigMap.class)
			.stream()
			.filter((map) -> map.getData().containsKey("test-dashboard.json"))
			.findFirst()
			.orElseThrow();
		assertThat(configMap.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1");
		assertThat(configMap.getMetadata().getAnnotations()).containsEntry("grafana_folder", "Pomelo");
		// The chart's own dashboard ships beside it; files that are not JSON do not.
		assertThat(configMap.getData()).containsOnlyKeys("test-dashboard.json", "pomelo-gateway.json")
			.containsEntry("test-dashboard.json", json);

		// Switched off, the same chart ships no dashboards.
		RenderedChart off = RenderedChart.of(chart, "servicemonitor-dashboards-values.yaml",
				(command) -> command.set("grafana.dashboards.enabled", false));
		assertThat(off.all(ConfigMap.class)).as("the application's and the routes' ConfigMaps").hasSize(2);
	}

	@ParameterizedTest
	@ValueSource(booleans = { true, false })
	void dashboardsEnabledWithoutDashboardFilesRendersNoConfigMap(boolean folderExists, @TempDir Path temp)
			throws IOException {
		Path chart = RenderedChart.copyChart(temp);
		FileSystemUtils.deleteRecursively(chart.resolve("dashboards"));
		if (folderExists) {
			Files.createDirectories(chart.resolve("dashboards"));
		}
		RenderedChart rendered = RenderedChart.of(chart, "servicemonitor-dashboards-values.yaml",
				UnaryOperator.identity());
		assertThat(rendered.all(ConfigMap.class)).as("the application's and the routes' ConfigMaps").hasSize(2);
		assertThat(rendered.applicationConfigMap()).isNotNull();
		assertThat(rendered.routesConfigMap()).isNotNull();
	}

	// ---- the schema

	@ParameterizedTest
	@CsvSource(delimiter = '|',
			textBlock = """
					replicaCount=two | replicaCount: Invalid type. Expected: integer, given: string
					gateway.routes[0].id=gate,gateway.routes[0].prefix=/gate/ | gateway.routes.0: targets is required
					gateway.routes[0].id=gate,gateway.routes[0].prefix=gate,gateway.routes[0].targets[0]=ws://a:1 | gateway.routes.0.prefix: Does not match pattern
					gateway.routes[0].id=gate,gateway.routes[0].prefix=/gate/,gateway.routes[0].targets[0]=http://a:1 | gateway.routes.0.targets.0: Does not match pattern
					gateway.routes[0].id=Gate,gateway.routes[0].prefix=/gate/,gateway.routes[0].targets[0]=ws://a:1 | gateway.routes.0.id: Does not match pattern
					gateway.routes[0].id=gate,gateway.routes[0].prefix=/gate/,gateway.routes[0].target[0]=ws://a:1 | gateway.routes.0: Additional property target is not allowed
					gateway.portRoutes[0].id=ws,gateway.portRoutes[0].prefix=/ws/,gateway.portRoutes[0].ports[0]=30x | gateway.portRoutes.0.ports.0: Does not match pattern
					gateway.relay.idleTimeout=forever | gateway.relay.idleTimeout: Does not match pattern
					gateway.relay.drainPeriod=soon | gateway.relay.drainPeriod: Does not match pattern
					gateway.relay.maxFramePayload=16MiB | gateway.relay.maxFramePayload: Does not match pattern
					gateway.store.type=memory | gateway.store.type must be one of the following
					service.type=Ingress | service.type must be one of the following
					service.managementPort=9090 | service: Additional property managementPort is not allowed
					service.externalTrafficPolicy=local | service.externalTrafficPolicy must be one of the following
					image.digest=latest | image.digest: Does not match pattern
					jvm.maxRAMPercentage=90 | jvm.maxRAMPercentage: Must be less than or equal to 80
					preStop.sleepSeconds=-1 | preStop.sleepSeconds: Must be greater than or equal to 0
					podAntiAffinity=always | podAntiAffinity must be one of the following
					admin.users[0].name=ops | admin.users.0: passwordKey is required
					emptyDir.tmpSizeLimit=lots | emptyDir.tmpSizeLimit: Does not match pattern
					gatway.relay.idleTimeout=5s | (root): Additional property gatway is not allowed
					""")
	void schemaRejectsBadValues(String assignments, String problem) {
		assertThatException()
			.isThrownBy(() -> RenderedChart.of("default-values.yaml", (command) -> set(command, assignments)))
			.withMessageContaining("values don't meet the specifications of the schema")
			.withMessageContaining(problem);
	}

	@Test
	void schemaAcceptsTheSameValuesWhenCorrect() {
		RenderedChart rendered = RenderedChart.of("default-values.yaml",
				(command) -> command.set("replicaCount", 2)
					.set("gateway.routes[0].id", "gate")
					.set("gateway.routes[0].prefix", "/gate/")
					.set("gateway.routes[0].targets[0]", "ws://a:1")
					.set("gateway.relay.idleTimeout", "5m")
					.set("gateway.relay.drainPeriod", "15s")
					.set("gateway.store.type", "redis")
					.set("service.type", "LoadBalancer")
					.set("service.externalTrafficPolicy", "Local")
					.set("jvm.maxRAMPercentage", 55));
		assertThat(rendered.deployment().getSpec().getReplicas()).isEqualTo(2);
		assertThat(ConfigRoutes.from(bind(rendered.configurationText()))).extracting(GatewayRoute::id)
			.containsExactly("gate");
	}

	// ---- helpers

	/**
	 * Applies comma-separated {@code key=value} pairs as --set does; {@code null} unsets
	 * a default.
	 */
	private static TemplateCommand set(TemplateCommand command, String assignments) {
		for (String assignment : assignments.split(",")) {
			String[] pair = assignment.trim().split("=", 2);
			command.set(pair[0], pair[1]);
		}
		return command;
	}

	/** A Helm render that failed in the chart's own {@code fail}, with its message. */
	private static org.assertj.core.api.ThrowableAssertAlternative<IllegalStateException> assertThatIllegalStateException(
			org.assertj.core.api.ThrowableAssert.ThrowingCallable render) {
		return org.assertj.core.api.Assertions.assertThatIllegalStateException().isThrownBy(render);
	}

	private static RenderedChart rendered(Path chart, String scenario) {
		return RenderedChart.of(chart, scenario, UnaryOperator.identity());
	}

	/**
	 * A copy of the chart whose helm test pod renders: helm-java's template leaves hooks
	 * out, so the copy has the hook annotation renamed.
	 */
	private static Path chartWithTestPod(Path temp) throws IOException {
		Path chart = RenderedChart.copyChart(temp);
		Path testPod = chart.resolve("templates/tests/test-connection.yaml");
		String source = Files.readString(testPod);
		assertThat(source).contains("\"helm.sh/hook\": test");
		Files.writeString(testPod, source.replace("\"helm.sh/hook\": test", "\"example.com/was-hook\": test"));
		return chart;
	}

	/** Whether a label selector matches objects with these labels. */
	private static boolean selects(Map<String, String> selector, Map<String, String> labels) {
		return labels.entrySet().containsAll(selector.entrySet());
	}

	private static Pod testPod(RenderedChart rendered) {
		return rendered.one(Pod.class);
	}

	@Test
	void discoveryRendersItsMastersWithThePasswordFromASecretAndOpensEgressToTheirPorts() {
		String discovery = "discovery.pomelo.enabled=true,discovery.pomelo.masters[0]=pomelo-master.pomelo:3005,"
				+ "discovery.pomelo.existingSecret=pomelo-console,discovery.pomelo.pollInterval=10s";
		RenderedChart rendered = RenderedChart.of("default-values.yaml",
				(command) -> set(command, discovery).set("networkPolicy.enabled", true)
					.set("networkPolicy.egress.enabled", true));
		Map<String, Object> pomelo = map(at(rendered.applicationYml(), "pomelo.gateway.discovery.pomelo"));
		assertThat(pomelo).containsEntry("enabled", true)
			.containsEntry("masters", List.of("pomelo-master.pomelo:3005"))
			.containsEntry("username", "gateway")
			.containsEntry("poll-interval", "10s");
		assertThat(rendered.applicationYmlText()).doesNotContain("password");
		EnvVar password = rendered.container()
			.getEnv()
			.stream()
			.filter((env) -> env.getName().equals("POMELO_GATEWAY_DISCOVERY_POMELO_PASSWORD"))
			.findFirst()
			.orElse(null);
		assertThat(secretRef(password)).isEqualTo("pomelo-console/password");
		List<NetworkPolicyEgressRule> egress = rendered.one(NetworkPolicy.class).getSpec().getEgress();
		assertThat(egress)
			.anySatisfy((rule) -> assertThat(rule.getPorts()).extracting(this::portText).containsExactly("TCP 3005"));
		// Discovered targets may name any port the target policy allows.
		assertThat(egress)
			.anySatisfy((rule) -> assertThat(rule.getPorts()).extracting(this::portText).contains("TCP 1-65535"));
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', value = {
			"discovery.pomelo.enabled=true,discovery.pomelo.existingSecret=s | discovery.pomelo.masters is empty",
			"discovery.pomelo.enabled=true,discovery.pomelo.masters[0]=m:3005 | discovery.pomelo.existingSecret is empty" })
	void discoveryWithoutMastersOrItsSecretFailsTheRender(String assignments, String problem) {
		assertThatIllegalStateException(
				() -> RenderedChart.of("default-values.yaml", (command) -> set(command, assignments)))
			.withMessageContaining(problem);
	}

	private String portText(NetworkPolicyPort port) {
		String number = String.valueOf(port.getPort().getIntVal());
		return port.getProtocol() + " " + ((port.getEndPort() != null) ? number + "-" + port.getEndPort() : number);
	}

	private static NetworkPolicyIngressRule ingressRule(List<NetworkPolicyIngressRule> rules, String port) {
		return rules.stream()
			.filter((rule) -> rule.getPorts().stream().anyMatch((p) -> new IntOrString(port).equals(p.getPort())))
			.findFirst()
			.orElseThrow(() -> new AssertionError("no ingress rule for " + port));
	}

	private static String secretRef(EnvVar env) {
		assertThat(env).isNotNull();
		assertThat(env.getValue()).isNull();
		return env.getValueFrom().getSecretKeyRef().getName() + "/" + env.getValueFrom().getSecretKeyRef().getKey();
	}

	private static Map<String, Object> deploymentDocument(Map<String, Object> container) {
		return Map.of("apiVersion", "apps/v1", "kind", "Deployment", "metadata", Map.of("name", "d"), "spec",
				Map.of("template", Map.of("spec", Map.of("containers", List.of(container)))));
	}

	private static Map<String, Object> scenarioValues(String scenario) throws IOException {
		Map<String, Object> values = new Yaml().load(Files.readString(CHART.resolve("ci").resolve(scenario)));
		return (values != null) ? values : Map.of();
	}

	private static StandardEnvironment environment(String applicationYml) {
		try {
			List<PropertySource<?>> sources = new YamlPropertySourceLoader().load("helm application.yml",
					new ByteArrayResource(applicationYml.getBytes(StandardCharsets.UTF_8)));
			StandardEnvironment environment = new StandardEnvironment();
			sources.forEach(environment.getPropertySources()::addFirst);
			return environment;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static PomeloGatewayProperties bind(String applicationYml) {
		StandardEnvironment environment = environment(applicationYml);
		Binder binder = new Binder(ConfigurationPropertySources.get(environment));
		return binder.bindOrCreate("pomelo.gateway", PomeloGatewayProperties.class);
	}

	private static GatewayRoute route(List<GatewayRoute> routes, String id) {
		return routes.stream().filter((route) -> route.id().equals(id)).findFirst().orElseThrow();
	}

	private static Map<String, String> mountPaths(Container container) {
		return container.getVolumeMounts()
			.stream()
			.collect(Collectors.toMap(VolumeMount::getName, VolumeMount::getMountPath));
	}

	private static Volume volume(Deployment deployment, String name) {
		return deployment.getSpec()
			.getTemplate()
			.getSpec()
			.getVolumes()
			.stream()
			.filter((volume) -> name.equals(volume.getName()))
			.findFirst()
			.orElseThrow(() -> new AssertionError("no volume " + name));
	}

	private static void collectExpressions(Object node, List<String> expressions) {
		if (node instanceof Map<?, ?> object) {
			object.forEach((key, value) -> {
				if ("expr".equals(key)) {
					expressions.add((String) value);
				}
				collectExpressions(value, expressions);
			});
		}
		else if (node instanceof List<?> list) {
			list.forEach((item) -> collectExpressions(item, expressions));
		}
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
