package io.pomelo.gateway.pomelo;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Pomelo observer against hand-built frames: several packages in one frame, fragments, broken and
 * foreign payloads, and the caps that keep its memory and the number of series bounded.
 */
class PomeloObserverUnitTests {

	private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

	private final PomeloObserverFactory factory = new PomeloObserverFactory(this.registry, 200, 1024);

	private final PomeloObserver observer = this.factory.open("conn");

	@Test
	void countsEveryPackageOfAFrameThatHoldsSeveral() {
		client(frame(pkg(PackageType.HANDSHAKE_ACK, null), pkg(PackageType.HEARTBEAT, null),
				data(PomeloMessage.request(1, "connector.entryHandler.echo", json("{}"))),
				data(PomeloMessage.notify("connector.entryHandler.notifyMe", json("{}")))));
		backend(frame(data(PomeloMessage.response(1, json("{}"))), pkg(PackageType.HEARTBEAT, null),
				data(PomeloMessage.push("onPush", json("{}")))));
		assertThat(packages("up", "handshake_ack")).isEqualTo(1);
		assertThat(packages("up", "heartbeat")).isEqualTo(1);
		assertThat(packages("up", "data")).isEqualTo(2);
		assertThat(packages("down", "data")).isEqualTo(2);
		assertThat(packages("down", "heartbeat")).isEqualTo(1);
		assertThat(messages("request")).isEqualTo(1);
		assertThat(messages("notify")).isEqualTo(1);
		assertThat(messages("response")).isEqualTo(1);
		assertThat(messages("push")).isEqualTo(1);
		assertThat(requests("connector.entryHandler.echo")).isEqualTo(1);
		assertThat(this.observer.inFlight()).isZero();
		assertThat(invalid("up") + invalid("down")).isZero();
	}

	@Test
	void matchesResponsesToRequestsByIdInAnyOrder() {
		client(frame(data(PomeloMessage.request(300, "a.b.c", json("{}")))));
		client(frame(data(PomeloMessage.request(7, "a.b.d", json("{}")))));
		backend(frame(data(PomeloMessage.response(7, json("{}")))));
		assertThat(requests("a.b.d")).isEqualTo(1);
		assertThat(requests("a.b.c")).isZero();
		backend(frame(data(PomeloMessage.response(300, json("{}")))));
		backend(frame(data(PomeloMessage.response(300, json("{}")))));
		assertThat(requests("a.b.c")).isEqualTo(1);
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
		assertThat(invalid("up")).isEqualTo(4);
		assertThat(packages("up", "heartbeat")).isEqualTo(1);
		assertThat(this.observer.inFlight()).isZero();
	}

