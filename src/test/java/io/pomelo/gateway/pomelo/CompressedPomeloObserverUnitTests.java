package io.pomelo.gateway.pomelo;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.Deflater;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import io.pomelo.gateway.relay.Direction;
import io.pomelo.gateway.relay.FrameObserver;
import io.pomelo.gateway.relay.WireFeed;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Pomelo observer on sessions that negotiated permessage-deflate (RFC 7692), fed
 * compressed frames in their wire form, in random pieces, through real frame trackers:
 * with inflation on, it reads the same headers as on a plain session, across messages
 * compressed against each other and across fragments; with it off, it counts them as
 * opaque; a deflate bomb or bytes that are not deflate make it give up that direction,
 * never throw.
 */
class CompressedPomeloObserverUnitTests {

	private static final String DEFLATE = "permessage-deflate; client_max_window_bits=15";

	private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

	private final ObserverMeters meters = new ObserverMeters(this.registry);

	@Test
	void withInflateOnItTimesRequestsInMessagesCompressedAgainstEachOther() {
		PomeloObserver observer = factory(1 << 20).open("conn", DEFLATE);
		WireFeed feed = new WireFeed(observer, 11, 9);
		Compressor up = new Compressor(false);
		Compressor down = new Compressor(false);
		for (int id = 1; id <= 50; id++) {
			byte[] body = gameState(id);
			feed.client(FrameObserver.BINARY, true, true,
					up.message(data(PomeloMessage.request(id, "connector.entryHandler.echo", body))));
			// Responses fragmented: the first frame alone carries RSV1.
			byte[] response = down.message(data(PomeloMessage.response(id, body)));
			int cut = response.length / 3;
			feed.backend(FrameObserver.BINARY, false, true, Arrays.copyOfRange(response, 0, cut));
			feed.backend(FrameObserver.CONTINUATION, true, false, Arrays.copyOfRange(response, cut, response.length));
		}
		assertThat(this.meters.requests("connector.entryHandler.echo")).isEqualTo(50);
		assertThat(observer.inFlight()).isZero();
		assertThat(this.meters.compressed("up", "inflated")).isEqualTo(50);
		assertThat(this.meters.compressed("down", "inflated")).isEqualTo(50);
		assertThat(this.meters.compressed("up", "given_up") + this.meters.compressed("down", "given_up")).isZero();
		assertThat(this.meters.invalid("up") + this.meters.invalid("down")).isZero();
		assertThat(up.ratio()).as("later messages compress against earlier ones").isGreaterThan(20);
		observer.closed();
	}

	@Test
	void withNoContextTakeoverEachMessageInflatesOnItsOwn() {
		PomeloObserver observer = factory(1 << 20).open("conn",
				"permessage-deflate; server_no_context_takeover; client_no_context_takeover");
		WireFeed feed = new WireFeed(observer, 12, 64);
		for (int id = 1; id <= 20; id++) {
			feed.client(FrameObserver.BINARY, true, true,
					new Compressor(true).message(data(PomeloMessage.request(id, "area.move", gameState(id)))));
			feed.backend(FrameObserver.BINARY, true, true,
					new Compressor(true).message(data(PomeloMessage.response(id, gameState(id)))));
		}
		assertThat(this.meters.requests("area.move")).isEqualTo(20);
		assertThat(this.meters.compressed("up", "given_up") + this.meters.compressed("down", "given_up")).isZero();
		observer.closed();
	}

	@Test
	void withInflateOffCompressedMessagesAreOpaqueAndPlainOnesStillRead() {
		PomeloObserver observer = factory(0).open("conn", DEFLATE);
		WireFeed feed = new WireFeed(observer, 13, 9);
		Compressor up = new Compressor(false);
		feed.client(FrameObserver.BINARY, true, true,
				up.message(data(PomeloMessage.request(1, "a.b.c", gameState(1)))));
		feed.client(FrameObserver.BINARY, true, false, data(PomeloMessage.request(2, "a.b.d", gameState(2))));
		feed.backend(FrameObserver.BINARY, true, false, data(PomeloMessage.response(2, gameState(2))));
		assertThat(this.meters.compressed("up", "opaque")).isEqualTo(1);
		assertThat(this.meters.compressed("up", "inflated")).isZero();
		assertThat(this.meters.requests("a.b.d")).isEqualTo(1);
		assertThat(this.meters.requests("a.b.c")).isZero();
		assertThat(this.meters.invalid("up")).isZero();
	}

