package io.pomelo.gateway.support;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Reads the gateway's own counters in tests, as Prometheus would see them after a scrape.
 */
public final class Meters {

	private Meters() {
	}

	/** A counter's value, or 0 when it does not exist yet. */
	public static double count(MeterRegistry registry, String name, String... tags) {
		Counter counter = registry.find(name).tags(tags).counter();
		return (counter != null) ? counter.count() : 0;
	}

	/** The handshake failures of a reason, on every route. */
	public static double handshakeFailures(MeterRegistry registry, String reason) {
		return registry.find("pomelo.gateway.handshake.failures")
			.tag("reason", reason)
			.counters()
			.stream()
			.mapToDouble(Counter::count)
			.sum();
	}

}
