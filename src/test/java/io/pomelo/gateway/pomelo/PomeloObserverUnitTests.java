package io.pomelo.gateway.pomelo;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import io.pomelo.gateway.relay.FrameObserver;
import io.pomelo.gateway.relay.WireFeed;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Pomelo observer against hand-built frames, fed as the tunnel feeds it: in their
 * wire form, cut into small random pieces and followed by a real frame tracker. Several
 * packages in one frame, fragments, broken and foreign payloads, and the caps that keep
 * its memory and series bounded.
 */
class PomeloObserverUnitTests {

	private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

	private final ObserverMeters meters = new ObserverMeters(this.registry);

	private final PomeloObserverFactory factory = new PomeloObserverFactory(this.registry, 200, 1024);

	private final PomeloObserver observer = this.factory.open("conn");

	// Pieces of 1 to 7 bytes: every header and message header is cut somewhere.
	private final WireFeed feed = new WireFeed(this.observer, 7, 7);

	@Test
	void countsEveryPackageOfAFrameThatHoldsSeveral() {
		client(frame(pkg(PackageType.HANDSHAKE_ACK, null), pkg(PackageType.HEARTBEAT, null),
				data(PomeloMessage.request(1, "connector.entryHandler.echo", json("{}"))),
				data(PomeloMessage.notify("connector.entryHandler.notifyMe", json("{}")))));
		backend(frame(data(PomeloMessage.response(1, json("{}"))), pkg(PackageType.HEARTBEAT, null),
				data(PomeloMessage.push("onPush", json("{}")))));
		assertThat(this.meters.packages("up", "handshake_ack")).isEqualTo(1);
		assertThat(this.meters.packages("up", "heartbeat")).isEqualTo(1);
		assertThat(this.meters.packages("up", "data")).isEqualTo(2);
		assertThat(this.meters.packages("down", "data")).isEqualTo(2);
		assertThat(this.meters.packages("down", "heartbeat")).isEqualTo(1);
		assertThat(this.meters.messages("request")).isEqualTo(1);
		assertThat(this.meters.messages("notify")).isEqualTo(1);
		assertThat(this.meters.messages("response")).isEqualTo(1);
		assertThat(this.meters.messages("push")).isEqualTo(1);
		assertThat(this.meters.requests("connector.entryHandler.echo")).isEqualTo(1);
		assertThat(this.observer.inFlight()).isZero();
		assertThat(this.meters.invalid("up") + this.meters.invalid("down")).isZero();
	}

	@Test
	void matchesResponsesToRequestsByIdInAnyOrder() {
		client(frame(data(PomeloMessage.request(300, "a.b.c", json("{}")))));
		client(frame(data(PomeloMessage.request(7, "a.b.d", json("{}")))));
		backend(frame(data(PomeloMessage.response(7, json("{}")))));
		assertThat(this.meters.requests("a.b.d")).isEqualTo(1);
		assertThat(this.meters.requests("a.b.c")).isZero();
		backend(frame(data(PomeloMessage.response(300, json("{}")))));
		backend(frame(data(PomeloMessage.response(300, json("{}")))));
		assertThat(this.meters.requests("a.b.c")).isEqualTo(1);
		assertThat(this.observer.inFlight()).isZero();
	}

	@Test
	void truncatedHeadersAreCountedAsInvalidAndNeverThrow() {
		client(frame(new byte[] { 4, 0 }));
		client(frame(new byte[] { 4, 0, 0, 100, 1, 2, 3 }));
		client(frame(pkg(PackageType.HEARTBEAT, null), new byte[] { 3, 0 }));
		// A data package whose message header is cut inside the id and inside the route.
		client(frame(new byte[] { 4, 0, 0, 2, 0, (byte) 0x81 }));
		client(frame(new byte[] { 4, 0, 0, 3, 0, 1, 9 }));
		client(frame(new byte[] { 4, 0, 0, 0 }));
		assertThat(this.meters.invalid("up")).isEqualTo(4);
		assertThat(this.meters.packages("up", "heartbeat")).isEqualTo(1);
		assertThat(this.observer.inFlight()).isZero();
	}

