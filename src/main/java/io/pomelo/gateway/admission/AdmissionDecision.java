package io.pomelo.gateway.admission;

/**
 * The answer to an upgrade: a {@link SessionTicket} that holds the session's places, or a
 * {@link Refusal} that says which limit refused it.
 */
public sealed interface AdmissionDecision permits SessionTicket, AdmissionDecision.Refusal {

	/**
	 * An upgrade refused by a limit.
	 *
	 * @param limit the limit that refused it
	 * @param retryAfterNanos when trying again can succeed, for a rate limit; 0 otherwise
	 */
	record Refusal(Limit limit, long retryAfterNanos) implements AdmissionDecision {
	}

}
