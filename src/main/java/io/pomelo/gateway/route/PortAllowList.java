package io.pomelo.gateway.route;

import java.util.ArrayList;
import java.util.List;

/**
 * An immutable set of TCP ports written as single ports and inclusive ranges
 * ({@code "3050-3059"}).
 */
public final class PortAllowList {

	private final int[] from;

	private final int[] to;

	private final List<String> spec;

	private PortAllowList(int[] from, int[] to, List<String> spec) {
		this.from = from;
		this.to = to;
		this.spec = spec;
	}

	/**
	 * Parses entries such as {@code "3014"} and {@code "3050-3059"}.
	 * @throws IllegalArgumentException naming the entry that is not a port or range of
	 * ports
	 */
	public static PortAllowList parse(List<String> entries) {
		if (entries == null || entries.isEmpty()) {
			throw new IllegalArgumentException("must list at least one port or range");
		}
		int[] from = new int[entries.size()];
		int[] to = new int[entries.size()];
		List<String> spec = new ArrayList<>();
		for (int i = 0; i < entries.size(); i++) {
			String entry = entries.get(i).trim();
			int dash = entry.indexOf('-');
			try {
				from[i] = port(dash < 0 ? entry : entry.substring(0, dash));
				to[i] = (dash < 0) ? from[i] : port(entry.substring(dash + 1));
			}
			catch (NumberFormatException ex) {
				throw new IllegalArgumentException("'" + entry + "' is not a port or a range like 3050-3059");
			}
			if (to[i] < from[i]) {
				throw new IllegalArgumentException("'" + entry + "' is an empty range");
			}
			spec.add(entry);
		}
		return new PortAllowList(from, to, List.copyOf(spec));
	}

	private static int port(String text) {
		int port = Integer.parseInt(text.trim());
		if (port < 1 || port > 65535) {
			throw new NumberFormatException();
		}
		return port;
	}

	/**
	 * Whether the port is in one of the ranges.
	 */
	public boolean allows(int port) {
		for (int i = 0; i < this.from.length; i++) {
			if (port >= this.from[i] && port <= this.to[i]) {
				return true;
			}
		}
		return false;
	}

	/**
	 * The entries as written.
	 */
	public List<String> entries() {
		return this.spec;
	}

	@Override
	public String toString() {
		return String.join(",", this.spec);
	}

}
