import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import org.HdrHistogram.Recorder;
import org.HdrHistogram.Histogram;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.ConnectionProvider;

/**
 * Side by side, in one run: 64-byte WebSocket ping-pong straight to a fast echo backend, through nginx
 * (the seed's location-block shape) and through the gateway (the built jar, its own JVM). Rounds are
 * interleaved; the figures are medians. CPU is read from /proc for the proxy's own processes only.
 * Not a test: it prints a table and writes target/bench/nginx-compare.json. Run bench/nginx-compare.sh.
 */
public class NginxCompareBench {

	static final int CONNECTIONS = Integer.getInteger("connections", 50);

	static final int PAYLOAD = Integer.getInteger("payload", 64);

	static final Duration ROUND = Duration.ofSeconds(Integer.getInteger("roundSeconds", 8));

	static final int ROUNDS = Integer.getInteger("rounds", 3);

	static final long TICKS_PER_SECOND = 100;

	record Result(double messagesPerSecond, double cpuSeconds, double p50Micros, double p99Micros, double p999Micros) {

		double messagesPerCpuSecond() {
			return (this.cpuSeconds > 0) ? this.messagesPerSecond * ROUND.toSeconds() / this.cpuSeconds : Double.NaN;
		}

	}

	public static void main(String[] args) throws Exception {
		String jar = args[0];
		DisposableServer backend = echoBackend();
		int backendPort = backend.port();
		Path work = Files.createDirectories(Path.of("target/bench"));
		int nginxPort = freePort();
		Process nginx = startNginx(work, nginxPort, backendPort);
		int gatewayPort = freePort();
		List<String> command = new ArrayList<>(List.of("java", "-XX:+UseParallelGC", "-Xms256m", "-Xmx512m"));
		String extra = System.getProperty("gatewayJvmArgs", "");
		if (!extra.isBlank()) {
			command.addAll(Arrays.asList(extra.trim().split("\\s+")));
		}
		command.addAll(List.of("-jar", jar, "--spring.config.location=classpath:/application.yml", "--server.port=" + gatewayPort,
				"--management.server.port=0", "--pomelo.gateway.store.file=" + work.resolve("routes.json"),
				"--pomelo.gateway.routes[0].id=conn", "--pomelo.gateway.routes[0].prefix=/conn/",
				"--pomelo.gateway.routes[0].targets=ws://127.0.0.1:" + backendPort, "--logging.level.root=WARN"));
		Process gateway = new ProcessBuilder(command)
			.redirectErrorStream(true).redirectOutput(work.resolve("gateway.log").toFile()).start();
		try {
			waitForPort(nginxPort);
			waitForPort(gatewayPort);
			Map<String, String> uris = new LinkedHashMap<>();
			uris.put("direct", "ws://127.0.0.1:" + backendPort + "/conn/");
			uris.put("nginx", "ws://127.0.0.1:" + nginxPort + "/conn/");
			uris.put("gateway", "ws://127.0.0.1:" + gatewayPort + "/conn/");
			Map<String, List<Long>> pids = new LinkedHashMap<>();
			pids.put("direct", List.of());
			pids.put("nginx", nginxPids(nginx.pid()));
			pids.put("gateway", List.of(gateway.pid()));
			System.out.printf("connections=%d payload=%dB round=%ss rounds=%d cores=%d gatewayJvmArgs=[%s]%n", CONNECTIONS,
					PAYLOAD, ROUND.toSeconds(), ROUNDS, Runtime.getRuntime().availableProcessors(), extra);
			// Warm-up, long enough for the gateway's JIT to settle.
			for (String name : uris.keySet()) {
				run(uris.get(name), Duration.ofSeconds(name.equals("gateway") ? 15 : 3), pids.get(name));
			}
			Map<String, List<Result>> results = new LinkedHashMap<>();
			uris.keySet().forEach((name) -> results.put(name, new ArrayList<>()));
			for (int round = 0; round < ROUNDS; round++) {
				List<String> order = new ArrayList<>(uris.keySet());
				java.util.Collections.rotate(order, round);
				for (String name : order) {
					Result result = run(uris.get(name), ROUND, pids.get(name));
					results.get(name).add(result);
					System.out.printf(Locale.ROOT, "round %d %-8s %,10.0f msg/s  p50 %6.0f us  p99 %6.0f us  cpu %5.2f s%n",
							round + 1, name, result.messagesPerSecond(), result.p50Micros(), result.p99Micros(), result.cpuSeconds());
				}
			}
			report(results, work);
		}
		finally {
			gateway.destroy();
			nginx.destroy();
			new ProcessBuilder("kill", "-TERM", String.valueOf(nginx.pid())).start().waitFor();
			backend.disposeNow();
		}
	}

	static void report(Map<String, List<Result>> results, Path work) throws IOException {
		Map<String, double[]> medians = new LinkedHashMap<>();
		StringBuilder json = new StringBuilder("{");
		for (Map.Entry<String, List<Result>> entry : results.entrySet()) {
			List<Result> rs = entry.getValue();
			double[] m = { median(rs, Result::messagesPerSecond), median(rs, Result::messagesPerCpuSecond),
					median(rs, Result::p50Micros), median(rs, Result::p99Micros), median(rs, Result::p999Micros) };
			medians.put(entry.getKey(), m);
			json.append(String.format(Locale.ROOT,
					"\"%s\":{\"messagesPerSecond\":%.0f,\"messagesPerProxyCpuSecond\":%.0f,\"p50us\":%.0f,\"p99us\":%.0f,\"p999us\":%.0f},",
					entry.getKey(), m[0], m[1], m[2], m[3], m[4]));
		}
		json.setLength(json.length() - 1);
		json.append('}');
		Files.writeString(work.resolve("nginx-compare.json"), json.toString());
		System.out.printf("%n%-10s %12s %16s %9s %9s %9s%n", "path", "msg/s", "msg/proxy-CPU-s", "p50 us", "p99 us",
				"p999 us");
		medians.forEach((name, m) -> System.out.printf(Locale.ROOT, "%-10s %,12.0f %,16.0f %9.0f %9.0f %9.0f%n", name, m[0],
				m[1], m[2], m[3], m[4]));
		double[] g = medians.get("gateway");
		double[] n = medians.get("nginx");
		System.out.printf(Locale.ROOT, "%ngateway/nginx: msg/s %.2f, msg per proxy CPU-s %.2f, p50 %.2f, p99 %.2f, p999 %.2f%n",
				g[0] / n[0], g[1] / n[1], g[2] / n[2], g[3] / n[3], g[4] / n[4]);
	}

