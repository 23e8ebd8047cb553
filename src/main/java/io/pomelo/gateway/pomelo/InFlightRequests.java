package io.pomelo.gateway.pomelo;

import io.micrometer.core.instrument.Timer;

/**
 * The requests of one connection that await their response: message id to start time and
 * the timer of the request's route. An open-addressing table of primitive ids, so
 * remembering a request neither boxes its id nor allocates an entry. Not thread-safe:
 * both directions of a session run on one event loop.
 * <p>
 * It holds at most {@code max} requests. A client that never sees its responses (Pomelo
 * drops the response to a request that arrives after a kick, say) would otherwise grow it
 * without end, so the oldest request is forgotten to make room.
 */
final class InFlightRequests {

	private static final int INITIAL_CAPACITY = 8;

	private final int max;

	private static final long[] NO_LONGS = {};

	private static final Timer[] NO_TIMERS = {};

	// Empty until the first request: a session that never sends one (a gate
	// connection mid-handshake, a player who only sends heartbeats) holds no table.
	private long[] ids = NO_LONGS;

	private long[] starts = NO_LONGS;

	// A null timer marks an empty slot.
	private Timer[] timers = NO_TIMERS;

	private int size;

	InFlightRequests(int max) {
		if (max < 1) {
			throw new IllegalArgumentException("max must be strictly positive");
		}
		this.max = max;
	}

	/**
	 * Remembers a request; a repeated id replaces the earlier request.
	 * @return how many requests were forgotten to make room or by the replacement (0 or
	 * 1)
	 */
	int put(long id, long startNanos, Timer timer) {
		int forgotten = 0;
		int slot = indexOf(id);
		if (slot >= 0) {
			this.starts[slot] = startNanos;
			this.timers[slot] = timer;
			return 1;
		}
		if (this.size >= this.max) {
			deleteAt(oldest());
			forgotten = 1;
		}
		if ((this.size + 1) * 2 > this.timers.length) {
			grow();
		}
		insert(id, startNanos, timer);
		return forgotten;
	}

	/**
	 * Finds the request with this id.
	 * @return its slot, or -1; read it with {@link #startAt} and {@link #timerAt}, then
	 * {@link #deleteAt}
	 */
	int indexOf(long id) {
		if (this.size == 0) {
			return -1;
		}
		int mask = this.timers.length - 1;
		for (int i = hash(id) & mask;; i = (i + 1) & mask) {
			if (this.timers[i] == null) {
				return -1;
			}
			if (this.ids[i] == id) {
				return i;
			}
		}
	}

	long startAt(int slot) {
		return this.starts[slot];
	}

	Timer timerAt(int slot) {
		return this.timers[slot];
	}

	/** Removes the request in a slot, shifting later entries of its probe chain back. */
	void deleteAt(int slot) {
		int mask = this.timers.length - 1;
		int hole = slot;
		for (int j = (hole + 1) & mask; this.timers[j] != null; j = (j + 1) & mask) {
			int home = hash(this.ids[j]) & mask;
			// The entry at j may fill the hole unless its home lies cyclically in (hole,
			// j].
			boolean stays = (hole <= j) ? (hole < home && home <= j) : (hole < home || home <= j);
			if (!stays) {
				this.ids[hole] = this.ids[j];
				this.starts[hole] = this.starts[j];
				this.timers[hole] = this.timers[j];
				hole = j;
			}
		}
		this.timers[hole] = null;
		this.size--;
	}

	/** Requests awaiting a response. */
	int size() {
		return this.size;
	}

	/** Forgets every request. */
	void clear() {
		java.util.Arrays.fill(this.timers, null);
		this.size = 0;
	}

	private int oldest() {
		int oldest = -1;
		for (int i = 0; i < this.timers.length; i++) {
			if (this.timers[i] != null && (oldest < 0 || this.starts[i] - this.starts[oldest] < 0)) {
				oldest = i;
			}
		}
		return oldest;
	}

	private void insert(long id, long startNanos, Timer timer) {
		int mask = this.timers.length - 1;
		int i = hash(id) & mask;
		while (this.timers[i] != null) {
			i = (i + 1) & mask;
		}
		this.ids[i] = id;
		this.starts[i] = startNanos;
		this.timers[i] = timer;
		this.size++;
	}

	private void grow() {
		long[] oldIds = this.ids;
		long[] oldStarts = this.starts;
		Timer[] oldTimers = this.timers;
		int capacity = Math.max(INITIAL_CAPACITY, oldTimers.length * 2);
		this.ids = new long[capacity];
		this.starts = new long[capacity];
		this.timers = new Timer[capacity];
		this.size = 0;
		for (int i = 0; i < oldTimers.length; i++) {
			if (oldTimers[i] != null) {
				insert(oldIds[i], oldStarts[i], oldTimers[i]);
			}
		}
	}

	private static int hash(long id) {
		// Pomelo ids count up from 1; spread them so neighbours do not form one long
		// probe chain.
		long h = id * 0x9E3779B97F4A7C15L;
		return (int) (h ^ (h >>> 32));
	}

}
