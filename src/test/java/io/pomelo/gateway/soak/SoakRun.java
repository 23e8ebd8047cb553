package io.pomelo.gateway.soak;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.netty.handler.ssl.SslContext;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import tools.jackson.databind.json.JsonMapper;

import io.pomelo.gateway.support.AdminClient;
import io.pomelo.gateway.support.GatewayProcess;
import io.pomelo.gateway.support.PomeloCrowd;
import io.pomelo.gateway.support.PomeloServer;
import io.pomelo.gateway.support.RawClient;
import io.pomelo.gateway.support.TestTls;

/**
 * A bounded soak of the packaged jar with its default limits, over wss: 2,000 Pomelo
 * players heartbeat through it for {@code -Dsoak.minutes} (10 by default) while a dynamic
 * route changes every 5 s, one Pomelo connector is killed and restarted midway, and one
 * address runs a slowloris while another floods handshakes. It reports unexpected closes,
 * the gateway's resources before and after, and the handshake times of a well-behaved
 * client during the flood.
 */
public final class SoakRun {

	private static final SslContext TLS = TestTls.clientContext();

	private static final String PASSWORD = "soak-" + Long.toHexString(System.nanoTime());

	private final Duration length = Duration
		.ofSeconds((long) (Double.parseDouble(System.getProperty("soak.minutes", "10")) * 60));

	private final AtomicBoolean stopping = new AtomicBoolean();

	private final ConcurrentLinkedQueue<Long> probeNanos = new ConcurrentLinkedQueue<>();

	private final ConcurrentLinkedQueue<Long> probeNanosDuringFlood = new ConcurrentLinkedQueue<>();

	private final AtomicInteger probeFailures = new AtomicInteger();

	private final AtomicBoolean flooding = new AtomicBoolean();

	/**
	 * Threads of the flood, each a wss connect and upgrade after another, all from one
	 * address.
	 */
	private static final int FLOOD_LOOPS = Integer.getInteger("soak.floodLoops", 8);

	private final Map<String, AtomicInteger> floodAnswers = new java.util.concurrent.ConcurrentHashMap<>();

	private final AtomicInteger slowlorisCut = new AtomicInteger();

	private final AtomicLong routeChanges = new AtomicLong();

	public static void main(String[] args) throws Exception {
		new SoakRun().run();
	}

	private static List<String> sources(int third, int count) {
		List<String> sources = new ArrayList<>();
		for (int i = 1; i <= count; i++) {
			sources.add("127.0." + third + "." + i);
		}
		return sources;
	}

