package io.pomelo.gateway.relay;

import java.util.List;
import java.util.Locale;

/**
 * Reads {@code Sec-WebSocket-Extensions} values (RFC 6455 9.1): a comma-separated list of extensions,
 * each a name followed by {@code ;}-separated parameters.
 */
final class Extensions {

	private Extensions() {
	}

	/** Whether every extension a server answered with was named in the offer. */
	static boolean answerFitsOffer(List<String> answer, String offer) {
		for (String value : answer) {
			for (String extension : value.split(",")) {
				String name = name(extension);
				if (!name.isEmpty() && !offers(offer, name)) {
					return false;
				}
			}
		}
		return true;
	}

	/** Whether an offer names the extension. */
	static boolean offers(String offer, String name) {
		for (String extension : offer.split(",")) {
			if (name(extension).equals(name)) {
				return true;
			}
		}
		return false;
	}

	private static String name(String extension) {
		int semicolon = extension.indexOf(';');
		return ((semicolon < 0) ? extension : extension.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
	}

}
