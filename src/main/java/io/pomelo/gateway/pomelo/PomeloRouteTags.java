package io.pomelo.gateway.pomelo;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Pomelo route names that may appear as tag values, capped across the whole gateway.
 * Route names come from clients, so without a cap one client could create a time series
 * per made-up route.
 */
final class PomeloRouteTags {

	/** The tag value of every route past the cap. */
	static final String OTHER = "_other";

	/**
	 * The tag value of a compressed route whose code is not in the server's dictionary.
	 */
	static final String UNKNOWN = "_unknown";

	private final int max;

	private final Map<String, String> known = new ConcurrentHashMap<>();

	PomeloRouteTags(int max) {
		if (max < 0) {
			throw new IllegalArgumentException("max must not be negative");
		}
		this.max = max;
	}

	/**
	 * The tag value for a route: the route itself while fewer than {@code max} routes are
	 * known, otherwise {@link #OTHER}.
	 */
	String tagFor(String route) {
		String tag = this.known.get(route);
		if (tag != null) {
			return tag;
		}
		synchronized (this.known) {
			tag = this.known.get(route);
			if (tag != null) {
				return tag;
			}
			if (this.known.size() < this.max) {
				this.known.putIfAbsent(route, route);
				return route;
			}
		}
		return OTHER;
	}

	/** Routes admitted so far. */
	int size() {
		return this.known.size();
	}

}
