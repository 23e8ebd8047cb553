package io.pomelo.gateway.pomelo;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

import io.pomelo.gateway.relay.Direction;

/**
 * The Pomelo-level meters of one gateway route. Everything a frame can touch is created
 * up front and held in arrays, so the observer's hot path is an index and an increment,
 * never a registry lookup. Only request timers (one per Pomelo route, capped) and
 * handshake codes (once per session) are created later.
 */
final class PomeloMeters {

	private static final String[] PACKAGE_TYPES = { null, "handshake", "handshake_ack", "heartbeat", "data", "kick" };

	private static final String[] MESSAGE_TYPES = { "request", "notify", "response", "push" };

	// Explicit buckets instead of Micrometer's ~70 default histogram buckets: this timer
	// is multiplied by
	// up to max-routes Pomelo routes, and these still give histogram_quantile a useful
	// p50 and p99.
	private static final Duration[] LATENCY_BUCKETS = { Duration.ofMillis(1), Duration.ofMillis(2),
			Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
			Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
			Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10) };

	private final MeterRegistry registry;

	private final Tags routeTag;

	private final PomeloRouteTags routeTags;

	private final Counter[][] packages = new Counter[2][PACKAGE_TYPES.length];

	private final Counter[] messages = new Counter[MESSAGE_TYPES.length];

	private final Counter[] invalid = new Counter[2];

	// Per direction: compressed messages inflated and read, counted as opaque, and
	// inflates given up.
	private final Counter[][] compressed = new Counter[2][3];

	private final Counter kicks;

	private final Counter evicted;

	private final Counter unansweredAtClose;

	private final Map<String, Counter> handshakes = new ConcurrentHashMap<>();

	private final Map<String, Timer> requests = new ConcurrentHashMap<>();

	PomeloMeters(MeterRegistry registry, String routeId, PomeloRouteTags routeTags) {
		this.registry = registry;
		this.routeTag = Tags.of("route", routeId);
		this.routeTags = routeTags;
		for (Direction way : Direction.values()) {
			int direction = way.ordinal();
			for (int type = 1; type < PACKAGE_TYPES.length; type++) {
				this.packages[direction][type] = Counter.builder("pomelo.gateway.pomelo.packages")
					.description("Pomelo packages relayed, by package type and direction")
					.tags(this.routeTag)
					.tag("direction", way.tag())
					.tag("type", PACKAGE_TYPES[type])
					.register(registry);
			}
			this.invalid[direction] = Counter.builder("pomelo.gateway.pomelo.invalid.frames")
				.description("Relayed frames that are not well-formed Pomelo packages (text frames, unknown "
						+ "package types, truncated headers); they are relayed all the same")
				.tags(this.routeTag)
				.tag("direction", way.tag())
				.register(registry);
			String[] reads = { "inflated", "opaque", "given_up" };
			for (int read = 0; read < reads.length; read++) {
				this.compressed[direction][read] = Counter.builder("pomelo.gateway.pomelo.compressed.messages")
					.description("Messages compressed with permessage-deflate: inflated to read their Pomelo "
							+ "headers, counted as opaque (pomelo.gateway.pomelo.inflate off, or given up), and "
							+ "inflates given up (over max-inflated-message, or not deflate)")
					.tags(this.routeTag)
					.tag("direction", way.tag())
					.tag("read", reads[read])
					.register(registry);
			}
		}
		for (int type = 0; type < MESSAGE_TYPES.length; type++) {
			this.messages[type] = Counter.builder("pomelo.gateway.pomelo.messages")
				.description("Pomelo messages in data packages, by message type")
				.tags(this.routeTag)
				.tag("type", MESSAGE_TYPES[type])
				.register(registry);
		}
		this.kicks = Counter.builder("pomelo.gateway.pomelo.kicks")
			.description("Kick packages sent by Pomelo servers to clients")
			.tags(this.routeTag)
			.register(registry);
		this.evicted = unanswered("evicted");
		this.unansweredAtClose = unanswered("closed");
	}

	private Counter unanswered(String reason) {
		return Counter.builder("pomelo.gateway.pomelo.requests.unanswered")
			.description("Requests forgotten without a response: evicted when a connection had too many in "
					+ "flight, or still pending when it closed")
			.tags(this.routeTag)
			.tag("reason", reason)
			.register(this.registry);
	}

	/** Counts a package; the type must be a valid package type code (1-5). */
	void countPackage(Direction direction, int type) {
		this.packages[direction.ordinal()][type].increment();
	}

	/** Counts a message; the type must be a valid message type code (0-3). */
	void countMessage(int type) {
		this.messages[type].increment();
	}

	void countInvalid(Direction direction) {
		this.invalid[direction.ordinal()].increment();
	}

	/** Counts a compressed message, inflated or opaque. */
	void countCompressed(Direction direction, boolean inflated) {
		this.compressed[direction.ordinal()][inflated ? 0 : 1].increment();
	}

	void countInflateGivenUp(Direction direction) {
		this.compressed[direction.ordinal()][2].increment();
	}

	void countKick() {
		this.kicks.increment();
	}

	void countEvicted(int count) {
		if (count > 0) {
			this.evicted.increment(count);
		}
	}

	void countUnansweredAtClose(int count) {
		if (count > 0) {
			this.unansweredAtClose.increment(count);
		}
	}

	/**
	 * Counts a server handshake result.
	 * @param code the handshake's code tag: 200, 500, 501 and 300 as numbers, anything
	 * else as {@code other}, and {@code invalid} when the JSON had no numeric code
	 */
	void countHandshake(String code) {
		this.handshakes
			.computeIfAbsent(code, (tag) -> Counter.builder("pomelo.gateway.pomelo.handshakes")
				.description("Pomelo server handshake answers, by result code (200 accepted, 500 handshake hook "
						+ "failed, 501 client version refused)")
				.tags(this.routeTag)
				.tag("code", tag)
				.register(this.registry))
			.increment();
	}

	/**
	 * The latency timer of a Pomelo route; past the route cap every route shares the
	 * {@code _other} timer.
	 */
	Timer requestTimer(String pomeloRoute) {
		String tag = this.routeTags.tagFor(pomeloRoute);
		Timer timer = this.requests.get(tag);
		if (timer != null) {
			return timer;
		}
		return this.requests.computeIfAbsent(tag, (name) -> Timer.builder("pomelo.gateway.pomelo.request.duration")
			.description(
					"Time from a Pomelo request passing the gateway to its response passing back, by " + "Pomelo route")
			.tags(this.routeTag)
			.tag("pomelo.route", name)
			.serviceLevelObjectives(LATENCY_BUCKETS)
			.register(this.registry));
	}

	/** Handshake code tag values kept as numbers; others collapse to {@code other}. */
	static String handshakeCodeTag(int code) {
		return switch (code) {
			case 200 -> "200";
			case 300 -> "300";
			case 500 -> "500";
			case 501 -> "501";
			default -> "other";
		};
	}

}