	static double median(List<Result> results, java.util.function.ToDoubleFunction<Result> f) {
		double[] values = results.stream().mapToDouble(f).sorted().toArray();
		return values[values.length / 2];
	}

	/** Runs the ping-pong load for the duration and returns throughput, proxy CPU and latency. */
	static Result run(String uri, Duration duration, List<Long> pids) throws Exception {
		Recorder recorder = new Recorder(3);
		LongAdder messages = new LongAdder();
		AtomicBoolean running = new AtomicBoolean(true);
		byte[] payload = new byte[PAYLOAD];
		List<Disposable> connections = new ArrayList<>();
		HttpClient client = HttpClient.create(ConnectionProvider.newConnection());
		for (int i = 0; i < CONNECTIONS; i++) {
			connections.add(client.websocket().uri(uri).handle((in, out) -> {
				Sinks.Many<WebSocketFrame> sends = Sinks.many().unicast().onBackpressureBuffer();
				long[] sentAt = { System.nanoTime() };
				sends.tryEmitNext(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(payload)));
				in.receiveFrames().subscribe((frame) -> {
					long now = System.nanoTime();
					recorder.recordValue(Math.max(1, (now - sentAt[0]) / 1000));
					messages.increment();
					if (running.get()) {
						sentAt[0] = System.nanoTime();
						sends.tryEmitNext(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(payload)));
					}
				});
				return out.sendObject(sends.asFlux()).then(Mono.never());
			}).subscribe());
		}
		Thread.sleep(300);
		long cpuBefore = cpuTicks(pids);
		messages.reset();
		recorder.getIntervalHistogram();
		long start = System.nanoTime();
		Thread.sleep(duration.toMillis());
		long count = messages.sum();
		double seconds = (System.nanoTime() - start) / 1e9;
		long cpuAfter = cpuTicks(pids);
		Histogram histogram = recorder.getIntervalHistogram();
		running.set(false);
		connections.forEach(Disposable::dispose);
		Thread.sleep(500);
		return new Result(count / seconds, (cpuAfter - cpuBefore) / (double) TICKS_PER_SECOND,
				histogram.getValueAtPercentile(50), histogram.getValueAtPercentile(99), histogram.getValueAtPercentile(99.9));
	}

	/** utime + stime of the processes and all their threads, in clock ticks. */
	static long cpuTicks(List<Long> pids) throws IOException {
		long total = 0;
		for (long pid : pids) {
			String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
			String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
			total += Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
		}
		return total;
	}

	static DisposableServer echoBackend() {
		return HttpServer.create().host("127.0.0.1").port(0)
			.handle((request, response) -> response.sendWebsocket((in, out) ->
					out.sendObject(in.receiveFrames().map(WebSocketFrame::retain))))
			.bindNow();
	}

	static Process startNginx(Path work, int port, int backendPort) throws IOException {
		Path conf = work.resolve("nginx.conf").toAbsolutePath();
		Files.createDirectories(work.resolve("nginx-tmp"));
		Files.writeString(conf, """
				worker_processes auto;
				daemon off;
				pid %1$s/nginx.pid;
				error_log %1$s/nginx-error.log warn;
				events { worker_connections 20000; }
				http {
				  access_log off;
				  client_body_temp_path %1$s/nginx-tmp;
				  proxy_temp_path %1$s/nginx-tmp;
				  fastcgi_temp_path %1$s/nginx-tmp;
				  uwsgi_temp_path %1$s/nginx-tmp;
				  scgi_temp_path %1$s/nginx-tmp;
				  server {
				    listen 127.0.0.1:%2$d;
				    location /conn/ {
				      proxy_pass http://127.0.0.1:%3$d;
				      proxy_http_version 1.1;
				      proxy_set_header Upgrade $http_upgrade;
				      proxy_set_header Connection "upgrade";
				      proxy_read_timeout 600s;
				    }
				  }
				}
				""".formatted(work.toAbsolutePath(), port, backendPort));
		return new ProcessBuilder("nginx", "-c", conf.toString(), "-p", work.toAbsolutePath().toString())
			.redirectErrorStream(true).redirectOutput(work.resolve("nginx.out").toFile()).start();
	}

	static List<Long> nginxPids(long master) throws Exception {
		List<Long> pids = new ArrayList<>();
		pids.add(master);
		Thread.sleep(500);
		ProcessHandle.of(master).ifPresent((handle) -> handle.children().forEach((child) -> pids.add(child.pid())));
		return pids;
	}

	static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

	static void waitForPort(int port) throws Exception {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
		while (System.nanoTime() < deadline) {
			try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
				return;
			}
			catch (IOException ex) {
				Thread.sleep(200);
			}
		}
		throw new IllegalStateException("nothing listens on " + port);
	}

}
