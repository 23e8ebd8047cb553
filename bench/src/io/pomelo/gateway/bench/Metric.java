package io.pomelo.gateway.bench;

import java.util.List;
import java.util.Optional;

/**
 * What a figure means, how it is printed, and which way is better: the best peer of a figure is the one
 * with the highest value when higher is better (throughput), the lowest otherwise (memory, latency, CPU).
 * Figures not in the catalogue are in the JSON only, with no best peer.
 */
record Metric(String key, String label, String format, boolean higherIsBetter, boolean inTable, boolean inChart) {

	static final List<Metric> ALL = List.of(
			new Metric("messagesPerSecond", "msg/s (round trips)", "%,.0f", true, true, true),
			new Metric("messagesPerProxyCpuSecond", "msg per proxy CPU-s", "%,.0f", true, true, true),
			new Metric("p50Micros", "p50 round trip us", "%,.0f", false, true, false),
			new Metric("p99Micros", "p99 round trip us", "%,.0f", false, true, true),
			new Metric("p999Micros", "p999 round trip us", "%,.0f", false, true, false),
			new Metric("proxyCpuPercent", "proxy CPU %", "%.0f", false, true, false),
			new Metric("idleConnections", "idle connections held", "%,.0f", true, true, false),
			new Metric("rssBytesPerConnection", "RSS bytes per idle connection", "%,.0f", false, true, true),
			new Metric("heapBytesPerConnection", "  JVM heap (after GC) B/conn", "%,.0f", false, true, false),
			new Metric("directBytesPerConnection", "  JVM direct buffers B/conn", "%,.0f", false, true, false),
			new Metric("handshakesPerSecond", "handshakes/s", "%,.0f", true, true, true),
			new Metric("proxyCpuMsPerHandshake", "proxy CPU ms per handshake", "%.3f", false, true, true),
			new Metric("handshakeP50Millis", "p50 open+echo+close ms", "%.2f", false, true, false),
			new Metric("handshakeP99Millis", "p99 open+echo+close ms", "%.2f", false, true, false),
			new Metric("errors", "failed handshakes", "%.0f", false, true, false),
			new Metric("connectedClients", "clients connected", "%,.0f", true, true, false),
			new Metric("stormMillis", "last client in or failed, ms", "%,.0f", false, true, true),
			new Metric("stormP99Millis", "p99 open+echo ms", "%,.0f", false, true, false),
			new Metric("proxyCpuMsPerClient", "proxy CPU ms per client", "%.3f", false, true, true),
			new Metric("resumedClients", "TLS sessions resumed", "%,.0f", true, true, false),
			new Metric("startupMillis", "start to first echo ms", "%,.0f", false, true, true),
			new Metric("idleRssMiB", "idle RSS after start MiB", "%,.1f", false, true, true),
			new Metric("proxyCpuSeconds", "proxy CPU s", "%.2f", false, false, false),
			new Metric("handshakes", "handshakes done", "%,.0f", true, false, false));

	static Optional<Metric> of(String key) {
		return ALL.stream().filter((metric) -> metric.key().equals(key)).findFirst();
	}

	String direction() {
		return this.higherIsBetter ? "higher is better" : "lower is better";
	}

}
