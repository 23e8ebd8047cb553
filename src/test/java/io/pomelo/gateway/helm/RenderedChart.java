package io.pomelo.gateway.helm;

import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

import com.marcnuri.helm.DryRun;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.yaml.snakeyaml.Yaml;

import org.springframework.util.FileSystemUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The objects of one {@code helm template} run of the chart, by the real Helm (helm-java
 * bundles it as a native library). Every object is read into the typed Kubernetes model
 * as it is parsed, strictly ({@link StrictKubernetesModel}), so any render that a test
 * makes also proves that the API server would accept each field; the parsed YAML stays
 * available for the application.yml inside the ConfigMap.
 */
final class RenderedChart {

	static final Path CHART = Paths.get("helm", "pomelo-wx-gateway");

	static final String RELEASE = "games";

	static final String NAMESPACE = "pomelo";

	static final String FULLNAME = "games-pomelo-wx-gateway";

	private final List<HasMetadata> objects = new ArrayList<>();

	private final List<Map<String, Object>> documents = new ArrayList<>();

	private RenderedChart(String manifest) {
		for (Object document : new Yaml().loadAll(manifest)) {
			if (document != null) {
				Map<String, Object> map = YamlPaths.map(document);
				this.documents.add(map);
				this.objects.add(StrictKubernetesModel.read(map));
			}
		}
	}

	static RenderedChart of(String scenario) {
		return of(CHART, scenario, UnaryOperator.identity());
	}

	static RenderedChart of(String scenario, UnaryOperator<TemplateCommand> customizer) {
		return of(CHART, scenario, customizer);
	}

	static RenderedChart of(Path chart, String scenario, UnaryOperator<TemplateCommand> customizer) {
		TemplateCommand command = new Helm(chart).template()
			.withName(RELEASE)
			.withNamespace(NAMESPACE)
			.withValuesFile(CHART.resolve("ci").resolve(scenario).toAbsolutePath());
		return new RenderedChart(customizer.apply(command).call());
	}

	/** NOTES.txt as {@code helm install --dry-run=client} prints it. */
	static String notes(String scenario, UnaryOperator<com.marcnuri.helm.InstallCommand> customizer) {
		return customizer
			.apply(new Helm(CHART).install()
				.withName(RELEASE)
				.withNamespace(NAMESPACE)
				.clientOnly()
				.withDryRunOption(DryRun.CLIENT)
				.withValuesFile(CHART.resolve("ci").resolve(scenario).toAbsolutePath()))
			.call()
			.getOutput();
	}

	/** A copy of the chart to change in a test. */
	static Path copyChart(Path temp) throws IOException {
		Path copy = temp.resolve("pomelo-wx-gateway");
		FileSystemUtils.copyRecursively(CHART, copy);
		return copy;
	}

	List<HasMetadata> objects() {
		return this.objects;
	}

	<T extends HasMetadata> List<T> all(Class<T> type) {
		return this.objects.stream().filter(type::isInstance).map(type::cast).collect(Collectors.toList());
	}

	<T extends HasMetadata> T one(Class<T> type) {
		List<T> all = all(type);
		assertThat(all).as("rendered %s objects", type.getSimpleName()).hasSize(1);
		return all.get(0);
	}

	<T extends HasMetadata> T named(Class<T> type, String name) {
		List<T> all = all(type).stream()
			.filter((object) -> name.equals(object.getMetadata().getName()))
			.collect(Collectors.toList());
		assertThat(all).as("rendered %s objects named %s", type.getSimpleName(), name).hasSize(1);
		return all.get(0);
	}

	Deployment deployment() {
		return one(Deployment.class);
	}

	Container container() {
		List<Container> containers = deployment().getSpec().getTemplate().getSpec().getContainers();
		assertThat(containers).hasSize(1);
		return containers.get(0);
	}

	/** The public Service, which carries the data port. */
	Service dataService() {
		return named(Service.class, FULLNAME);
	}

	/** The ClusterIP Service of the control plane. */
	Service managementService() {
		return named(Service.class, FULLNAME + "-management");
	}

	/** The ConfigMap of what is read at start-up, mounted at /config. */
	ConfigMap applicationConfigMap() {
		return named(ConfigMap.class, FULLNAME);
	}

	/** The ConfigMap of the routes, mounted at /config-routes and reloaded in place. */
	ConfigMap routesConfigMap() {
		return named(ConfigMap.class, FULLNAME + "-routes");
	}

	String applicationYmlText() {
		return applicationConfigMap().getData().get("application.yml");
	}

	Map<String, Object> applicationYml() {
		return YamlPaths.map(new Yaml().load(applicationYmlText()));
	}

	String routesYmlText() {
		return routesConfigMap().getData().get("application.yml");
	}

	Map<String, Object> routesYml() {
		return YamlPaths.map(new Yaml().load(routesYmlText()));
	}

	/**
	 * Both files as the gateway reads them: one YAML stream whose later document (the
	 * routes, last in SPRING_CONFIG_ADDITIONAL_LOCATION) wins.
	 */
	String configurationText() {
		return applicationYmlText() + "\n---\n" + routesYmlText();
	}

	/** The parsed YAML of one object, for paths the typed model does not make easier. */
	Map<String, Object> document(String kind, String name) {
		return this.documents.stream()
			.filter((document) -> kind.equals(document.get("kind"))
					&& name.equals(YamlPaths.at(document, "metadata.name")))
			.findFirst()
			.orElseThrow(() -> new AssertionError("no " + kind + " " + name));
	}

	/**
	 * The value of an environment variable of the gateway container that has a plain
	 * value.
	 */
	String env(String name) {
		return this.container()
			.getEnv()
			.stream()
			.filter((env) -> env.getName().equals(name))
			.map(EnvVar::getValue)
			.findFirst()
			.orElseThrow(() -> new AssertionError("no env " + name));
	}

	String javaToolOptions() {
		return env("JAVA_TOOL_OPTIONS");
	}

}
