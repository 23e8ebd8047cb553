package io.pomelo.gateway.pomelo;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

import io.micrometer.core.instrument.Timer;

/**
 * The few Pomelo routes one connection used last, with their timers. A client calls a
 * handful of routes over and over, so comparing a request's route bytes with these
 * usually finds its timer with no String, no hashing and no shared map; only a miss
 * decodes the route and asks {@link PomeloMeters}. Not thread-safe: one session, one
 * event loop.
 */
final class RouteCache {

	static final int SIZE = 8;

	private final PomeloMeters meters;

	// Made at the first request, so that a session that sends none holds no cache.
	private byte[][] names;

	private int[] codes;

	private Timer[] timers;

	private int used;

	private int next;

	RouteCache(PomeloMeters meters) {
		this.meters = meters;
	}

	/** The timer of a text route held in {@code bytes[offset, offset + length)}. */
	Timer textRoute(byte[] bytes, int offset, int length) {
		for (int i = 0; i < this.used; i++) {
			byte[] name = this.names[i];
			if (name != null && name.length == length
					&& Arrays.equals(bytes, offset, offset + length, name, 0, length)) {
				return this.timers[i];
			}
		}
		byte[] name = Arrays.copyOfRange(bytes, offset, offset + length);
		Timer timer = this.meters.requestTimer(new String(name, StandardCharsets.UTF_8));
		remember(name, -1, timer);
		return timer;
	}

	/**
	 * The timer of a compressed route, named through the server's dictionary (code to
	 * route).
	 */
	Timer compressedRoute(int code, Map<Integer, String> dictionary) {
		for (int i = 0; i < this.used; i++) {
			if (this.names[i] == null && this.codes[i] == code) {
				return this.timers[i];
			}
		}
		String route = dictionary.get(code);
		Timer timer = this.meters.requestTimer((route != null) ? route : PomeloRouteTags.UNKNOWN);
		remember(null, code, timer);
		return timer;
	}

	private void remember(byte[] name, int code, Timer timer) {
		if (this.timers == null) {
			this.names = new byte[SIZE][];
			this.codes = new int[SIZE];
			this.timers = new Timer[SIZE];
		}
		this.names[this.next] = name;
		this.codes[this.next] = code;
		this.timers[this.next] = timer;
		this.next = (this.next + 1) % SIZE;
		this.used = Math.max(this.used, this.next == 0 ? SIZE : this.next);
	}

}
