package io.pomelo.gateway.metrics;

import io.pomelo.gateway.relay.RelaySession.CloseOutcome;
import io.pomelo.gateway.relay.Side;

/**
 * The {@code code} tag of a closed session. A client may send any of the 2,000
 * application codes (3000-4999), so a client's code outside the standard range 1000-1015
 * is counted as {@code other}; codes from backends and from the gateway itself are few
 * and meaningful, so they are kept.
 */
final class CloseCodeTags {

	private CloseCodeTags() {
	}

	static String of(CloseOutcome outcome) {
		if (outcome == null) {
			return "unknown";
		}
		int code = outcome.code();
		if (outcome.side() == Side.CLIENT && (code < 1000 || code > 1015)) {
			return "other";
		}
		return Integer.toString(code);
	}

}
