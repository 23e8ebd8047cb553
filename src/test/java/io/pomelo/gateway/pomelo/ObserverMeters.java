package io.pomelo.gateway.pomelo;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The Pomelo meters of the gateway route {@code conn}, read as the observer tests check
 * them.
 */
final class ObserverMeters {

	private final MeterRegistry registry;

	ObserverMeters(MeterRegistry registry) {
		this.registry = registry;
	}

	double packages(String direction, String type) {
		return this.registry.get("pomelo.gateway.pomelo.packages")
			.tags("route", "conn", "direction", direction, "type", type)
			.counter()
			.count();
	}

	double messages(String type) {
		return this.registry.get("pomelo.gateway.pomelo.messages")
			.tags("route", "conn", "type", type)
			.counter()
			.count();
	}

	double invalid(String direction) {
		return this.registry.get("pomelo.gateway.pomelo.invalid.frames")
			.tags("route", "conn", "direction", direction)
			.counter()
			.count();
	}

	double handshakes(String code) {
		return this.registry.get("pomelo.gateway.pomelo.handshakes")
			.tags("route", "conn", "code", code)
			.counter()
			.count();
	}

	double unanswered(String reason) {
		return this.registry.get("pomelo.gateway.pomelo.requests.unanswered")
			.tags("route", "conn", "reason", reason)
			.counter()
			.count();
	}

	double compressed(String direction, String read) {
		return this.registry.get("pomelo.gateway.pomelo.compressed.messages")
			.tags("route", "conn", "direction", direction, "read", read)
			.counter()
			.count();
	}

	/** Requests of a Pomelo route timed to their response. */
	long requests(String pomeloRoute) {
		Timer timer = this.registry.find("pomelo.gateway.pomelo.request.duration")
			.tags("route", "conn", "pomelo.route", pomeloRoute)
			.timer();
		return (timer != null) ? timer.count() : 0;
	}

}
