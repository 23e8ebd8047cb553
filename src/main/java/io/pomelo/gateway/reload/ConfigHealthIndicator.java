package io.pomelo.gateway.reload;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The {@code config} health component: which files routes are read from, whether they are
 * watched, and what the last reading did, with the property and problem when it was
 * refused. Informational and always UP: a refused file leaves the gateway serving the
 * routes it had, so neither readiness nor liveness should change; the operator who pushed
 * the file needs to see why, and this says it.
 */
final class ConfigHealthIndicator implements HealthIndicator {

	private final ConfigReloader reloader;

	private final boolean watching;

	ConfigHealthIndicator(ConfigReloader reloader, boolean watching) {
		this.reloader = reloader;
		this.watching = watching;
	}

	@Override
	public Health health() {
		Map<String, Object> details = new LinkedHashMap<>();
		details.put("files", this.reloader.files().stream().map(Object::toString).toList());
		details.put("watch", this.watching);
		details.put("lastSuccess", this.reloader.lastSuccess().toString());
		ReloadOutcome last = this.reloader.last();
		if (last != null) {
			details.put("lastResult", last.result().tag());
			details.put("lastReading", last.at().toString());
			details.put("trigger", last.trigger());
			if (last.refused()) {
				details.put("problems",
						last.problems().stream().map((problem) -> problem.field() + ": " + problem.message()).toList());
			}
			if (!last.needsRestart().isEmpty()) {
				details.put("needsRestart", last.needsRestart());
			}
		}
		return Health.up().withDetails(details).build();
	}

}
