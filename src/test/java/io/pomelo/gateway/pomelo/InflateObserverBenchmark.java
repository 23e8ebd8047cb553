package io.pomelo.gateway.pomelo;

import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.Deflater;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import io.pomelo.gateway.relay.FrameObserver;
import io.pomelo.gateway.relay.WireFeed;

/**
 * Not a test: what {@code pomelo.gateway.pomelo.inflate} costs, measured on the observer
 * as the tunnel drives it (frames in wire form through real frame trackers, client frames
 * masked). A session's traffic is Pomelo requests and responses carrying game-state JSON,
 * compressed as a browser or WeChat and Pomelo's {@code ws} compress it:
 * permessage-deflate with context takeover.
 * <ul>
 * <li>CPU per message (thread CPU time), for a plain session, a compressed one with
 * inflate off (opaque), and a compressed one with inflate on;</li>
 * <li>memory per compressed session once both directions have carried 60 KB: heap after
 * GC and resident set (zlib's state lives outside the heap), inflate off and on.</li>
 * </ul>
 * Run with {@code bench/inflate-observer.sh}; prints a table.
 */
public final class InflateObserverBenchmark {

	private static final int MESSAGES = Integer.getInteger("messages", 2000);

	private static final int ROUNDS = Integer.getInteger("rounds", 20);

	private static final int SESSIONS = Integer.getInteger("sessions", 5000);

	private static final int WINDOW_FILL = 20;

	private static final String DEFLATE = "permessage-deflate; client_max_window_bits=15";

	private InflateObserverBenchmark() {
	}

	public static void main(String[] args) throws Exception {
		Random random = new Random(42);
		Traffic plain = Traffic.of(random, MESSAGES, false);
		Traffic compressed = Traffic.of(new Random(42), MESSAGES, true);
		System.out.printf("%,d request/response pairs per session; body %,d B average; deflate ratio %.1fx%n", MESSAGES,
				plain.payloadBytes / (2 * MESSAGES), (double) plain.payloadBytes / compressed.payloadBytes);
		PomeloObserverFactory off = new PomeloObserverFactory(new SimpleMeterRegistry(), 200, 1024, 0);
		PomeloObserverFactory on = new PomeloObserverFactory(new SimpleMeterRegistry(), 200, 1024, 1 << 20);
		// Warm-up: every path compiled before anything is measured.
		for (int i = 0; i < 5; i++) {
			replay(off.open("conn", null), plain);
			replay(off.open("conn", DEFLATE), compressed);
			replay(on.open("conn", DEFLATE), compressed);
		}
		double[][] nanos = new double[3][ROUNDS];
		for (int round = 0; round < ROUNDS; round++) {
			nanos[0][round] = replay(off.open("conn", null), plain);
			nanos[1][round] = replay(off.open("conn", DEFLATE), compressed);
			nanos[2][round] = replay(on.open("conn", DEFLATE), compressed);
		}
		System.out.println();
		System.out.println("| session | CPU per message, median of " + ROUNDS + " (min-max) |");
		System.out.println("|---|---|");
		String[] names = { "plain (no deflate)", "deflate, inflate off (opaque)", "deflate, inflate on" };
		for (int i = 0; i < 3; i++) {
			double[] sorted = nanos[i].clone();
			Arrays.sort(sorted);
			System.out.printf("| %s | %.2f µs (%.2f-%.2f) |%n", names[i], sorted[ROUNDS / 2] / 1000, sorted[0] / 1000,
					sorted[ROUNDS - 1] / 1000);
		}
		System.out.println();
		System.out.println("| " + SESSIONS + " compressed sessions | heap after GC per session | RSS per session |");
		System.out.println("|---|---|---|");
		for (PomeloObserverFactory factory : new PomeloObserverFactory[] { off, on }) {
			long[] cost = sessionsCost(factory, compressed);
			System.out.printf("| inflate %s | %,d B | %,d B |%n", (factory == on) ? "on" : "off", cost[0] / SESSIONS,
					cost[1] / SESSIONS);
		}
	}

	/** Feeds one session's traffic to a fresh observer; CPU nanoseconds per message. */
	private static double replay(PomeloObserver observer, Traffic traffic) {
		WireFeed feed = new WireFeed(observer, 1, 1 << 30);
		long start = cpu();
		for (int i = 0; i < traffic.up.size(); i++) {
			feed.clientWire(traffic.up.get(i));
			feed.backendWire(traffic.down.get(i));
		}
		long spent = cpu() - start;
		observer.closed();
		if (observer.inFlight() != 0) {
			throw new IllegalStateException("requests left unanswered: the observer lost its place");
		}
		return (double) spent / (2 * traffic.up.size());
	}