	@Test
	void nonPomeloPayloadsAreCountedAndLeftAlone() {
		this.feed.client(FrameObserver.TEXT, true, json("{\"hello\":1}"));
		client(frame("GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
		backend(frame(new byte[] { 0, 0, 0, 0 }));
		assertThat(this.meters.invalid("up")).isEqualTo(2);
		assertThat(this.meters.invalid("down")).isEqualTo(1);
	}

	@Test
	void followsAPackageAcrossContinuationFrames() {
		byte[] request = data(PomeloMessage.request(5, "big.route", new byte[1000]));
		byte[] heartbeat = pkg(PackageType.HEARTBEAT, null);
		byte[] all = concat(request, heartbeat);
		this.feed.client(FrameObserver.BINARY, false, Arrays.copyOfRange(all, 0, 100));
		this.feed.client(FrameObserver.CONTINUATION, false, Arrays.copyOfRange(all, 100, 600));
		this.feed.client(FrameObserver.CONTINUATION, true, Arrays.copyOfRange(all, 600, all.length));
		assertThat(this.meters.packages("up", "data")).isEqualTo(1);
		assertThat(this.meters.packages("up", "heartbeat")).isEqualTo(1);
		assertThat(this.meters.invalid("up")).isZero();
		assertThat(this.observer.inFlight()).isEqualTo(1);
	}

	@Test
	void headsCutAcrossFramesOfSessionsInterleavedOnOneThreadStayApart() {
		// Both sessions' observers run on this thread, as sessions of one event loop do,
		// and
		// each message head is cut inside its route: neither may read the other's bytes.
		// A second session of the same route: the meters below are the route's.
		WireFeed other = new WireFeed(this.factory.open("conn"), 1000, 1000);
		WireFeed whole = new WireFeed(this.observer, 1000, 1000);
		byte[] mine = data(PomeloMessage.request(11, "connector.entryHandler.mine", json("{}")));
		byte[] theirs = data(PomeloMessage.request(12, "gate.gateHandler.theirs", json("{}")));
		whole.client(FrameObserver.BINARY, false, Arrays.copyOfRange(mine, 0, 12));
		other.client(FrameObserver.BINARY, false, Arrays.copyOfRange(theirs, 0, 9));
		whole.client(FrameObserver.CONTINUATION, true, Arrays.copyOfRange(mine, 12, mine.length));
		other.client(FrameObserver.CONTINUATION, true, Arrays.copyOfRange(theirs, 9, theirs.length));
		whole.backend(FrameObserver.BINARY, true, data(PomeloMessage.response(11, json("{}"))));
		other.backend(FrameObserver.BINARY, true, data(PomeloMessage.response(12, json("{}"))));
		assertThat(this.meters.requests("connector.entryHandler.mine")).isEqualTo(1);
		assertThat(this.meters.requests("gate.gateHandler.theirs")).isEqualTo(1);
		assertThat(this.meters.invalid("up") + this.meters.invalid("down")).isZero();
	}

	@Test
	void countsServerHandshakeCodesAndKicks() {
		backend(frame(pkg(PackageType.HANDSHAKE, json("{\"code\":501}"))));
		backend(frame(pkg(PackageType.HANDSHAKE, json("{\"code\":200,\"sys\":{\"heartbeat\":10}}"))));
		backend(frame(pkg(PackageType.HANDSHAKE, json("not json"))));
		backend(frame(pkg(PackageType.KICK, json("{\"reason\":\"bye\"}"))));
		assertThat(this.meters.handshakes("501")).isEqualTo(1);
		assertThat(this.meters.handshakes("200")).isEqualTo(1);
		assertThat(this.meters.handshakes("invalid")).isEqualTo(1);
		assertThat(this.registry.get("pomelo.gateway.pomelo.kicks").counter().count()).isEqualTo(1);
	}

	@Test
	void resolvesCompressedRoutesWithTheServersDictionary() {
		backend(frame(pkg(PackageType.HANDSHAKE,
				json("{\"code\":200,\"sys\":{\"dict\":{\"connector.entryHandler.echo\":3},\"useDict\":true}}"))));
		for (int id = 1; id <= 3; id++) {
			client(frame(data(new PomeloMessage(MessageType.REQUEST, id, null, 3, json("{}")))));
			backend(frame(data(PomeloMessage.response(id, json("{}")))));
		}
		client(frame(data(new PomeloMessage(MessageType.REQUEST, 9, null, 77, json("{}")))));
		backend(frame(data(PomeloMessage.response(9, json("{}")))));
		assertThat(this.meters.requests("connector.entryHandler.echo")).isEqualTo(3);
		assertThat(this.meters.requests(PomeloRouteTags.UNKNOWN)).isEqualTo(1);
	}

	@Test
	void tenThousandDistinctRoutesStayWithinTheCap() {
		WireFeed gate = new WireFeed(this.factory.open("gate"), 11, 64);
		for (int i = 0; i < 10_000; i++) {
			WireFeed feed = (i % 2 == 0) ? this.feed : gate;
			feed.client(FrameObserver.BINARY, true,
					data(PomeloMessage.request(i + 1, "made.up.route" + i, json("{}"))));
			feed.backend(FrameObserver.BINARY, true, data(PomeloMessage.response(i + 1, json("{}"))));
		}
		assertThat(this.factory.routeTags()).isEqualTo(200);
		long series = this.registry.getMeters()
			.stream()
			.map(Meter::getId)
			.filter((id) -> id.getName().equals("pomelo.gateway.pomelo.request.duration"))
			.map((id) -> id.getTag("pomelo.route"))
			.distinct()
			.count();
		assertThat(series).isEqualTo(201);
		double total = this.registry.get("pomelo.gateway.pomelo.request.duration")
			.timers()
			.stream()
			.mapToLong((timer) -> timer.count())
			.sum();
		assertThat(total).isEqualTo(10_000);
		assertThat(this.registry.get("pomelo.gateway.pomelo.request.duration")
			.tag("pomelo.route", PomeloRouteTags.OTHER)
			.timers()
			.stream()
			.mapToLong((timer) -> timer.count())
			.sum()).isEqualTo(9_800);
	}

	@Test
	void requestsThatNeverGetAResponseStayBounded() {
		for (int i = 1; i <= 10_000; i++) {
			client(frame(data(PomeloMessage.request(i, "connector.entryHandler.slow", json("{}")))));
		}
		assertThat(this.observer.inFlight()).isEqualTo(1024);
		assertThat(this.meters.unanswered("evicted")).isEqualTo(10_000 - 1024);
		// The newest requests are the ones kept.
		backend(frame(data(PomeloMessage.response(10_000, json("{}")))));
		backend(frame(data(PomeloMessage.response(1, json("{}")))));
		assertThat(this.meters.requests("connector.entryHandler.slow")).isEqualTo(1);
		this.observer.closed();
		assertThat(this.meters.unanswered("closed")).isEqualTo(1023);
		assertThat(this.observer.inFlight()).isZero();
	}

	@Test
	void arbitraryBytesInArbitraryPiecesNeverThrow() {
		// Seeded, so a failure reproduces; small type bytes are favoured to reach the
		// deeper parsing.
		Random random = new Random(20240501);
		PomeloObserver observer = new PomeloObserverFactory(new SimpleMeterRegistry(), 5, 4).open("any");
		WireFeed feed = new WireFeed(observer, 3, 9);
		for (int run = 0; run < 20_000; run++) {
			byte[] bytes = new byte[random.nextInt(40)];
			random.nextBytes(bytes);
			for (int i = 0; i < bytes.length; i++) {
				if (random.nextInt(4) == 0) {
					bytes[i] = (byte) random.nextInt(6);
				}
			}
			int opcode = switch (run % 3) {
				case 0, 1 -> FrameObserver.BINARY;
				default -> FrameObserver.CONTINUATION;
			};
			boolean fin = run % 3 != 1 && (run % 3 == 0 || random.nextBoolean());
			feed.client(opcode, fin, bytes);
			feed.backend(opcode, fin, bytes);
			assertThat(observer.inFlight()).isLessThanOrEqualTo(4);
		}
	}

	@Test
	void sameCountsWhetherFramesArriveWholeOrByteByByte() {
		SimpleMeterRegistry wholeRegistry = new SimpleMeterRegistry();
		SimpleMeterRegistry piecesRegistry = new SimpleMeterRegistry();
		WireFeed whole = new WireFeed(new PomeloObserverFactory(wholeRegistry, 200, 1024).open("conn"), 1, 1 << 20);
		WireFeed pieces = new WireFeed(new PomeloObserverFactory(piecesRegistry, 200, 1024).open("conn"), 1, 1);
		for (WireFeed feed : new WireFeed[] { whole, pieces }) {
			feed.backend(FrameObserver.BINARY, true, pkg(PackageType.HANDSHAKE, json("{\"code\":200}")));
			for (int id = 1; id <= 50; id++) {
				feed.client(FrameObserver.BINARY, true,
						concat(data(PomeloMessage.request(id, "area.playerHandler.move", new byte[id * 7])),
								pkg(PackageType.HEARTBEAT, null)));
				feed.backend(FrameObserver.BINARY, true, concat(data(PomeloMessage.response(id, new byte[300])),
						data(PomeloMessage.push("onMove", json("{}")))));
			}
		}
		for (SimpleMeterRegistry registry : new SimpleMeterRegistry[] { wholeRegistry, piecesRegistry }) {
			assertThat(registry.get("pomelo.gateway.pomelo.request.duration")
				.tags("route", "conn", "pomelo.route", "area.playerHandler.move")
				.timer()
				.count()).isEqualTo(50);
			assertThat(registry.get("pomelo.gateway.pomelo.packages")
				.tags("route", "conn", "direction", "down", "type", "data")
				.counter()
				.count()).isEqualTo(100);
			assertThat(registry.get("pomelo.gateway.pomelo.handshakes")
				.tags("route", "conn", "code", "200")
				.counter()
				.count()).isEqualTo(1);
			assertThat(registry.find("pomelo.gateway.pomelo.invalid.frames")
				.counters()
				.stream()
				.mapToDouble((c) -> c.count())
				.sum()).isZero();
		}
	}

	private void client(byte[] payload) {
		this.feed.client(FrameObserver.BINARY, true, payload);
	}

	private void backend(byte[] payload) {
		this.feed.backend(FrameObserver.BINARY, true, payload);
	}

	private static byte[] json(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

	private static byte[] pkg(PackageType type, byte[] body) {
		return new PomeloPackage(type, body).encode();
	}

	private static byte[] data(PomeloMessage message) {
		return pkg(PackageType.DATA, message.encode());
	}

	private static byte[] frame(byte[]... packages) {
		return concat(packages);
	}

	private static byte[] concat(byte[]... parts) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		for (byte[] part : parts) {
			out.write(part, 0, part.length);
		}
		return out.toByteArray();
	}

}
