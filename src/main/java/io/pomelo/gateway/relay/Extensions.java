package io.pomelo.gateway.relay;

import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.ConcurrentHashMap;

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

	// Every session keeps its backend's answer, and a backend gives the same one or two
	// answers to every client: one copy of each, up to a handful, serves them all.
	private static final int SHARED_ANSWERS = 16;

	private static final Map<String, String> ANSWERS = new ConcurrentHashMap<>();

	/** The answer as an equal string that other sessions may hold too. */
	static String shared(String answer) {
		if (answer == null) {
			return null;
		}
		String shared = ANSWERS.get(answer);
		if (shared != null) {
			return shared;
		}
		if (ANSWERS.size() < SHARED_ANSWERS) {
			shared = ANSWERS.putIfAbsent(answer, answer);
		}
		return (shared != null) ? shared : answer;
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
