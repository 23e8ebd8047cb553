package io.pomelo.gateway.store;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import reactor.core.publisher.Flux;

import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.connection.ReturnType;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * The route table as Redis holds it: one hash ({@code key}: field = route id, value = the
 * JSON of a {@link StoredRoute}) and a table version ({@code key:version}) that grows by
 * one on every write. Reads and writes are Lua scripts, so a read sees the hash and the
 * version of the same moment and a write is a compare-and-set on the table version that
 * also publishes the change event: no reader can see a new table before its event is on
 * its way, and a write that lost a race changes nothing.
 * <p>
 * Every call blocks for at most {@code timeout}; any failure to reach Redis is a
 * {@link StoreUnavailableException}.
 */
final class RedisRouteTable {

	/**
	 * Returns {version or '', field1, value1, ...}; a flat list because Lua nil would cut
	 * a nested one short.
	 */
	private static final String READ = """
			local version = redis.call('GET', KEYS[2]) or ''
			local out = { version }
			local all = redis.call('HGETALL', KEYS[1])
			for i = 1, #all do out[#out + 1] = all[i] end
			return out
			""";

	/**
	 * ARGV: expected version ('' = absent), new version, channel, event, replace ('1'
	 * empties the hash first), number of puts n, n field/value pairs, then fields to
	 * delete. Returns 1, or 0 when the table version was not the expected one (nothing
	 * written).
	 */
	private static final String COMPARE_AND_SET = """
			local current = redis.call('GET', KEYS[2]) or ''
			if current ~= ARGV[1] then return 0 end
			if ARGV[5] == '1' then redis.call('DEL', KEYS[1]) end
			local i = 7
			for _ = 1, tonumber(ARGV[6]) do
			  redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
			  i = i + 2
			end
			while i <= #ARGV do
			  redis.call('HDEL', KEYS[1], ARGV[i])
			  i = i + 1
			end
			redis.call('SET', KEYS[2], ARGV[2])
			redis.call('PUBLISH', ARGV[3], ARGV[4])
			return 1
			""";

	/**
	 * The table at one moment.
	 *
	 * @param present whether Redis has a table version at all; it has none when it is new
	 * or lost its data (a restart without persistence)
	 * @param version the table version, 0 when absent
	 * @param routes the routes by id
	 */
	record Snapshot(boolean present, long version, Map<String, StoredRoute> routes) {

		static final Snapshot EMPTY = new Snapshot(false, 0, Map.of());

		/** The compare-and-set argument that matches this snapshot. */
		String expected() {
			return this.present ? Long.toString(this.version) : "";
		}

	}

	private final ReactiveStringRedisTemplate redis;

	private final String hashKey;

	private final String versionKey;

	private final String channel;

	private final Duration timeout;

	private final JsonMapper json = JsonMapper.builder().build();

	RedisRouteTable(ReactiveRedisConnectionFactory connections, String key, Duration timeout) {
		this.redis = new ReactiveStringRedisTemplate(connections);
		this.hashKey = key;
		this.versionKey = key + ":version";
		this.channel = key + ":events";
		this.timeout = timeout;
	}

	/** The channel change events are published on. */
	String channel() {
		return this.channel;
	}

	/** The hash and the table version, read in one step. */
	Snapshot read() {
		return read(this.timeout);
	}

	/**
	 * The hash and the table version, waiting up to {@code timeout}: the first call of a
	 * process also pays for loading the client and connecting, which takes seconds on a
	 * busy machine.
	 */
	Snapshot read(Duration timeout) {
		List<String> reply = eval(READ, ReturnType.MULTI, List.of(), timeout).flatMapIterable(RedisRouteTable::elements)
			.map(RedisRouteTable::text)
			.collectList()
			.block();
		if (reply == null || reply.isEmpty()) {
			throw new StoreUnavailableException("Redis answered the route read with nothing", null);
		}
		String version = reply.get(0);
		Map<String, StoredRoute> routes = new TreeMap<>();
		for (int i = 1; i + 1 < reply.size(); i += 2) {
			try {
				routes.put(reply.get(i), this.json.readValue(reply.get(i + 1), StoredRoute.class));
			}
			catch (JacksonException ex) {
				// Serving a table without this route would silently drop its players;
				// keep the last one.
				throw new StoreUnavailableException("route '" + reply.get(i) + "' in Redis hash " + this.hashKey
						+ " is not valid JSON: " + ex.getOriginalMessage(), ex);
			}
		}
		boolean present = !version.isEmpty();
		return new Snapshot(present, present ? Long.parseLong(version) : 0,
				Collections.unmodifiableMap(new LinkedHashMap<>(routes)));
	}

