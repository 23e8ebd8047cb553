package io.pomelo.gateway.admission;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * What the gateway remembers per client address, with memory bounded whatever the number
 * of sources.
 * <ul>
 * <li>Counts of connections still in their handshake and of sessions are exact: an entry
 * exists only while one of them is above zero, so there are never more entries than live
 * connections, which the global limits already bound.</li>
 * <li>Handshake-rate buckets live in a least-recently-used table of fixed size
 * (Caffeine's W-TinyLFU). An address pushed out by a flood of others comes back with a
 * full bucket: that errs towards letting a real player in, and a flood from a million
 * addresses is the global limits' job, not a per-address one. A sketch (count-min) would
 * have bounded memory as well, but errs the other way: a real player whose counters
 * collide with a flooding address would be refused.</li>
 * </ul>
 */
final class AddressTable {

	private final ConcurrentHashMap<String, Counts> live = new ConcurrentHashMap<>();

	private final Cache<String, TokenBucket> buckets;

	private final double rate;

	private final int burst;

	AddressTable(int tableSize, double rate, int burst) {
		this.rate = rate;
		this.burst = burst;
		// A bucket left alone for as long as it takes to refill is full again: forgetting
		// it changes nothing.
		Duration refill = Duration.ofNanos((long) Math.ceil(Math.max(1, burst) / Math.max(rate, 1e-3) * 1e9));
		this.buckets = Caffeine.newBuilder().maximumSize(tableSize).expireAfterAccess(refill).build();
	}

	/**
	 * Adds one to the address's connections in their handshake, unless it is at
	 * {@code max} (0: no limit).
	 */
	boolean tryAddPending(String key, int max) {
		boolean[] added = new boolean[1];
		this.live.compute(key, (k, current) -> {
			Counts counts = (current != null) ? current : new Counts();
			if (max <= 0 || counts.pending < max) {
				counts.pending++;
				added[0] = true;
			}
			return counts.empty() ? null : counts;
		});
		return added[0];
	}

	void removePending(String key) {
		this.live.computeIfPresent(key, (k, counts) -> {
			counts.pending--;
			return counts.empty() ? null : counts;
		});
	}

	/**
	 * Adds one to the address's sessions, unless it is at {@code max} (0: no limit).
	 */
	boolean tryAddSession(String key, int max) {
		boolean[] added = new boolean[1];
		this.live.compute(key, (k, current) -> {
			Counts counts = (current != null) ? current : new Counts();
			if (max <= 0 || counts.sessions < max) {
				counts.sessions++;
				added[0] = true;
			}
			return counts.empty() ? null : counts;
		});
		return added[0];
	}

	void removeSession(String key) {
		this.live.computeIfPresent(key, (k, counts) -> {
			counts.sessions--;
			return counts.empty() ? null : counts;
		});
	}

	/**
	 * Takes a handshake token of the address.
	 * @return 0 when one was taken, or else the nanoseconds until one will be there
	 */
	long takeToken(String key, long nowNanos) {
		if (this.rate <= 0) {
			return 0;
		}
		return this.buckets.get(key, (k) -> new TokenBucket(this.rate, this.burst, nowNanos)).take(nowNanos);
	}

	/** Addresses with a connection in its handshake or a session now. */
	int liveAddresses() {
		return this.live.size();
	}

	/** Addresses whose handshake rate is remembered; never more than the table size. */
	long rememberedAddresses() {
		this.buckets.cleanUp();
		return this.buckets.estimatedSize();
	}

	/** Sessions of one address now. */
	int sessions(String key) {
		Counts counts = this.live.get(key);
		return (counts != null) ? counts.sessions : 0;
	}

	// Mutated only inside ConcurrentHashMap.compute, which locks the entry's bin.
	private static final class Counts {

		int pending;

		int sessions;

		boolean empty() {
			return this.pending <= 0 && this.sessions <= 0;
		}

	}

}
