package io.pomelo.gateway.health;

import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationEventPublisher;

/**
 * Flips the readiness probe, for the drain: while traffic is refused, the
 * {@code readiness} group answers 503 and Kubernetes takes the pod out of its Service,
 * and live sessions carry on until they are closed. It uses Spring Boot's own
 * {@link AvailabilityChangeEvent}, the state that start-up and context close also drive.
 */
public class Readiness {

	private final ApplicationEventPublisher events;

	public Readiness(ApplicationEventPublisher events) {
		this.events = events;
	}

	/** Makes readiness report OUT_OF_SERVICE; new clients should go elsewhere. */
	public void refuseTraffic() {
		AvailabilityChangeEvent.publish(this.events, this, ReadinessState.REFUSING_TRAFFIC);
	}

	/** Makes readiness report UP again. */
	public void acceptTraffic() {
		AvailabilityChangeEvent.publish(this.events, this, ReadinessState.ACCEPTING_TRAFFIC);
	}

}
