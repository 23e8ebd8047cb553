package io.pomelo.gateway.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import reactor.netty.http.client.HttpClient;

/**
 * A proxy the gateway is compared with, started by the bench with a configuration of its own: a plain
 * listener and a TLS one in front of the echo backend, and a third for the idle test in front of the idle
 * backend.
 */
interface Peer {

	/** The name of its path in the table and the JSON. */
	String name();

	String version();

	Process process();

	/** Its plain listener in front of the echo backend. */
	int port();

	/** Its TLS listener in front of the echo backend. */
	int tlsPort();

	/** Its processes, whose CPU and memory are counted. */
	default List<Long> pids() {
		return Processes.withDescendants(process());
	}

	/** The plain or TLS way to the echo backend through it. */
	default Target target(HttpClient client, boolean tls) {
		String uri = tls ? "wss://127.0.0.1:" + tlsPort() + "/conn/" : "ws://127.0.0.1:" + port() + "/conn/";
		return new Target(name(), client, uri, this::pids);
	}

	int idlePort();

	/** How many idle connections its configuration lets it hold (two sockets each). */
	int idleConnectionsThatFit();

	/** What bounds {@link #idleConnectionsThatFit()}, for the note when the idle test is cut short. */
	String idleLimit();

	/** What the idle figures include or leave out for this peer. */
	String idleNote();

	/** The configuration in a line, for the report's notes. */
	String describe();

	/** The peers in table order, each by its start method. */
	static Map<String, Starter> starters() {
		Map<String, Starter> starters = new LinkedHashMap<>();
		starters.put("nginx", Nginx::start);
		starters.put("haproxy", Haproxy::start);
		return starters;
	}

	@FunctionalInterface
	interface Starter {

		Peer start(Processes processes, String name, int backendPort, int idleBackendPort) throws Exception;

	}

}
