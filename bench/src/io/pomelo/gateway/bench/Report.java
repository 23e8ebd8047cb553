package io.pomelo.gateway.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static io.pomelo.gateway.bench.Settings.PEERS;
import static io.pomelo.gateway.bench.Settings.WORK;

/**
 * The rows and notes of a run; at the end, the table on standard output, the JSON and the chart in the
 * work directory.
 */
final class Report {

	static final String NAME = "proxy-compare";

	final Path jar;

	final List<String> arguments;

	final Instant startedAt = Instant.now();

	final List<Row> rows = new ArrayList<>();

	final List<String> notes = new ArrayList<>();

	Report(Path jar, List<String> arguments) {
		this.jar = jar;
		this.arguments = arguments;
	}

	static Path json() {
		return WORK.resolve(NAME + ".json");
	}

	static Path svg() {
		return WORK.resolve(NAME + ".svg");
	}

	void finish(Duration took) throws IOException {
		Files.writeString(json(), JsonReport.write(this, took));
		Files.writeString(svg(), Chart.svg(this));
		System.out.println();
		System.out.print(table());
		this.notes.forEach((note) -> System.out.println("note: " + note));
		this.rows.forEach((row) -> row.notes.forEach((note) -> System.out.println("note (" + row.label + "): " + note)));
		System.out.printf("%nwrote %s and %s in %d s%n", json(), svg(), took.toSeconds());
	}

	/** Medians per path, then the gateway's ratio to each peer and to the best peer (named) of the figure. */
	String table() {
		StringBuilder out = new StringBuilder();
		String format = "%-32s %-30s %11s %11s %11s %11s %9s %10s %-16s%n";
		out.append(String.format(Locale.ROOT, format, "row (medians)", "figure", "direct", "nginx", "haproxy", "gateway",
				"gw/nginx", "gw/haproxy", "gw/best peer"));
		for (Row row : this.rows) {
			String label = row.label;
			for (Metric metric : Metric.ALL) {
				if (!metric.inTable() || !row.keys().contains(metric.key())) {
					continue;
				}
				String key = metric.key();
				String best = row.bestPeer(key);
				String toBest = Double.isFinite(row.ratioToBest(key)) ? ratio(row.ratioToBest(key)) + " (" + best + ")"
						: "-";
				out.append(String.format(Locale.ROOT, format, label, metric.label(),
						number(metric, row.median("direct", key)), number(metric, row.median(PEERS.get(0), key)),
						number(metric, row.median(PEERS.get(1), key)), number(metric, row.median("gateway", key)),
						ratio(row.ratio(key, PEERS.get(0))), ratio(row.ratio(key, PEERS.get(1))), toBest));
				label = "";
			}
		}
		return out.toString();
	}

	private static String number(Metric metric, double value) {
		return Double.isFinite(value) ? String.format(Locale.ROOT, metric.format(), value) : "-";
	}

	private static String ratio(double ratio) {
		return Double.isFinite(ratio) ? String.format(Locale.ROOT, "%.2f", ratio) : "-";
	}

}