	/**
	 * Heap after GC and RSS held by SESSIONS live observers that each carried 20 messages
	 * both ways.
	 */
	private static long[] sessionsCost(PomeloObserverFactory factory, Traffic traffic) throws Exception {
		long heapBefore = heapAfterGc();
		long rssBefore = rss();
		List<PomeloObserver> live = new ArrayList<>();
		List<WireFeed> feeds = new ArrayList<>();
		for (int i = 0; i < SESSIONS; i++) {
			PomeloObserver observer = factory.open("conn", DEFLATE);
			WireFeed feed = new WireFeed(observer, i, 1 << 30);
			// Enough messages that each direction's 32 KB window has been written
			// through.
			for (int m = 0; m < WINDOW_FILL; m++) {
				feed.clientWire(traffic.up.get(m));
				feed.backendWire(traffic.down.get(m));
			}
			live.add(observer);
			feeds.add(feed);
		}
		long heap = heapAfterGc() - heapBefore;
		long resident = rss() - rssBefore;
		live.forEach(FrameObserver::closed);
		feeds.clear();
		live.clear();
		return new long[] { heap, resident };
	}

	private static long cpu() {
		return ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
	}

	private static long heapAfterGc() throws InterruptedException {
		for (int i = 0; i < 3; i++) {
			System.gc();
			Thread.sleep(100);
		}
		return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
	}

	private static long rss() throws Exception {
		for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
			if (line.startsWith("VmRSS:")) {
				return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
			}
		}
		throw new IllegalStateException("no VmRSS in /proc/self/status");
	}

	/**
	 * One session's frames in wire form, each direction compressed as one deflate stream
	 * or not at all.
	 */
	private record Traffic(List<byte[]> up, List<byte[]> down, long payloadBytes) {

		static Traffic of(Random random, int messages, boolean compress) {
			Deflater client = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
			Deflater server = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
			List<byte[]> up = new ArrayList<>();
			List<byte[]> down = new ArrayList<>();
			long bytes = 0;
			for (int id = 1; id <= messages; id++) {
				byte[] body = gameState(random, id);
				byte[] request = data(PomeloMessage.request(id, "area.playerHandler.move", body));
				byte[] response = data(PomeloMessage.response(id, body));
				if (compress) {
					request = deflate(client, request);
					response = deflate(server, response);
				}
				bytes += request.length + response.length;
				up.add(frame(request, true, compress, random));
				down.add(frame(response, false, compress, random));
			}
			client.end();
			server.end();
			return new Traffic(up, down, bytes);
		}

		private static byte[] frame(byte[] payload, boolean masked, boolean compressed, Random random) {
			byte[] wire = WireFeed.encode(FrameObserver.BINARY, true, payload, masked, random);
			wire[0] |= compressed ? 0x40 : 0;
			return wire;
		}

		private static byte[] deflate(Deflater deflater, byte[] payload) {
			deflater.setInput(payload);
			ByteArrayOutputStream out = new ByteArrayOutputStream();
			byte[] chunk = new byte[16 * 1024];
			int count;
			do {
				count = deflater.deflate(chunk, 0, chunk.length, Deflater.SYNC_FLUSH);
				out.write(chunk, 0, count);
			}
			while (count == chunk.length || !deflater.needsInput());
			byte[] all = out.toByteArray();
			return Arrays.copyOf(all, all.length - 4);
		}

		/**
		 * A room's state as a game sends it: 20-60 players with moving positions, a few
		 * KB of JSON.
		 */
		private static byte[] gameState(Random random, int seq) {
			StringBuilder json = new StringBuilder(
					"{\"seq\":" + seq + ",\"room\":\"lobby-" + random.nextInt(5) + "\",\"players\":[");
			int players = 20 + random.nextInt(41);
			for (int i = 0; i < players; i++) {
				json.append((i > 0) ? "," : "")
					.append("{\"uid\":")
					.append(100_000 + random.nextInt(900_000))
					.append(",\"name\":\"player-")
					.append(random.nextInt(10_000))
					.append("\",\"x\":")
					.append(random.nextInt(2000))
					.append(",\"y\":")
					.append(random.nextInt(2000))
					.append(",\"hp\":")
					.append(random.nextInt(101))
					.append(",\"state\":\"")
					.append(random.nextBoolean() ? "moving" : "idle")
					.append("\"}");
			}
			return json.append("]}").toString().getBytes(StandardCharsets.UTF_8);
		}

		private static byte[] data(PomeloMessage message) {
			return new PomeloPackage(PackageType.DATA, message.encode()).encode();
		}

	}

}
