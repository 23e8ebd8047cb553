package io.pomelo.gateway.helm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.marcnuri.helm.TemplateCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.yaml.snakeyaml.Yaml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The JVM flags in force in the gateway's container, found by running a real JVM: the
 * chart's rendered JAVA_TOOL_OPTIONS in the environment and the image's ENTRYPOINT flags
 * on the command line, as the container runs them, with
 * {@code -XX:+PrintFlagsFinal -version}. The chart pins {@code -XX:MaxRAM} to the pod's
 * memory, so the figures are those of the pod on any machine; for the image's own
 * defaults, {@code -XX:MaxRAM} stands in for the container's memory limit, which the JVM
 * would otherwise detect.
 */
class HelmChartJvmOptionsTests {

	private static final long MIB = 1024 * 1024;

	private static final Path DOCKERFILE = Paths.get("Dockerfile");

	private static final Path AOT_ARGUMENTS = Paths.get("docker", "jvm-aot.args");

	private static final Path CDS_ARGUMENTS = Paths.get("docker", "jvm-cds.args");

	@ParameterizedTest
	@CsvSource(delimiter = '|',
			textBlock = """
					default-values.yaml    |                                                                         | 1024 | 50 | 153 | 1
					production-values.yaml |                                                                         | 2048 | 50 | 307 | 2
					default-values.yaml    | resources.limits=null,resources.requests.memory=512Mi,resources.requests.cpu=3 | 512  | 50 | 76  | 3
					default-values.yaml    | jvm.maxRAMPercentage=60,jvm.maxDirectMemoryPercentage=10                | 1024 | 60 | 102 | 1
					""")
	void theChartSizesHeapAndDirectMemoryFromThePodsMemoryAndProcessorsFromItsCpu(String scenario, String assignments,
			long podMiB, int heapPercent, long directMiB, int processors) throws Exception {
		String options = RenderedChart.of(scenario, (command) -> set(command, assignments)).javaToolOptions();
		Map<String, String> flags = flagsInForce(options, entrypointJvmArguments());

		long pod = podMiB * MIB;
		long heap = Long.parseLong(flags.get("MaxHeapSize"));
		// The heap is the share of the pod's memory, rounded to the collector's alignment
		// (a few MiB).
		assertThat(heap).isCloseTo(pod * heapPercent / 100, within(4 * MIB));
		assertThat(Long.parseLong(flags.get("MaxDirectMemorySize"))).isEqualTo(directMiB * MIB);
		assertThat(flags).containsEntry("ActiveProcessorCount", String.valueOf(processors))
			.containsEntry("ExitOnOutOfMemoryError", "true")
			.containsEntry("MaxRAM", String.valueOf(pod));
		// What is left is for metaspace, code cache, thread stacks and BoringSSL: about a
		// fifth at least.
		assertThat(heap + directMiB * MIB).isLessThanOrEqualTo(pod * 80 / 100 + 4 * MIB);
	}

	@Test
	void jvmOptionsOverrideTheChartsOwnFlags() throws Exception {
		String options = RenderedChart.of("default-values.yaml", (command) -> command.set("jvm.options",
				"-XX:MaxRAMPercentage=60 -XX:MaxDirectMemorySize=64m -XX:ActiveProcessorCount=3 -XX:+UseParallelGC"))
			.javaToolOptions();
		Map<String, String> flags = flagsInForce(options, entrypointJvmArguments());
		long pod = 1024 * MIB;
		assertThat(Long.parseLong(flags.get("MaxHeapSize"))).isCloseTo(pod * 60 / 100, within(4 * MIB));
		assertThat(flags).containsEntry("MaxDirectMemorySize", String.valueOf(64 * MIB))
			.containsEntry("ActiveProcessorCount", "3")
			.containsEntry("UseParallelGC", "true");
	}

	@Test
	void theImagesDefaultsCapHeapAndDirectMemoryUnderAContainerLimit() throws Exception {
		String imageOptions = dockerfileEnv("JAVA_TOOL_OPTIONS");
		List<String> commandLine = new ArrayList<>(entrypointJvmArguments());
		commandLine.add("-XX:MaxRAM=1g");
		Map<String, String> flags = flagsInForce(imageOptions, commandLine);
		assertThat(Long.parseLong(flags.get("MaxHeapSize"))).isCloseTo(512 * MIB, within(4 * MIB));
		assertThat(flags).containsEntry("MaxDirectMemorySize", String.valueOf(128 * MIB))
			.containsEntry("ExitOnOutOfMemoryError", "true");
	}

