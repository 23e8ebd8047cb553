package io.pomelo.gateway.bench;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

import static io.pomelo.gateway.bench.Settings.PATHS;
import static io.pomelo.gateway.bench.Settings.PEERS;

/**
 * The report as JSON, written by Jackson (the gateway's own JSON library) from records that fix its
 * shape. Figures that do not exist (NaN: no proxy on the direct path, no ratio without both figures)
 * become null, since JSON has no NaN.
 */
final class JsonReport {

	/** In declaration order, not alphabetical (Jackson 3's default), so that the file reads top-down. */
	private static final JsonMapper MAPPER = JsonMapper.builder()
		.enable(SerializationFeature.INDENT_OUTPUT)
		.disable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
		.build();

	private JsonReport() {
	}

	static String write(Report report, Duration took) {
		Document document = new Document(Report.NAME, report.startedAt.toString(), took.toSeconds(), command(report),
				Settings.asMap(), Machine.current(), report.notes, report.rows.stream().map(JsonReport::row).toList());
		return MAPPER.writeValueAsString(document) + "\n";
	}

	/**
	 * How this run was started. Rebuilt from the JVM's own view: /proc's command line is cut short by the
	 * long class path, and the class path itself is only counted here.
	 */
	static Command command(Report report) {
		List<String> jvmArguments = ManagementFactory.getRuntimeMXBean().getInputArguments();
		String classPath = System.getProperty("java.class.path");
		List<String> line = new ArrayList<>();
		line.add(ProcessHandle.current().info().command().orElse("java"));
		line.addAll(jvmArguments);
		line.addAll(List.of("-cp", "<class path: " + classPath.split(java.io.File.pathSeparator).length + " entries>",
				ProxyCompareBench.class.getName()));
		line.addAll(report.arguments);
		return new Command(String.join(" ", line), jvmArguments, ProxyCompareBench.class.getName(), report.arguments,
				report.jar.toString(), Path.of("").toAbsolutePath().toString());
	}

	static RowJson row(Row row) {
		List<String> keys = row.keys();
		Map<String, PathFigures> paths = new LinkedHashMap<>();
		for (String path : PATHS) {
			Map<String, Double> medians = new LinkedHashMap<>();
			keys.forEach((key) -> medians.put(key, finite(row.median(path, key))));
			paths.put(path, new PathFigures(medians, row.rounds.get(path).stream().map(JsonReport::finiteFigures).toList()));
		}
		Map<String, Map<String, Double>> gatewayTo = new LinkedHashMap<>();
		for (String peer : PEERS) {
			Map<String, Double> ratios = new LinkedHashMap<>();
			keys.forEach((key) -> ratios.put(key, finite(row.ratio(key, peer))));
			gatewayTo.put(peer, ratios);
		}
		Map<String, Double> toBest = new LinkedHashMap<>();
		Map<String, String> bestPeer = new LinkedHashMap<>();
		keys.forEach((key) -> {
			toBest.put(key, finite(row.ratioToBest(key)));
			bestPeer.put(key, row.bestPeer(key));
		});
		gatewayTo.put("bestPeer", toBest);
		return new RowJson(row.kind, row.label, row.parameters, paths, gatewayTo, bestPeer, row.notes);
	}

	private static Double finite(double value) {
		return Double.isFinite(value) ? value : null;
	}

	private static Map<String, Double> finiteFigures(Map<String, Double> figures) {
		Map<String, Double> copy = new LinkedHashMap<>();
		figures.forEach((key, value) -> copy.put(key, finite(value)));
		return copy;
	}

	record Document(String benchmark, String startedAt, long durationSeconds, Command command,
			Map<String, Object> parameters, Machine machine, List<String> notes, List<RowJson> rows) {
	}

	record Command(String commandLine, List<String> jvmArguments, String mainClass, List<String> arguments, String jar,
			String workingDirectory) {
	}

	record Machine(int cores, String java, String os, int openFileHardLimit) {

		static Machine current() {
			return new Machine(Runtime.getRuntime().availableProcessors(),
					System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"),
					System.getProperty("os.name") + " " + System.getProperty("os.version"), Os.hardOpenFileLimit());
		}

	}

	/** Medians and the figures of every round; null where a round has no such figure. */
	record PathFigures(Map<String, Double> medians, List<Map<String, Double>> rounds) {
	}

	/**
	 * One row: {@code gatewayTo} holds the gateway's ratio to each peer and to the best peer of each figure,
	 * {@code bestPeer} which peer that is.
	 */
	record RowJson(String kind, String label, Map<String, Object> parameters, Map<String, PathFigures> paths,
			Map<String, Map<String, Double>> gatewayTo, Map<String, String> bestPeer, List<String> notes) {
	}

}
