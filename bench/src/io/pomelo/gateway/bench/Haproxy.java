package io.pomelo.gateway.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static io.pomelo.gateway.bench.Settings.CERTIFICATE;
import static io.pomelo.gateway.bench.Settings.IDLE_CONNECTIONS;
import static io.pomelo.gateway.bench.Settings.STORM_CLIENTS;
import static io.pomelo.gateway.bench.Settings.PRIVATE_KEY;
import static io.pomelo.gateway.bench.Settings.WORK;

/**
 * HAProxy in {@code mode http}, the way it is usually put in front of WebSocket servers: it forwards the
 * upgrade, sees the 101 and tunnels both ways from then on, bounded by {@code timeout tunnel} (long, as
 * nginx's proxy_read_timeout is). Three frontends as nginx has three servers: plain, TLS with the same
 * certificate and key, and one for the idle test; {@code nbthread} equal to the core count, as nginx has
 * one worker per core. It is one process with threads, run in the foreground ({@code -db}), so its CPU
 * and memory are that process's.
 */
record Haproxy(Process process, int port, int tlsPort, int idlePort, String version) implements Peer {

	static int threads() {
		return Runtime.getRuntime().availableProcessors();
	}

	/**
	 * Client connections it accepts. HAProxy needs about two fds per connection and raises its own limit to
	 * fit; it refuses to start when that is above the hard limit (strict-limits is the default since 2.6), so
	 * the figure stays under the hard limit rather than turning strict-limits off.
	 */
	static int maxConnections() {
		return (int) Math.min((Os.hardOpenFileLimit() - 200L) / 2, Math.max(4096, Math.max(IDLE_CONNECTIONS, STORM_CLIENTS) + 1000L));
	}

	static Haproxy start(Processes processes, String name, int backendPort, int idleBackendPort) throws Exception {
		Path directory = WORK.resolve("haproxy-" + name);
		Files.createDirectories(directory);
		int port = Os.freePort();
		int tlsPort = Os.freePort();
		int idlePort = Os.freePort();
		// HAProxy takes the certificate and its key in one PEM file.
		Path pem = directory.resolve("cert-and-key.pem");
		Files.writeString(pem, Files.readString(CERTIFICATE).strip() + "\n" + Files.readString(PRIVATE_KEY).strip() + "\n");
		Path conf = directory.resolve("haproxy.cfg");
		Files.writeString(conf, config(pem, port, tlsPort, idlePort, backendPort, idleBackendPort));
		Path output = directory.resolve("haproxy.out");
		Process process = processes.start(new ProcessBuilder("haproxy", "-db", "-f", conf.toString())
			.redirectErrorStream(true)
			.redirectOutput(output.toFile()));
		Haproxy haproxy = new Haproxy(process, port, tlsPort, idlePort,
				Os.firstLine("haproxy", "-v").replaceFirst("^HAProxy version ", "").split(" ")[0]);
		Os.awaitListening(process, port, output, Duration.ofSeconds(10));
		return haproxy;
	}

	/**
	 * No logging (nginx runs with access_log off); the idle backend gets the request path unchanged, which
	 * the echo backend ignores, where nginx strips /idle/.
	 */
	static String config(Path pem, int port, int tlsPort, int idlePort, int backendPort, int idleBackendPort) {
		return """
				global
				  nbthread %1$d
				  maxconn %2$d
				defaults
				  mode http
				  maxconn %2$d
				  timeout connect 5s
				  timeout client 600s
				  timeout server 600s
				  timeout http-request 10s
				  timeout tunnel 1h
				frontend plain
				  bind 127.0.0.1:%3$d
				  default_backend echo
				frontend tls
				  bind 127.0.0.1:%4$d ssl crt %8$s ssl-min-ver TLSv1.2
				  use_backend idle if { path_beg /idle/ }
				  default_backend echo
				frontend idle
				  bind 127.0.0.1:%5$d
				  default_backend idle
				backend echo
				  server echo 127.0.0.1:%6$d
				backend idle
				  server idle 127.0.0.1:%7$d
				""".formatted(threads(), maxConnections(), port, tlsPort, idlePort, backendPort, idleBackendPort, pem);
	}

	@Override
	public String name() {
		return "haproxy";
	}

	/** maxconn counts client connections; a little slack for the ones still closing from earlier rows. */
	@Override
	public int idleConnectionsThatFit() {
		return maxConnections() - 50;
	}

	@Override
	public String idleLimit() {
		return "HAProxy maxconn " + maxConnections() + " (two fds per connection under the hard limit "
				+ Os.hardOpenFileLimit() + ")";
	}

	@Override
	public String idleNote() {
		return "HAProxy sizes its fd table for maxconn at start: it is in the baseline; its buffers are taken per"
				+ " connection when needed";
	}

	@Override
	public String describe() {
		return "HAProxy " + this.version + ", mode http, nbthread " + threads() + ", maxconn " + maxConnections()
				+ ", timeout tunnel 1h";
	}

}
