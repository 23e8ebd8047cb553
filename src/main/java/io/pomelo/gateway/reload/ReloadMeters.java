package io.pomelo.gateway.reload;

import java.util.EnumMap;
import java.util.Map;
import java.util.function.Consumer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import io.pomelo.gateway.reload.ReloadOutcome.Result;

/**
 * {@code pomelo.gateway.config.reloads} by result, and the time routes from the files
 * were last in force as read. An alert on a refused reload, or on a last success older
 * than the last rollout, catches a Helm upgrade whose routes never arrived while every
 * pod stayed healthy.
 */
final class ReloadMeters implements Consumer<ReloadOutcome> {

	private final Map<Result, Counter> reloads = new EnumMap<>(Result.class);

	ReloadMeters(MeterRegistry registry, ConfigReloader reloader) {
		for (Result result : Result.values()) {
			if (result != Result.DRY_RUN) {
				this.reloads.put(result,
						Counter.builder("pomelo.gateway.config.reloads")
							.description("Readings of the configuration files for routes, by what they did")
							.tag("result", result.tag())
							.register(registry));
			}
		}
		Gauge
			.builder("pomelo.gateway.config.last.success", reloader,
					(source) -> source.lastSuccess().toEpochMilli() / 1000.0)
			.description("When the routes of the configuration files were last in force as read (start-up or a reload)")
			.baseUnit("seconds")
			.register(registry);
	}

	@Override
	public void accept(ReloadOutcome outcome) {
		Counter counter = this.reloads.get(outcome.result());
		if (counter != null) {
			counter.increment();
		}
	}

}
