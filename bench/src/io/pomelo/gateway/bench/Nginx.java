package io.pomelo.gateway.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static io.pomelo.gateway.bench.Settings.CERTIFICATE;
import static io.pomelo.gateway.bench.Settings.IDLE_CONNECTIONS;
import static io.pomelo.gateway.bench.Settings.STORM_CLIENTS;
import static io.pomelo.gateway.bench.Settings.PRIVATE_KEY;
import static io.pomelo.gateway.bench.Settings.WORK;

/**
 * nginx as it served the seed: a {@code location /conn/} with proxy_http_version 1.1 and the Upgrade and
 * Connection headers; the same block behind {@code listen ... ssl} for wss, and behind a reuseport
 * listener for the idle test, so that the kernel spreads those connections evenly over the workers. One
 * worker per core ({@code worker_processes auto}); its CPU and memory are the master's and the workers'.
 */
record Nginx(Process process, int port, int tlsPort, int idlePort, String version) implements Peer {

	static int workers() {
		return Runtime.getRuntime().availableProcessors();
	}

	/** Enough for the idle test (two per connection), within the fd hard limit and no more. */
	static int workerConnections() {
		return (int) Math.min(Os.hardOpenFileLimit() - 100, Math.max(4096, 2L * Math.max(IDLE_CONNECTIONS, STORM_CLIENTS) + 1000));
	}

	static Nginx start(Processes processes, String name, int backendPort, int idleBackendPort) throws Exception {
		Path directory = WORK.resolve("nginx-" + name);
		Files.createDirectories(directory.resolve("tmp"));
		Files.createDirectories(directory.resolve("logs"));
		int port = Os.freePort();
		int tlsPort = Os.freePort();
		int idlePort = Os.freePort();
		Path conf = directory.resolve("nginx.conf");
		Files.writeString(conf, config(directory, port, tlsPort, idlePort, backendPort, idleBackendPort));
		Path output = directory.resolve("nginx.out");
		Process process = processes.start(new ProcessBuilder("nginx", "-c", conf.toString(), "-p", directory.toString())
			.redirectErrorStream(true)
			.redirectOutput(output.toFile()));
		Nginx nginx = new Nginx(process, port, tlsPort, idlePort,
				Os.firstLine("nginx", "-v").replace("nginx version: ", ""));
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
		while (nginx.workerPids().size() < workers() && System.nanoTime() < deadline && process.isAlive()) {
			Thread.sleep(5);
		}
		Os.awaitListening(process, port, output, Duration.ofSeconds(10));
		return nginx;
	}

	static String config(Path directory, int port, int tlsPort, int idlePort, int backendPort, int idleBackendPort) {
		String location = """
				      proxy_http_version 1.1;
				      proxy_set_header Upgrade $http_upgrade;
				      proxy_set_header Connection "upgrade";
				      proxy_read_timeout 600s;
				""";
		return """
				worker_processes auto;
				worker_rlimit_nofile %7$d;
				daemon off;
				pid %1$s/nginx.pid;
				error_log %1$s/logs/error.log warn;
				events { worker_connections %8$d; }
				http {
				  access_log off;
				  client_body_temp_path %1$s/tmp;
				  proxy_temp_path %1$s/tmp;
				  fastcgi_temp_path %1$s/tmp;
				  uwsgi_temp_path %1$s/tmp;
				  scgi_temp_path %1$s/tmp;
				  server {
				    listen 127.0.0.1:%2$d;
				    location /conn/ {
				      proxy_pass http://127.0.0.1:%5$d;
				%9$s    }
				  }
				  server {
				    listen 127.0.0.1:%3$d ssl;
				    ssl_certificate %10$s;
				    ssl_certificate_key %11$s;
				    ssl_protocols TLSv1.2 TLSv1.3;
				    location /conn/ {
				      proxy_pass http://127.0.0.1:%5$d;
				%9$s    }
				    location /idle/ {
				      proxy_pass http://127.0.0.1:%6$d/;
				%9$s    }
				  }
				  server {
				    listen 127.0.0.1:%4$d reuseport;
				    location /idle/ {
				      proxy_pass http://127.0.0.1:%6$d/;
				%9$s    }
				  }
				}
				""".formatted(directory, port, tlsPort, idlePort, backendPort, idleBackendPort,
				Math.min(Os.hardOpenFileLimit(), workerConnections() + 100), workerConnections(), location,
				CERTIFICATE, PRIVATE_KEY);
	}

	@Override
	public String name() {
		return "nginx";
	}

	List<Long> workerPids() {
		return this.process.children().map(ProcessHandle::pid).collect(Collectors.toList());
	}

	/** reuseport spreads the connections over the workers; 2 per connection, 40 % slack for skew. */
	@Override
	public int idleConnectionsThatFit() {
		return (int) (workerConnections() * workers() / 2 / 1.4);
	}

	@Override
	public String idleLimit() {
		return "nginx worker_connections " + workerConnections() + " x " + workers() + " workers";
	}

	@Override
	public String idleNote() {
		return "nginx allocates its worker_connections slots at start: they are in the baseline, not the delta";
	}

	@Override
	public String describe() {
		return this.version + ", worker_processes auto (" + workerPids().size() + " workers), worker_connections "
				+ workerConnections();
	}

}