	@Test
	void nonPomeloPayloadsAreCountedAndLeftAlone() {
		client(new TextWebSocketFrame("{\"hello\":1}"));
		client(frame("GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
		backend(frame(new byte[] { 0, 0, 0, 0 }));
		assertThat(invalid("up")).isEqualTo(2);
		assertThat(invalid("down")).isEqualTo(1);
	}

	@Test
	void followsAPackageAcrossContinuationFrames() {
		byte[] request = data(PomeloMessage.request(5, "big.route", new byte[1000]));
		byte[] heartbeat = pkg(PackageType.HEARTBEAT, null);
		byte[] all = concat(request, heartbeat);
		client(new BinaryWebSocketFrame(false, 0, Unpooled.wrappedBuffer(all, 0, 100)));
		client(new ContinuationWebSocketFrame(false, 0, Unpooled.wrappedBuffer(all, 100, 500)));
		client(new ContinuationWebSocketFrame(true, 0, Unpooled.wrappedBuffer(all, 600, all.length - 600)));
		assertThat(packages("up", "data")).isEqualTo(1);
		assertThat(packages("up", "heartbeat")).isEqualTo(1);
		assertThat(invalid("up")).isZero();
		assertThat(this.observer.inFlight()).isEqualTo(1);
	}

	@Test
	void countsServerHandshakeCodesAndKicks() {
		backend(frame(pkg(PackageType.HANDSHAKE, json("{\"code\":501}"))));
		backend(frame(pkg(PackageType.HANDSHAKE, json("{\"code\":200,\"sys\":{\"heartbeat\":10}}"))));
		backend(frame(pkg(PackageType.HANDSHAKE, json("not json"))));
		backend(frame(pkg(PackageType.KICK, json("{\"reason\":\"bye\"}"))));
		assertThat(handshakes("501")).isEqualTo(1);
		assertThat(handshakes("200")).isEqualTo(1);
		assertThat(handshakes("invalid")).isEqualTo(1);
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
		assertThat(requests("connector.entryHandler.echo")).isEqualTo(3);
		assertThat(requests(PomeloRouteTags.UNKNOWN)).isEqualTo(1);
	}

	@Test
	void tenThousandDistinctRoutesStayWithinTheCap() {
		for (int i = 0; i < 10_000; i++) {
			PomeloObserver observer = (i % 2 == 0) ? this.observer : this.factory.open("gate");
			client(observer, frame(data(PomeloMessage.request(i + 1, "made.up.route" + i, json("{}")))));
			backend(observer, frame(data(PomeloMessage.response(i + 1, json("{}")))));
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
		assertThat(unanswered("evicted")).isEqualTo(10_000 - 1024);
		// The newest requests are the ones kept.
		backend(frame(data(PomeloMessage.response(10_000, json("{}")))));
		backend(frame(data(PomeloMessage.response(1, json("{}")))));
		assertThat(requests("connector.entryHandler.slow")).isEqualTo(1);
		this.observer.closed();
		assertThat(unanswered("closed")).isEqualTo(1023);
		assertThat(this.observer.inFlight()).isZero();
	}

	@Test
	void neverMovesTheReaderIndexNorTouchesTheBuffer() {
		byte[] bytes = frameBytes(data(PomeloMessage.request(1, "x.y.z", json("{\"a\":1}"))), pkg(PackageType.HEARTBEAT, null));
		ByteBuf buffer = Unpooled.wrappedBuffer(bytes).readerIndex(0);
		BinaryWebSocketFrame frame = new BinaryWebSocketFrame(buffer);
		this.observer.clientFrame(frame);
		assertThat(buffer.readerIndex()).isZero();
		assertThat(buffer.refCnt()).isEqualTo(1);
		assertThat(buffer.writerIndex()).isEqualTo(bytes.length);
		frame.release();
	}

	@Test
	void arbitraryBytesNeverThrowAndLeaveTheFrameAsItWas() {
		// Seeded, so a failure reproduces; small type bytes are favoured to reach the deeper parsing.
		Random random = new Random(20240501);
		PomeloObserver observer = new PomeloObserverFactory(new SimpleMeterRegistry(), 5, 4).open("any");
		for (int run = 0; run < 20_000; run++) {
			byte[] bytes = new byte[random.nextInt(40)];
			random.nextBytes(bytes);
			for (int i = 0; i < bytes.length; i++) {
				if (random.nextInt(4) == 0) {
					bytes[i] = (byte) random.nextInt(6);
				}
			}
			ByteBuf buffer = Unpooled.wrappedBuffer(bytes);
			WebSocketFrame frame = switch (run % 3) {
				case 0 -> new BinaryWebSocketFrame(buffer);
				case 1 -> new BinaryWebSocketFrame(false, 0, buffer);
				default -> new ContinuationWebSocketFrame(random.nextBoolean(), 0, buffer);
			};
			observer.clientFrame(frame);
			observer.backendFrame(frame);
			assertThat(buffer.readerIndex()).isZero();
			assertThat(buffer.writerIndex()).isEqualTo(bytes.length);
			assertThat(observer.inFlight()).isLessThanOrEqualTo(4);
			frame.release();
		}
	}

	private void client(WebSocketFrame frame) {
		client(this.observer, frame);
	}

	private void backend(WebSocketFrame frame) {
		backend(this.observer, frame);
	}

	private static void client(PomeloObserver observer, WebSocketFrame frame) {
		observer.clientFrame(frame);
		frame.release();
	}

	private static void backend(PomeloObserver observer, WebSocketFrame frame) {
		observer.backendFrame(frame);
		frame.release();
	}

	private double packages(String direction, String type) {
		return this.registry.get("pomelo.gateway.pomelo.packages")
			.tags("route", "conn", "direction", direction, "type", type)
			.counter()
			.count();
	}

	private double messages(String type) {
		return this.registry.get("pomelo.gateway.pomelo.messages").tags("route", "conn", "type", type).counter().count();
	}

	private double invalid(String direction) {
		return this.registry.get("pomelo.gateway.pomelo.invalid.frames")
			.tags("route", "conn", "direction", direction)
			.counter()
			.count();
	}

	private double handshakes(String code) {
		return this.registry.get("pomelo.gateway.pomelo.handshakes").tags("route", "conn", "code", code).counter().count();
	}

	private double unanswered(String reason) {
		return this.registry.get("pomelo.gateway.pomelo.requests.unanswered")
			.tags("route", "conn", "reason", reason)
			.counter()
			.count();
	}

	private long requests(String pomeloRoute) {
		var timer = this.registry.find("pomelo.gateway.pomelo.request.duration")
			.tags("route", "conn", "pomelo.route", pomeloRoute)
			.timer();
		return (timer != null) ? timer.count() : 0;
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

	private static BinaryWebSocketFrame frame(byte[]... packages) {
		return new BinaryWebSocketFrame(Unpooled.wrappedBuffer(frameBytes(packages)));
	}

	private static byte[] frameBytes(byte[]... packages) {
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
