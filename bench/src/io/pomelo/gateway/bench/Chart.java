package io.pomelo.gateway.bench;

import java.math.BigDecimal;
import java.math.MathContext;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleUnaryOperator;
import java.util.stream.Collectors;

import static io.pomelo.gateway.bench.Settings.PEERS;
import static io.pomelo.gateway.bench.Settings.ROUND;
import static io.pomelo.gateway.bench.Settings.ROUNDS;

/**
 * Grouped bars in hand-written SVG: per row, the gateway's ratio to the best peer of each charted figure,
 * that peer's name beside the value. The axis is logarithmic and bars grow up or down from 1.0 (the best
 * peer), so 0.5x and 2x look equally far from parity and a start-up ratio of several hundred fits next to
 * a throughput ratio of 0.7.
 * <p>
 * Written by hand because the chart is one kind of bar on a log axis with rotated labels, about a hundred
 * lines: a charting library (JFreeChart, XChart) would bring AWT and a rendering stack to a headless
 * benchmark, and Maven Central has no small SVG bar writer that does a log axis around 1.0.
 */
final class Chart {

	private static final String[] COLORS = { "#4e79a7", "#59a14f", "#f28e2b", "#b07aa1", "#76b7b2", "#edc948",
			"#e15759", "#9c755f" };

	private static final int BAR = 16;

	private static final int GAP = 4;

	private static final int GROUP_GAP = 30;

	private static final int LEFT = 60;

	private static final int PLOT_HEIGHT = 320;

	private Chart() {
	}

