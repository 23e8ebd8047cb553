package io.pomelo.gateway.metrics;

import java.util.EnumMap;
import java.util.Map;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import io.pomelo.gateway.admission.AdmissionControl;
import io.pomelo.gateway.admission.ClientEvent;
import io.pomelo.gateway.admission.ClientEvents;

/**
 * Counts what clients cause before they have a session (connections refused at accept,
 * timeouts, TLS failures, resets, early closes), with every counter registered up front
 * so that counting one costs an array lookup and an add. Also shows what admission holds
 * now.
 */
final class ClientEventMetrics implements ClientEvents {

	private final Map<ClientEvent, Counter> counters = new EnumMap<>(ClientEvent.class);

	ClientEventMetrics(MeterRegistry meters, AdmissionControl admission) {
		for (ClientEvent event : ClientEvent.values()) {
			this.counters.put(event,
					Counter.builder(event.meter())
						.description(description(event.meter()))
						.tag(event.tagKey(), event.tagValue())
						.register(meters));
		}
		Gauge.builder("pomelo.gateway.connections.pending", admission, AdmissionControl::pendingConnections)
			.description("Client connections still in the PROXY header, TLS or their upgrade request")
			.register(meters);
		Gauge.builder("pomelo.gateway.sessions.admitted", admission, AdmissionControl::sessions)
			.description("Sessions the gateway holds, handshakes in progress included")
			.register(meters);
		Gauge.builder("pomelo.gateway.sessions.limit", admission, AdmissionControl::maxSessions)
			.description("Most sessions the gateway takes (limits.max-sessions, or derived from the open-file limit)")
			.register(meters);
		Gauge.builder("pomelo.gateway.admission.addresses", admission, AdmissionControl::liveAddresses)
			.description("Client addresses with a connection or a session now")
			.register(meters);
	}

	private static String description(String meter) {
		return switch (meter) {
			case "pomelo.gateway.connections.refused" -> "Client connections closed at accept, before any TLS "
					+ "work, by the limit or check that refused them";
			case "pomelo.gateway.client.timeouts" -> "Client connections closed because the PROXY header and TLS "
					+ "handshake, or the upgrade request, took longer than allowed";
			default -> "Client connections that failed before they became a session: TLS handshake failures, "
					+ "resets and closes before the upgrade request was complete";
		};
	}

	@Override
	public void record(ClientEvent event) {
		this.counters.get(event).increment();
	}

}