	private void run() throws Exception {
		System.out
			.println("Soak: " + this.length.toSeconds() + " s; starting two Pomelo apps and the packaged gateway");
		PomeloServer stable = PomeloServer.start(PomeloServer.Options.defaults().connectors(2).heartbeat(5));
		PomeloServer doomed = PomeloServer.start(PomeloServer.Options.defaults().heartbeat(5));
		String hash = new BCryptPasswordEncoder(4).encode(PASSWORD);
		Path tls = Path.of("src/test/resources/tls").toAbsolutePath();
		try (GatewayProcess gateway = GatewayProcess.start(
				"pomelo.gateway.tls.certificate=file:" + tls.resolve("cert.pem"),
				"pomelo.gateway.tls.private-key=file:" + tls.resolve("key.pem"), "pomelo.gateway.routes[0].id=stable",
				"pomelo.gateway.routes[0].prefix=/stable/",
				"pomelo.gateway.routes[0].targets=" + stable.connectorUri(0), "pomelo.gateway.routes[1].id=doomed",
				"pomelo.gateway.routes[1].prefix=/doomed/",
				"pomelo.gateway.routes[1].targets=" + doomed.connectorUri(0), "pomelo.gateway.admin.users[0].name=soak",
				"pomelo.gateway.admin.users[0].password=" + hash, "pomelo.gateway.admin.users[0].role=admin",
				"pomelo.gateway.targets.allow-cidrs=127.0.0.0/8")) {
			AdminClient admin = new AdminClient(gateway.managementPort(), "soak", PASSWORD);
			String etag = admin.post("/admin/routes", churnRoute(stable.connectorUri(0))).etag();
			String base = "wss://127.0.0.1:" + gateway.dataPort();
			List<PomeloCrowd> crowds = new ArrayList<>();
			PomeloCrowd onStable = PomeloCrowd.connect(URI.create(base + "/stable/"), TLS, 1000, Duration.ofMinutes(3),
					sources(1, 20));
			PomeloCrowd onChurn = PomeloCrowd.connect(URI.create(base + "/churn/"), TLS, 500, Duration.ofMinutes(3),
					sources(2, 10));
			PomeloCrowd onDoomed = PomeloCrowd.connect(URI.create(base + "/doomed/"), TLS, 500, Duration.ofMinutes(3),
					sources(3, 10));
			crowds.add(onStable);
			crowds.add(onChurn);
			Thread.sleep(5000);
			Map<String, Double> before = resources(gateway);
			System.out.println("Soak: 2000 players ready; before: " + before);
			long start = System.nanoTime();
			long end = start + this.length.toNanos();
			List<Thread> workers = new ArrayList<>();
			workers.add(daemon("probe", () -> probe(base + "/stable/", end)));
			workers.add(daemon("churn", () -> churn(admin, etag, stable, end)));
			long floodFrom = start + this.length.toNanos() * 3 / 10;
			long floodTo = start + this.length.toNanos() * 7 / 10;
			workers.add(daemon("slowloris", () -> slowloris(gateway.dataPort(), floodFrom, floodTo)));
			for (int i = 0; i < FLOOD_LOOPS; i++) {
				workers.add(daemon("flood-" + i, () -> flood(gateway.dataPort(), floodFrom, floodTo)));
			}
			sleepUntil(start + this.length.toNanos() / 2);
			System.out.println("Soak: killing the doomed connector under 500 sessions");
			doomed.close();
			waitFor(() -> onDoomed.endings().size() == 500, Duration.ofSeconds(30));
			Map<Integer, Long> doomedEndings = onDoomed.endingCodes();
			onDoomed.close();
			Thread.sleep(5000);
			doomed = doomed.restartOnSamePorts();
			PomeloCrowd reconnected = PomeloCrowd.connect(URI.create(base + "/doomed/"), TLS, 500,
					Duration.ofMinutes(3), sources(3, 10));
			crowds.add(reconnected);
			sleepUntil(end);
			this.stopping.set(true);
			for (Thread worker : workers) {
				worker.join(30_000);
			}
			Thread.sleep(15_000);
			Map<String, Double> after = resources(gateway);
			Map<String, Object> report = new LinkedHashMap<>();
			report.put("seconds", this.length.toSeconds());
			report.put("players", 2000);
			long unexpected = crowds.stream().mapToLong((crowd) -> crowd.endings().size()).sum();
			report.put("unexpectedCloses", unexpected);
			report.put("killedConnectorEndings", doomedEndings);
			report.put("routeChanges", this.routeChanges.get());
			report.put("before", before);
			report.put("after", after);
			report.put("probeHandshakes", this.probeNanos.size());
			report.put("probeFailures", this.probeFailures.get());
			report.put("probeP99MillisDuringFlood", percentileMillis(this.probeNanosDuringFlood, 0.99));
			report.put("probeP50MillisDuringFlood", percentileMillis(this.probeNanosDuringFlood, 0.50));
			report.put("probeP99MillisOverall", percentileMillis(this.probeNanos, 0.99));
			report.put("floodAnswers", new java.util.TreeMap<>(this.floodAnswers));
			report.put("slowlorisConnectionsCut", this.slowlorisCut.get());
			crowds.forEach(PomeloCrowd::close);
			Path out = Path.of("target", "soak");
			Files.createDirectories(out);
			String json = JsonMapper.builder().build().writerWithDefaultPrettyPrinter().writeValueAsString(report);
			Files.writeString(out.resolve("soak.json"), json);
			System.out.println("Soak report (target/soak/soak.json):\n" + json);
		}
		finally {
			stable.close();
			doomed.close();
		}
	}

	private static String churnRoute(String target) {
		return "{\"id\":\"churn\",\"prefix\":\"/churn/\",\"targets\":[\"" + target + "\"]}";
	}

	/** A route change every 5 s, alternating between the stable app's two connectors. */
	private void churn(AdminClient admin, String etag, PomeloServer stable, long end) {
		String version = etag;
		int next = 1;
		while (!this.stopping.get() && System.nanoTime() < end) {
			sleep(5000);
			AdminClient.Reply reply = admin.put("/admin/routes/churn", version, churnRoute(stable.connectorUri(next)));
			if (reply.status() == 200) {
				version = reply.etag();
				next = 1 - next;
				this.routeChanges.incrementAndGet();
			}
			else {
				System.out.println("Soak: route change answered " + reply.status() + " " + reply.body());
			}
		}
	}