	static String svg(Report report) {
		List<Metric> charted = Metric.ALL.stream().filter(Metric::inChart).collect(Collectors.toList());
		List<Row> rows = report.rows.stream()
			.filter((row) -> charted.stream().anyMatch((m) -> drawn(row, m)))
			.collect(Collectors.toList());
		List<Double> ratios = rows.stream()
			.flatMap((row) -> charted.stream().filter((m) -> drawn(row, m)).map((m) -> row.ratioToBest(m.key())))
			.collect(Collectors.toList());
		double low = Math.floor(Math.log10(Math.min(0.5, ratios.stream().min(Double::compare).orElse(1.0))));
		double high = Math.ceil(Math.log10(Math.max(2.0, ratios.stream().max(Double::compare).orElse(1.0))));
		int longestLabel = rows.stream().mapToInt((row) -> row.label.length()).max().orElse(10);
		// Rotated labels reach down-left from their group; the first group moves right to keep them in view.
		int x = Math.max(LEFT + GROUP_GAP / 2, (int) (longestLabel * 5.5 * Math.cos(Math.toRadians(40))) + 10);
		int width = x + rows.stream().mapToInt((row) -> groupWidth(row, charted) + GROUP_GAP).sum() + 40;
		width = Math.max(width, 760);

		StringBuilder head = new StringBuilder();
		head.append(text(LEFT, 22, 15, "start", "font-weight=\"bold\"", "pomelo-wx-gateway / the best of "
				+ String.join(" and ", PEERS) + " per figure: medians, log scale, 1.0 = best peer"));
		head.append(text(LEFT, 40, 11, "start", "",
				String.format(Locale.ROOT, "%s, %d cores, %d rounds of %d s, %s",
						report.startedAt.truncatedTo(ChronoUnit.SECONDS), Runtime.getRuntime().availableProcessors(),
						ROUNDS, ROUND.toSeconds(), "bench/proxy-compare.sh")));
		int legendX = LEFT;
		int legendY = 62;
		for (int i = 0; i < charted.size(); i++) {
			Metric metric = charted.get(i);
			String label = metric.label().trim() + " (" + metric.direction() + ")";
			int itemWidth = 14 + label.length() * 6;
			if (legendX + itemWidth > width - 10) {
				legendX = LEFT;
				legendY += 16;
			}
			head.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/>%n",
					legendX, legendY - 9, COLORS[i % COLORS.length]));
			head.append(text(legendX + 13, legendY, 10, "start", "", label));
			legendX += itemWidth + 12;
		}
		int plotTop = legendY + 24;
		int plotBottom = plotTop + PLOT_HEIGHT;
		DoubleUnaryOperator y = (ratio) -> plotBottom - (Math.log10(ratio) - low) / (high - low) * PLOT_HEIGHT;

		StringBuilder grid = new StringBuilder();
		for (double decade = low; decade <= high; decade++) {
			for (int step : new int[] { 1, 2, 5 }) {
				double tick = step * Math.pow(10, decade);
				if (Math.log10(tick) > high + 1e-9) {
					continue;
				}
				double ty = y.applyAsDouble(tick);
				grid.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"%s\"/>%n",
						LEFT, ty, width - 10, ty, (step == 1) ? "#ccc" : "#eee"));
				grid.append(text(LEFT - 6, ty + 3, 10, "end", "", trimZeros(tick) + "\u00d7"));
			}
		}

		StringBuilder bars = new StringBuilder();
		double one = y.applyAsDouble(1.0);
		for (Row row : rows) {
			int groupStart = x;
			for (int i = 0; i < charted.size(); i++) {
				Metric metric = charted.get(i);
				if (!drawn(row, metric)) {
					continue;
				}
				double ratio = row.ratioToBest(metric.key());
				String best = row.bestPeer(metric.key());
				double top = Math.min(one, y.applyAsDouble(ratio));
				double height = Math.max(1, Math.abs(y.applyAsDouble(ratio) - one));
				String each = PEERS.stream()
					.map((peer) -> "vs " + peer + " " + format(row.ratio(metric.key(), peer)))
					.collect(Collectors.joining(", "));
				bars.append(String.format(Locale.ROOT,
						"<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" fill=\"%s\"><title>%s, %s: %s vs %s (%s)</title></rect>%n",
						x, top, BAR, height, COLORS[i % COLORS.length], escape(row.label), escape(metric.label().trim()),
						format(ratio), best, each));
				// Values read upwards beside the bar's end, so that neighbours never overlap.
				double labelY = (ratio >= 1) ? top - 4 : top + height + 4;
				bars.append(String.format(Locale.ROOT,
						"<text x=\"%.1f\" y=\"%.1f\" font-size=\"9\" text-anchor=\"%s\" transform=\"rotate(-90 %.1f %.1f)\">%s</text>%n",
						x + BAR / 2.0 + 3, labelY, (ratio >= 1) ? "start" : "end", x + BAR / 2.0 + 3, labelY,
						escape(format(ratio) + " " + best)));
				x += BAR + GAP;
			}
			int middle = (groupStart + x - GAP) / 2;
			bars.append(String.format(Locale.ROOT,
					"<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\" transform=\"rotate(-40 %d %d)\">%s</text>%n",
					middle, plotBottom + 16, middle, plotBottom + 16, escape(row.label)));
			x += GROUP_GAP;
		}
		int height = plotBottom + 30 + (int) (longestLabel * 5.5 * Math.sin(Math.toRadians(40)));

		StringBuilder svg = new StringBuilder();
		svg.append(String.format(Locale.ROOT,
				"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\">%n",
				width, height, width, height));
		svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", width, height));
		svg.append(head).append(grid).append(bars);
		svg.append(String.format(Locale.ROOT,
				"<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#c00\" stroke-width=\"1.5\" stroke-dasharray=\"6 3\"/>%n",
				LEFT, one, width - 10, one));
		svg.append(text(width - 12, one - 4, 10, "end", "fill=\"#c00\"", "best peer = 1.0"));
		svg.append("</svg>\n");
		return svg.toString();
	}

	private static boolean drawn(Row row, Metric metric) {
		double ratio = row.ratioToBest(metric.key());
		return Double.isFinite(ratio) && ratio > 0;
	}

	private static int groupWidth(Row row, List<Metric> charted) {
		return (int) charted.stream().filter((m) -> drawn(row, m)).count() * (BAR + GAP);
	}

	private static String text(double x, double y, int size, String anchor, String extra, String content) {
		return String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%d\" text-anchor=\"%s\" %s>%s</text>%n",
				x, y, size, anchor, extra, escape(content));
	}

	private static String format(double ratio) {
		if (!Double.isFinite(ratio)) {
			return "-";
		}
		return (ratio >= 100) ? String.format(Locale.ROOT, "%.0f", ratio) : String.format(Locale.ROOT, "%.2f", ratio);
	}

	private static String trimZeros(double value) {
		return BigDecimal.valueOf(value).round(new MathContext(3)).stripTrailingZeros().toPlainString();
	}

	private static String escape(String text) {
		return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
	}

}