	/**
	 * Only the table version: the cheap probe that tells whether a full read is needed.
	 */
	Snapshot readVersion() {
		String version = call(this.redis.opsForValue().get(this.versionKey).flux(), this.timeout).blockLast();
		return (version != null) ? new Snapshot(true, Long.parseLong(version), null) : Snapshot.EMPTY;
	}

	/**
	 * Writes {@code next} over {@code current} if Redis still holds {@code current}'s
	 * table version, setting the version to {@code nextVersion} and publishing
	 * {@code event}.
	 * @param replace whether to write the whole table rather than the difference
	 * (restoring a lost table)
	 * @return whether it was written
	 */
	boolean compareAndSet(Snapshot current, Map<String, StoredRoute> next, long nextVersion, String event,
			boolean replace) {
		List<String> puts = new ArrayList<>();
		next.forEach((id, route) -> {
			if (replace || !route.equals(current.routes().get(id))) {
				puts.add(id);
				puts.add(this.json.writeValueAsString(route));
			}
		});
		List<String> args = new ArrayList<>(List.of(current.expected(), Long.toString(nextVersion), this.channel, event,
				replace ? "1" : "0", Integer.toString(puts.size() / 2)));
		args.addAll(puts);
		if (!replace) {
			current.routes().keySet().stream().filter((id) -> !next.containsKey(id)).forEach(args::add);
		}
		Object written = eval(COMPARE_AND_SET, ReturnType.INTEGER, args, this.timeout).blockLast();
		return Long.valueOf(1).equals(written);
	}

	private Flux<Object> eval(String script, ReturnType type, List<String> args, Duration timeout) {
		List<ByteBuffer> keysAndArgs = new ArrayList<>();
		keysAndArgs.add(bytes(this.hashKey));
		keysAndArgs.add(bytes(this.versionKey));
		args.forEach((arg) -> keysAndArgs.add(bytes(arg)));
		return call(this.redis.execute((connection) -> connection.scriptingCommands()
			.eval(bytes(script), type, 2, keysAndArgs.toArray(ByteBuffer[]::new))), timeout);
	}

	/** Bounds a call in time and turns every failure into StoreUnavailableException. */
	private <T> Flux<T> call(Flux<T> call, Duration timeout) {
		return call.timeout(timeout)
			.onErrorMap((ex) -> !(ex instanceof StoreUnavailableException),
					(ex) -> new StoreUnavailableException("Redis is unreachable: " + describe(ex), ex));
	}

	private static String describe(Throwable ex) {
		Throwable root = ex;
		while (root.getCause() != null && root.getCause() != root) {
			root = root.getCause();
		}
		String message = (root.getMessage() != null) ? root.getMessage() : root.getClass().getSimpleName();
		return (root instanceof java.util.concurrent.TimeoutException) ? "no answer in time" : message;
	}

	/**
	 * Spring Data emits a multi-bulk script reply as one element holding the list; accept
	 * either shape.
	 */
	private static List<?> elements(Object reply) {
		return (reply instanceof List<?> list) ? list : List.of(reply);
	}

	private static ByteBuffer bytes(String text) {
		return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
	}

	private static String text(Object reply) {
		if (reply instanceof ByteBuffer buffer) {
			return StandardCharsets.UTF_8.decode(buffer.duplicate()).toString();
		}
		if (reply instanceof byte[] array) {
			return new String(array, StandardCharsets.UTF_8);
		}
		return String.valueOf(reply);
	}

}
