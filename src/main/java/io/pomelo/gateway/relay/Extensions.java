package io.pomelo.gateway.relay;

import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.StringJoiner;

/**
 * Reads {@code Sec-WebSocket-Extensions} values (RFC 6455 9.1): a comma-separated list of
 * extensions, each a name followed by {@code ;}-separated parameters.
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

	/**
	 * The per-message compression extension (RFC 7692), the one whose frames the tunnel
	 * understands.
	 */
	static final String PERMESSAGE_DEFLATE = "permessage-deflate";

	/**
	 * The part of a client's offer that names an allowed extension, each entry as the
	 * client wrote it, parameters included.
	 * @return the offer to forward, or {@code null} when nothing of it is allowed
	 */
	static String allowed(String offer, Collection<String> allowed) {
		if (offer == null || allowed.isEmpty()) {
			return null;
		}
		StringJoiner kept = new StringJoiner(", ");
		for (String extension : offer.split(",")) {
			String name = name(extension);
			if (!name.isEmpty() && allowed.stream().anyMatch(name::equalsIgnoreCase)) {
				kept.add(extension.trim());
			}
		}
		return (kept.length() == 0) ? null : kept.toString();
	}

	/** Whether the backend's answer turned on per-message compression. */
	static boolean compresses(String answer) {
		return answer != null && offers(answer, PERMESSAGE_DEFLATE);
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