	/**
	 * A well-behaved player from an address of its own: a handshake every 250 ms, timed
	 * to its 101.
	 */
	private void probe(String uri, long end) {
		while (!this.stopping.get() && System.nanoTime() < end) {
			long begin = System.nanoTime();
			try (RawClient client = RawClient.connect(Integer.parseInt(uri.replaceAll(".*:(\\d+)/.*", "$1")), true,
					"127.0.9.1")) {
				RawClient.Response response = client.send(RawClient.upgrade("/stable/", ""))
					.response(Duration.ofSeconds(30));
				long took = System.nanoTime() - begin;
				if (response.status() == 101) {
					this.probeNanos.add(took);
					if (this.flooding.get()) {
						this.probeNanosDuringFlood.add(took);
					}
				}
				else {
					this.probeFailures.incrementAndGet();
				}
			}
			catch (RuntimeException ex) {
				this.probeFailures.incrementAndGet();
			}
			sleep(250);
		}
	}

	/** One address keeping 100 connections that send a header byte every 5 s. */
	private void slowloris(int port, long from, long to) {
		sleepUntil(from);
		List<RawClient> open = new ArrayList<>();
		while (!this.stopping.get() && System.nanoTime() < to) {
			while (open.size() < 100) {
				try {
					open.add(RawClient.connect(port, true, "127.0.66.1")
						.handshake()
						.send("GET /stable/ HTTP/1.1\r\nHost: x\r\n"));
				}
				catch (RuntimeException refused) {
					break;
				}
			}
			sleep(5000);
			open.removeIf((client) -> {
				try {
					client.send("X-Slow: 1\r\n");
					return false;
				}
				catch (RuntimeException cut) {
					this.slowlorisCut.incrementAndGet();
					client.close();
					return true;
				}
			});
		}
		open.forEach(RawClient::close);
	}

	/** One address opening wss connections and upgrading as fast as it can. */
	private void flood(int port, long from, long to) {
		sleepUntil(from);
		this.flooding.set(true);
		while (!this.stopping.get() && System.nanoTime() < to) {
			String answer;
			try (RawClient client = RawClient.connect(port, true, "127.0.77.1")) {
				answer = String
					.valueOf(client.send(RawClient.upgrade("/stable/", "")).response(Duration.ofSeconds(10)).status());
			}
			catch (RuntimeException ex) {
				answer = "closed";
			}
			this.floodAnswers.computeIfAbsent(answer, (key) -> new AtomicInteger()).incrementAndGet();
		}
		this.flooding.set(false);
	}

	/**
	 * Sessions, open files, heap after a full GC and Netty's memory, read from the
	 * gateway itself.
	 */
	private static Map<String, Double> resources(GatewayProcess gateway) throws IOException, InterruptedException {
		new ProcessBuilder("jcmd", String.valueOf(gateway.pid()), "GC.run").redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.DISCARD)
			.start()
			.waitFor(30, TimeUnit.SECONDS);
		String text = HttpClient.newHttpClient()
			.send(HttpRequest
				.newBuilder(URI.create("http://127.0.0.1:" + gateway.managementPort() + "/actuator/prometheus"))
				.build(), HttpResponse.BodyHandlers.ofString())
			.body();
		Map<String, Double> values = new LinkedHashMap<>();
		values.put("sessions", sum(text, "pomelo_gateway_connections_active\\{[^}]*\\}"));
		values.put("openFiles", sum(text, "process_files_open_files(\\{[^}]*\\})?"));
		values.put("heapUsedBytes", sum(text, "jvm_memory_used_bytes\\{area=\"heap\"[^}]*\\}"));
		values.put("nettyDirectBytes", sum(text, "pomelo_gateway_netty_memory_used_bytes\\{area=\"direct\"[^}]*\\}"));
		values.put("pendingConnections", sum(text, "pomelo_gateway_connections_pending(\\{[^}]*\\})?"));
		return values;
	}

	private static double sum(String text, String series) {
		Matcher matcher = Pattern.compile("(?m)^" + series + " ([0-9.eE+-]+)$").matcher(text);
		double total = 0;
		while (matcher.find()) {
			total += Double.parseDouble(matcher.group(matcher.groupCount()));
		}
		return total;
	}

	private static double percentileMillis(ConcurrentLinkedQueue<Long> nanos, double percentile) {
		long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
		if (sorted.length == 0) {
			return Double.NaN;
		}
		return sorted[(int) Math.min(sorted.length - 1, Math.floor(percentile * sorted.length))] / 1e6;
	}

	private static Thread daemon(String name, Runnable body) {
		Thread thread = new Thread(body, "soak-" + name);
		thread.setDaemon(true);
		thread.start();
		return thread;
	}

	private static void waitFor(java.util.function.BooleanSupplier condition, Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
			sleep(100);
		}
	}

	private void sleepUntil(long nanoTime) {
		while (!this.stopping.get() && System.nanoTime() < nanoTime) {
			sleep(Math.min(1000, Math.max(1, (nanoTime - System.nanoTime()) / 1_000_000)));
		}
	}

	private static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