	@Test
	void theImagesEntrypointSetsNoFlagThatWouldBeatJavaToolOptions() throws Exception {
		// The JVM reads JAVA_TOOL_OPTIONS before its command line; a sizing flag there
		// would win over both
		// the image's defaults and the chart's.
		assertThat(entrypointArguments()).containsExactly("@/application/jvm.args");
		for (Path arguments : List.of(AOT_ARGUMENTS, CDS_ARGUMENTS)) {
			assertThat(Files.readAllLines(arguments)).as(arguments.toString())
				.noneMatch((line) -> line.matches("-Xm[sx].*|-XX:(Max|Min|Initial)RAM.*|-XX:MaxDirectMemorySize.*"));
		}
		Map<String, String> flags = flagsInForce("-XX:MaxRAM=1g -XX:MaxRAMPercentage=70", entrypointJvmArguments());
		assertThat(flags).containsEntry("MaxRAMPercentage", "70.000000");
	}

	@Test
	void theImageOwnsTheStoreDirectoryTheChartMountsAndCarriesTheChartsAppVersion() throws IOException {
		String dockerfile = joinedDockerfile();
		assertThat(dockerfile).contains("VOLUME /var/lib/pomelo-gateway")
			.contains("chown 10001:10001 /var/lib/pomelo-gateway")
			.contains("USER 10001:10001");
		assertThat(RenderedChart.of("default-values.yaml", UnaryOperator.identity()).container().getVolumeMounts())
			.anySatisfy((mount) -> assertThat(mount.getMountPath()).isEqualTo("/var/lib/pomelo-gateway"));
		Map<String, Object> chart = new Yaml().load(Files.readString(RenderedChart.CHART.resolve("Chart.yaml")));
		assertThat(dockerfile).contains("ARG VERSION=" + chart.get("appVersion"))
			.contains("org.opencontainers.image.version=\"${VERSION}\"");
	}

	/** The final value of every JVM flag, from {@code -XX:+PrintFlagsFinal}. */
	private static Map<String, String> flagsInForce(String javaToolOptions, List<String> commandLine)
			throws IOException, InterruptedException {
		List<String> command = new ArrayList<>();
		command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
		command.addAll(commandLine);
		command.add("-XX:+PrintFlagsFinal");
		command.add("-version");
		ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
		builder.environment().put("JAVA_TOOL_OPTIONS", javaToolOptions);
		Process process = builder.start();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(process.waitFor()).as(output).isZero();
		assertThat(output).contains("Picked up JAVA_TOOL_OPTIONS: " + javaToolOptions);
		Map<String, String> flags = new HashMap<>();
		Matcher matcher = Pattern.compile("(?m)^\\s*\\S+\\s+(\\w+)\\s+:?=\\s+(\\S+)").matcher(output);
		while (matcher.find()) {
			flags.put(matcher.group(1), matcher.group(2));
		}
		assertThat(flags).containsKeys("MaxHeapSize", "MaxDirectMemorySize");
		return flags;
	}

	/**
	 * The ENTRYPOINT's JVM arguments with its argument file read as a JDK 17 image gets
	 * it ({@code docker/jvm-cds.args}): the JDK 25 one names flags this JDK lacks.
	 */
	private static List<String> entrypointJvmArguments() throws IOException {
		List<String> arguments = new ArrayList<>();
		for (String argument : entrypointArguments()) {
			if (argument.equals("@/application/jvm.args")) {
				arguments.addAll(Files.readAllLines(CDS_ARGUMENTS));
			}
			else {
				arguments.add(argument);
			}
		}
		return arguments;
	}

	/**
	 * The ENTRYPOINT's JVM arguments as written: between {@code java} and {@code -jar}.
	 */
	private static List<String> entrypointArguments() throws IOException {
		Matcher matcher = Pattern.compile("(?m)^ENTRYPOINT \\[(.*)]$").matcher(joinedDockerfile());
		assertThat(matcher.find()).isTrue();
		List<String> arguments = new ArrayList<>();
		Matcher argument = Pattern.compile("\"([^\"]*)\"").matcher(matcher.group(1));
		while (argument.find()) {
			arguments.add(argument.group(1));
		}
		assertThat(arguments.get(0)).isEqualTo("java");
		int jar = arguments.indexOf("-jar");
		assertThat(jar).isPositive();
		return arguments.subList(1, jar);
	}

	private static String dockerfileEnv(String name) throws IOException {
		Matcher matcher = Pattern.compile("(?m)^ENV " + name + "=\"([^\"]*)\"$").matcher(joinedDockerfile());
		assertThat(matcher.find()).as("ENV %s in the Dockerfile", name).isTrue();
		return matcher.group(1);
	}

	/** The Dockerfile with continuation lines joined, as Docker reads it. */
	private static String joinedDockerfile() throws IOException {
		return Files.readString(DOCKERFILE).replaceAll("\\\\\\n\\s*", " ");
	}

	private static TemplateCommand set(TemplateCommand command, String assignments) {
		if (assignments != null) {
			for (String assignment : assignments.split(",")) {
				String[] pair = assignment.trim().split("=", 2);
				command.set(pair[0], pair[1]);
			}
		}
		return command;
	}

}
