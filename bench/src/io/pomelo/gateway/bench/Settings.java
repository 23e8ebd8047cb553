package io.pomelo.gateway.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Every parameter of the bench, each a -D system property read once at start; the JSON report records
 * them all (see {@link #asMap()}).
 */
final class Settings {

	static final int ROUNDS = Integer.getInteger("rounds", 3);

	static final Duration ROUND = Duration.ofSeconds(Integer.getInteger("roundSeconds", 5));

	static final List<Integer> PAYLOADS = intList(System.getProperty("payloads", "64,4096"));

	static final List<Integer> CONNECTIONS = intList(System.getProperty("connections", "50,500"));

	/** wss rows as payload x connections; time allows two of the four by default. */
	static final List<String> TLS_ROWS = stringList(System.getProperty("tlsRows", "64x50,4096x500"));

	static final Duration WARMUP = Duration.ofSeconds(Integer.getInteger("warmupSeconds", 3));

	/** Once per gateway JVM, long enough for its JIT to settle; the C proxies and direct need little. */
	static final Duration GATEWAY_WARMUP = Duration.ofSeconds(Integer.getInteger("gatewayWarmupSeconds", 30));

	/**
	 * Handshake runs in the gateway's warm-up: one run leaves C2 still compiling the handshake path in the
	 * measured rounds (a profile showed 22-35 % of the gateway's CPU there in the compiler threads), which
	 * a gateway in service paid once, days ago.
	 */
	static final int GATEWAY_HANDSHAKE_WARMUPS = Integer.getInteger("gatewayHandshakeWarmups", 4);

	static final int IDLE_CONNECTIONS = Integer.getInteger("idleConnections", 10_000);

	/** wss clients of the reconnect-storm rows; 0 skips them. */
	static final int STORM_CLIENTS = Integer.getInteger("stormClients", 10_000);

	/** Handshakes of the storm open at a time; by default all of them, as after a deploy. */
	static final int STORM_IN_FLIGHT = Integer.getInteger("stormInFlight", STORM_CLIENTS);

	static final Duration IDLE_SETTLE = Duration.ofSeconds(Integer.getInteger("idleSettleSeconds", 3));

	/** From the first relayed echo to the idle RSS reading after start-up. */
	static final Duration STARTUP_SETTLE = Duration.ofSeconds(Integer.getInteger("startupSettleSeconds", 2));

	/** Upper bound per handshake round; the round also ends after handshakeSeconds. */
	static final int HANDSHAKE_COUNT = Integer.getInteger("handshakeCount", 20_000);

	static final Duration HANDSHAKE_TIME = Duration.ofSeconds(Integer.getInteger("handshakeSeconds", 5));

	static final int HANDSHAKE_IN_FLIGHT = Integer.getInteger("handshakeInFlight", 50);

	static final boolean TLS_HANDSHAKES = Boolean.parseBoolean(System.getProperty("tlsHandshakes", "true"));

	/** Starts per variant (fat jar, extracted, extracted + CDS, and each peer); 0 skips the start-up rows. */
	static final int STARTUP_SAMPLES = Integer.getInteger("startupSamples", 3);

	static final boolean CDS = Boolean.parseBoolean(System.getProperty("cds", "true"));

	/**
	 * A JDK 25 or later for the start-up row with an AOT cache, as the Docker image runs: -Djdk=..., else the
	 * newest /usr/lib/jvm/temurin-2x or later that has a java; empty (no such row) when there is none.
	 */
	static final String JDK_AOT = System.getProperty("jdk", Os.newestJdk(25));

	static final String GATEWAY_JVM_ARGS = System.getProperty("gatewayJvmArgs", "");

	/** -DgatewayJvmArgs as separate arguments, for the end of a gateway JVM's flags. */
	static List<String> gatewayJvmArgs() {
		return GATEWAY_JVM_ARGS.isBlank() ? List.of() : List.of(GATEWAY_JVM_ARGS.trim().split("\\s+"));
	}

	static final Path CERTIFICATE = Path.of(System.getProperty("tlsCertificate", "src/test/resources/tls/cert.pem"))
		.toAbsolutePath();

	static final Path PRIVATE_KEY = Path.of(System.getProperty("tlsPrivateKey", "src/test/resources/tls/key.pem"))
		.toAbsolutePath();

	static final Path WORK = Path.of(System.getProperty("workDir", "target/bench")).toAbsolutePath();

	static final int HANDSHAKE_PAYLOAD = 64;

	static final Duration CYCLE_TIMEOUT = Duration.ofSeconds(5);

	/** The peers the gateway is compared with, in table order. */
	static final List<String> PEERS = List.of("nginx", "haproxy");

	/** Every way to the backend: straight, through each peer, through the gateway. */
	static final List<String> PATHS = List.of("direct", "nginx", "haproxy", "gateway");

	private Settings() {
	}

	static Map<String, Object> asMap() {
		Map<String, Object> p = new LinkedHashMap<>();
		p.put("rounds", ROUNDS);
		p.put("roundSeconds", ROUND.toSeconds());
		p.put("payloads", PAYLOADS);
		p.put("connections", CONNECTIONS);
		p.put("tlsRows", TLS_ROWS);
		p.put("warmupSeconds", WARMUP.toSeconds());
		p.put("gatewayWarmupSeconds", GATEWAY_WARMUP.toSeconds());
		p.put("gatewayHandshakeWarmups", GATEWAY_HANDSHAKE_WARMUPS);
		p.put("idleConnections", IDLE_CONNECTIONS);
		p.put("idleSettleSeconds", IDLE_SETTLE.toSeconds());
		p.put("stormClients", STORM_CLIENTS);
		p.put("stormInFlight", STORM_IN_FLIGHT);
		p.put("handshakeCount", HANDSHAKE_COUNT);
		p.put("handshakeSeconds", HANDSHAKE_TIME.toSeconds());
		p.put("handshakeInFlight", HANDSHAKE_IN_FLIGHT);
		p.put("tlsHandshakes", TLS_HANDSHAKES);
		p.put("startupSamples", STARTUP_SAMPLES);
		p.put("startupSettleSeconds", STARTUP_SETTLE.toSeconds());
		p.put("cds", CDS);
		p.put("jdk", JDK_AOT);
		p.put("gatewayJvmArgs", GATEWAY_JVM_ARGS);
		p.put("tlsCertificate", CERTIFICATE.toString());
		p.put("tlsPrivateKey", PRIVATE_KEY.toString());
		p.put("workDir", WORK.toString());
		return p;
	}

	/**
	 * A rough plan from the durations seen on 2 cores (connection set-up and teardown per round grow with
	 * the connection count), printed first so that a wrong -D is noticed before it costs a quarter of an
	 * hour.
	 */
	static double plannedSeconds() {
		List<Integer> rowConnections = new java.util.ArrayList<>();
		PAYLOADS.forEach((payload) -> rowConnections.addAll(CONNECTIONS));
		TLS_ROWS.forEach((row) -> rowConnections.add(Integer.parseInt(row.split("x")[1].trim())));
		double total = 10;
		for (int connections : rowConnections) {
			total += PATHS.size() * ROUNDS * (ROUND.toSeconds() + 0.5 + connections / 200.0);
		}
		total += 2 * (GATEWAY_WARMUP.toSeconds() + PEERS.size() * WARMUP.toSeconds() + WARMUP.toSeconds() + 10);
		total += (HANDSHAKE_COUNT > 0) ? 2 * (GATEWAY_HANDSHAKE_WARMUPS + PEERS.size() + 1) * HANDSHAKE_TIME.toSeconds() : 0;
		total += (HANDSHAKE_COUNT > 0 ? (TLS_HANDSHAKES ? 2 : 1) : 0) * PATHS.size() * ROUNDS
				* (HANDSHAKE_TIME.toSeconds() + 0.5);
		total += (STORM_CLIENTS > 0) ? 2 * PEERS.size() * (15 + STORM_CLIENTS / 500.0) : 0;
		total += (IDLE_CONNECTIONS > 0) ? 20 + PEERS.size() * IDLE_CONNECTIONS / 300.0 + IDLE_CONNECTIONS / 200.0 : 0;
		total += (STARTUP_SAMPLES > 0)
				? STARTUP_SAMPLES * ((CDS ? 3 : 1) * (7 + STARTUP_SETTLE.toSeconds()) + 2 * PEERS.size()) + (CDS ? 15 : 0)
						+ (JDK_AOT.isEmpty() ? 0 : 25 + STARTUP_SAMPLES * (4 + STARTUP_SETTLE.toSeconds()))
				: 0;
		return total;
	}

	static List<Integer> intList(String text) {
		return stringList(text).stream().map(Integer::parseInt).collect(Collectors.toList());
	}

	static List<String> stringList(String text) {
		return Arrays.stream(text.split(",")).map(String::trim).filter((s) -> !s.isEmpty()).collect(Collectors.toList());
	}

}