	@Test
	void aDeflateBombMakesTheDirectionGiveUpAfterTheCapAndLaterMessagesAreOpaque() {
		long cap = 64 * 1024;
		PomeloObserver observer = factory(cap).open("conn", DEFLATE);
		WireFeed feed = new WireFeed(observer, 14, 4096);
		Compressor up = new Compressor(false);
		// 8 MiB of zeros in a Pomelo data package: about 8 KB on the wire.
		byte[] bomb = up.message(data(PomeloMessage.request(1, "a.b.c", new byte[8 << 20])));
		assertThat(bomb.length).isLessThan(64 * 1024);
		feed.client(FrameObserver.BINARY, true, true, bomb);
		feed.client(FrameObserver.BINARY, true, true,
				up.message(data(PomeloMessage.request(2, "a.b.d", gameState(2)))));
		assertThat(this.meters.compressed("up", "given_up")).isEqualTo(1);
		assertThat(this.meters.compressed("up", "inflated")).isEqualTo(1);
		assertThat(this.meters.compressed("up", "opaque")).isEqualTo(1);
		assertThat(this.meters.requests("a.b.d")).isZero();
		// The other direction is unaffected.
		Compressor down = new Compressor(false);
		feed.backend(FrameObserver.BINARY, true, true, down.message(data(PomeloMessage.push("onMove", gameState(3)))));
		assertThat(this.meters.compressed("down", "inflated")).isEqualTo(1);
		assertThat(this.meters.messages("push")).isEqualTo(1);
		observer.closed();
	}

	@Test
	void bytesThatAreNotDeflateNeverThrowAndGiveUpTheDirection() {
		long seed = System.nanoTime();
		Random random = new Random(seed);
		for (int round = 0; round < 200; round++) {
			PomeloObserver observer = factory(1 << 20).open("conn", DEFLATE);
			WireFeed feed = new WireFeed(observer, random.nextLong(), 1 + random.nextInt(64));
			byte[] junk = new byte[1 + random.nextInt(2000)];
			random.nextBytes(junk);
			try {
				feed.client(FrameObserver.BINARY, random.nextBoolean(), true, junk);
				feed.client(FrameObserver.CONTINUATION, true, false, junk);
				feed.client(FrameObserver.BINARY, true, true, junk);
			}
			catch (RuntimeException ex) {
				throw new AssertionError("seed " + seed + ", round " + round, ex);
			}
			observer.closed();
		}
		assertThat(this.meters.compressed("up", "given_up")).as("seed %d", seed).isPositive();
	}

	@Test
	void theContextTakeoverParameterIsReadPerDirection() {
		assertThat(MessageInflater.noContextTakeover(DEFLATE, Direction.UP)).isFalse();
		assertThat(MessageInflater.noContextTakeover("permessage-deflate; server_no_context_takeover", Direction.DOWN))
			.isTrue();
		assertThat(MessageInflater.noContextTakeover("permessage-deflate; server_no_context_takeover", Direction.UP))
			.isFalse();
		assertThat(MessageInflater.noContextTakeover("Permessage-Deflate;Client_No_Context_Takeover", Direction.UP))
			.isTrue();
		assertThat(MessageInflater.noContextTakeover("x-other; client_no_context_takeover", Direction.UP)).isFalse();
		assertThat(MessageInflater.noContextTakeover(null, Direction.UP)).isFalse();
	}

	private PomeloObserverFactory factory(long maxInflated) {
		return new PomeloObserverFactory(this.registry, 200, 1024, maxInflated);
	}

	/**
	 * One sender's deflate stream, as RFC 7692 frames it: sync-flushed, the 4-byte tail
	 * removed.
	 */
	private static final class Compressor {

		private final Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);

		private final boolean resetEachMessage;

		private long in;

		private long out;

		Compressor(boolean resetEachMessage) {
			this.resetEachMessage = resetEachMessage;
		}

		byte[] message(byte[] payload) {
			this.deflater.setInput(payload);
			ByteArrayOutputStream bytes = new ByteArrayOutputStream();
			byte[] chunk = new byte[8192];
			int count;
			do {
				count = this.deflater.deflate(chunk, 0, chunk.length, Deflater.SYNC_FLUSH);
				bytes.write(chunk, 0, count);
			}
			while (count == chunk.length || !this.deflater.needsInput());
			byte[] all = bytes.toByteArray();
			if (this.resetEachMessage) {
				this.deflater.reset();
			}
			this.in += payload.length;
			this.out += all.length - 4;
			return Arrays.copyOf(all, all.length - 4);
		}

		double ratio() {
			return (double) this.in / this.out;
		}

	}

	private static byte[] gameState(int seq) {
		StringBuilder json = new StringBuilder("{\"seq\":" + seq + ",\"players\":[");
		for (int i = 0; i < 100; i++) {
			json.append(i > 0 ? "," : "")
				.append("{\"uid\":")
				.append(100_000 + i)
				.append(",\"name\":\"player-")
				.append(i)
				.append("\",\"x\":")
				.append(i * 3 % 97)
				.append(",\"state\":\"idle\"}");
		}
		return json.append("]}").toString().getBytes(StandardCharsets.UTF_8);
	}

	private static byte[] data(PomeloMessage message) {
		return new PomeloPackage(PackageType.DATA, message.encode()).encode();
	}

}
