package io.pomelo.gateway.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static io.pomelo.gateway.bench.Settings.PATHS;
import static io.pomelo.gateway.bench.Settings.PEERS;

/**
 * One row of the table: a measurement kind with its parameters, and per path the figures of each round;
 * the gateway's ratio to each peer and to the best peer of every figure.
 */
final class Row {

	final String kind;

	final String label;

	final Map<String, Object> parameters = new LinkedHashMap<>();

	final Map<String, List<Map<String, Double>>> rounds = new LinkedHashMap<>();

	final List<String> notes = new ArrayList<>();

	Row(String kind, String label) {
		this.kind = kind;
		this.label = label;
		PATHS.forEach((path) -> this.rounds.put(path, new ArrayList<>()));
	}

	void add(String path, Map<String, Double> figures) {
		this.rounds.get(path).add(figures);
	}

	double median(String path, String key) {
		return median(this.rounds.get(path)
			.stream()
			.map((m) -> m.getOrDefault(key, Double.NaN))
			.collect(Collectors.toList()));
	}

	/** Gateway / peer; NaN where either has no figure. */
	double ratio(String key, String peer) {
		double gateway = median("gateway", key);
		double other = median(peer, key);
		return (Double.isFinite(gateway) && Double.isFinite(other) && other != 0) ? gateway / other : Double.NaN;
	}

	/**
	 * The peer with the best median of a catalogued figure (the first on a tie), or null when no peer has
	 * one or the figure has no direction.
	 */
	String bestPeer(String key) {
		Metric metric = Metric.of(key).orElse(null);
		if (metric == null) {
			return null;
		}
		String best = null;
		for (String peer : PEERS) {
			double value = median(peer, key);
			if (!Double.isFinite(value)) {
				continue;
			}
			double bestValue = (best != null) ? median(best, key) : Double.NaN;
			if (best == null || (metric.higherIsBetter() ? value > bestValue : value < bestValue)) {
				best = peer;
			}
		}
		return best;
	}

	double ratioToBest(String key) {
		String best = bestPeer(key);
		return (best != null) ? ratio(key, best) : Double.NaN;
	}

	/** Metrics any path has, in catalogue order, then the rest (JSON only). */
	List<String> keys() {
		List<String> present = this.rounds.values()
			.stream()
			.flatMap(List::stream)
			.flatMap((m) -> m.keySet().stream())
			.distinct()
			.collect(Collectors.toList());
		List<String> ordered = new ArrayList<>();
		Metric.ALL.stream().map(Metric::key).filter(present::contains).forEach(ordered::add);
		present.stream().filter((key) -> !ordered.contains(key)).forEach(ordered::add);
		return ordered;
	}

	/** The median of the finite values; NaN when there are none. */
	static double median(List<Double> values) {
		double[] sorted = values.stream().filter(Double::isFinite).mapToDouble(Double::doubleValue).sorted().toArray();
		if (sorted.length == 0) {
			return Double.NaN;
		}
		int middle = sorted.length / 2;
		return (sorted.length % 2 == 1) ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
	}

}
