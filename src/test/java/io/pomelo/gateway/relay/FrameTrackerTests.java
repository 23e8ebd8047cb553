package io.pomelo.gateway.relay;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The tracker that follows frame boundaries in the tunnel's byte streams, against frames
 * encoded to their wire form and cut into random pieces.
 */
class FrameTrackerTests {

	private static final int PING = 0x9;

	private static final int PONG = 0xA;

	private static final int CLOSE = 0x8;

	@Test
	void followsEveryFrameWhateverTheCutsAndShowsPayloadsUnmasked() {
		Random random = new Random(42);
		int[] lengths = { 0, 1, 7, 125, 126, 127, 1000, 65535, 65536, 70000 };
		for (int trial = 0; trial < 300; trial++) {
			boolean masked = random.nextBoolean();
			List<byte[]> payloads = new ArrayList<>();
			List<Integer> opcodes = new ArrayList<>();
			ByteArrayOutputStream wire = new ByteArrayOutputStream();
			int frames = 1 + random.nextInt(6);
			long dataBytes = 0;
			for (int i = 0; i < frames; i++) {
				int opcode = switch (random.nextInt(4)) {
					case 0 -> FrameObserver.TEXT;
					case 1 -> PING;
					default -> FrameObserver.BINARY;
				};
				int length = (opcode == PING) ? random.nextInt(126) : lengths[random.nextInt(lengths.length)];
				byte[] payload = new byte[length];
				random.nextBytes(payload);
				byte[] encoded = WireFeed.encode(opcode, true, payload, masked, random);
				wire.write(encoded, 0, encoded.length);
				dataBytes += length;
				if (opcode != PING) {
					payloads.add(payload);
					opcodes.add(opcode);
				}
			}
			Recorder recorder = new Recorder();
			FrameTracker tracker = new FrameTracker(Direction.UP, 1 << 20, recorder);
			byte[] bytes = wire.toByteArray();
			int at = 0;
			while (at < bytes.length) {
				int piece = Math.min(bytes.length - at, 1 + random.nextInt(random.nextBoolean() ? 5 : 9000));
				ByteBuf buffer = Unpooled.wrappedBuffer(bytes, at, piece);
				assertThat(tracker.scan(buffer, buffer.readerIndex(), buffer.writerIndex()))
					.isEqualTo(buffer.writerIndex());
				assertThat(tracker.stop()).isEqualTo(FrameTracker.Stop.NONE);
				at += piece;
			}
			assertThat(tracker.atBoundary()).isTrue();
			assertThat(tracker.takeFrames()).isEqualTo(frames);
			assertThat(tracker.takeBytes()).isEqualTo(dataBytes);
			assertThat(recorder.opcodes).isEqualTo(opcodes);
			assertThat(recorder.frames).hasSize(payloads.size());
			for (int i = 0; i < payloads.size(); i++) {
				assertThat(recorder.frames.get(i).toByteArray()).isEqualTo(payloads.get(i));
			}
		}
	}

	@Test
	void stopsBeforeAFrameOverTheLimit() {
		Random random = new Random(1);
		byte[] small = WireFeed.encode(FrameObserver.BINARY, true, new byte[100], true, random);
		byte[] big = WireFeed.encode(FrameObserver.BINARY, true, new byte[2000], true, random);
		byte[] both = concat(small, big);
		FrameTracker tracker = new FrameTracker(Direction.UP, 1000, FrameObserver.NONE);
		ByteBuf buffer = Unpooled.wrappedBuffer(both);
		assertThat(tracker.scan(buffer, 0, both.length)).isEqualTo(small.length);
		assertThat(tracker.stop()).isEqualTo(FrameTracker.Stop.TOO_BIG);
		assertThat(tracker.limitBrokeAFrame()).isFalse();
		// Nothing after a refused frame counts.
		assertThat(tracker.scan(buffer, small.length, both.length)).isEqualTo(both.length);
		assertThat(tracker.stop()).isEqualTo(FrameTracker.Stop.NONE);
	}

	@Test
	void saysWhenTheRefusedFramesHeaderBeganInAnEarlierRead() {
		byte[] big = WireFeed.encode(FrameObserver.BINARY, true, new byte[70000], false, new Random(2));
		FrameTracker tracker = new FrameTracker(Direction.DOWN, 1000, FrameObserver.NONE);
		assertThat(tracker.scan(Unpooled.wrappedBuffer(big, 0, 3), 0, 3)).isEqualTo(3);
		assertThat(tracker.stop()).isEqualTo(FrameTracker.Stop.NONE);
		ByteBuf rest = Unpooled.wrappedBuffer(big, 3, 20);
		assertThat(tracker.scan(rest, 0, 20)).isZero();
		assertThat(tracker.stop()).isEqualTo(FrameTracker.Stop.TOO_BIG);
		assertThat(tracker.limitBrokeAFrame()).isTrue();
	}

	@Test
	void stopsRightAfterACloseFrameAndReadsItsMaskedCode() {
		Random random = new Random(3);
		byte[] data = WireFeed.encode(FrameObserver.BINARY, true, new byte[10], true, random);
		byte[] close = WireFeed.encode(CLOSE, true, new byte[] { (byte) (4001 >> 8), (byte) 4001, 'b', 'y', 'e' }, true,
				random);
		byte[] after = WireFeed.encode(FrameObserver.BINARY, true, new byte[10], true, random);
		byte[] all = concat(data, close, after);
		FrameTracker tracker = new FrameTracker(Direction.UP, 1000, FrameObserver.NONE);
		assertThat(tracker.scan(Unpooled.wrappedBuffer(all), 0, all.length)).isEqualTo(data.length + close.length);
		assertThat(tracker.stop()).isEqualTo(FrameTracker.Stop.CLOSE);
		assertThat(tracker.closeCode()).isEqualTo(4001);
		assertThat(tracker.takeFrames()).isEqualTo(1);
	}

	@Test
	void anEmptyCloseHasNoStatus() {
		byte[] close = WireFeed.encode(CLOSE, true, new byte[0], false, new Random(4));
		FrameTracker tracker = new FrameTracker(Direction.DOWN, 1000, FrameObserver.NONE);
		assertThat(tracker.scan(Unpooled.wrappedBuffer(close), 0, close.length)).isEqualTo(close.length);
		assertThat(tracker.stop()).isEqualTo(FrameTracker.Stop.CLOSE);
		assertThat(tracker.closeCode()).isEqualTo(CloseCodes.NO_STATUS);
	}

	@Test
	void stopsAtTheNextFrameBoundaryWhenAsked() {
		Random random = new Random(5);
		byte[] first = WireFeed.encode(FrameObserver.BINARY, true, new byte[300], false, random);
		byte[] second = WireFeed.encode(PONG, true, new byte[4], false, random);
		byte[] all = concat(first, second);
		FrameTracker tracker = new FrameTracker(Direction.DOWN, 1000, FrameObserver.NONE);
		ByteBuf buffer = Unpooled.wrappedBuffer(all);
		assertThat(tracker.scan(buffer, 0, 100)).isEqualTo(100);
		assertThat(tracker.atBoundary()).isFalse();
		tracker.stopAtBoundary();
		assertThat(tracker.scan(buffer, 100, all.length)).isEqualTo(first.length);
		assertThat(tracker.stop()).isEqualTo(FrameTracker.Stop.BOUNDARY);
		// Asked at a boundary, it stops before reading anything.
		tracker.stopAtBoundary();
		assertThat(tracker.scan(buffer, first.length, all.length)).isEqualTo(first.length);
		assertThat(tracker.stop()).isEqualTo(FrameTracker.Stop.BOUNDARY);
	}

	@Test
	void withDeflateRsv1MarksACompressedMessageWhoseFramesTheObserverSeesAsCompressed() {
		Random random = new Random(6);
		byte[] compressed = rsv(0x40, WireFeed.encode(FrameObserver.TEXT, false, new byte[50], true, random));
		byte[] rest = WireFeed.encode(FrameObserver.CONTINUATION, true, new byte[20], true, random);
		byte[] plain = WireFeed.encode(FrameObserver.BINARY, true, new byte[30], true, random);
		byte[] all = concat(compressed, rest, plain);
		java.util.List<String> shown = new java.util.ArrayList<>();
		FrameObserver observer = new FrameObserver() {
			@Override
			public void frameStart(Direction direction, int opcode, boolean fin, boolean compressed, long length) {
				shown.add(length + (compressed ? " compressed" : " plain"));
			}
		};
		FrameTracker tracker = new FrameTracker(Direction.UP, 1000, true, observer);
		assertThat(tracker.scan(Unpooled.wrappedBuffer(all), 0, all.length)).isEqualTo(all.length);
		assertThat(tracker.stop()).isEqualTo(FrameTracker.Stop.NONE);
		assertThat(tracker.takeFrames()).isEqualTo(3);
		assertThat(tracker.takeBytes()).as("wire payload bytes, compressed ones included").isEqualTo(100);
		assertThat(shown).as("frames the observer saw").containsExactly("50 compressed", "20 compressed", "30 plain");
	}

	@Test
	void aReservedBitThatNoExtensionAllowsIsAProtocolErrorAtItsFrame() {
		Random random = new Random(7);
		byte[] good = WireFeed.encode(FrameObserver.BINARY, true, new byte[10], true, random);
		byte[] first = WireFeed.encode(FrameObserver.TEXT, false, new byte[10], true, random);
		// RSV1 without deflate; RSV1 on a continuation or a control frame; RSV2 and RSV3
		// ever.
		Object[][] cases = { { false, 0x40, good },
				{ true, 0x40, WireFeed.encode(FrameObserver.CONTINUATION, true, new byte[5], true, random), first },
				{ true, 0x40, WireFeed.encode(PONG, true, new byte[2], true, random) }, { true, 0x20, good },
				{ true, 0x10, good } };
		for (Object[] c : cases) {
			boolean deflate = (boolean) c[0];
			byte[] bad = rsv((int) c[1], ((byte[]) c[2]).clone());
			byte[] before = (c.length > 3) ? (byte[]) c[3] : good;
			byte[] all = concat(before, bad, good);
			FrameTracker tracker = new FrameTracker(Direction.DOWN, 1000, deflate, FrameObserver.NONE);
			assertThat(tracker.scan(Unpooled.wrappedBuffer(all), 0, all.length)).as("stop position")
				.isEqualTo(before.length);
			assertThat(tracker.stop()).isEqualTo(FrameTracker.Stop.PROTOCOL_ERROR);
			assertThat(tracker.limitBrokeAFrame()).isFalse();
		}
	}

	private static byte[] rsv(int bits, byte[] frame) {
		frame[0] |= (byte) bits;
		return frame;
	}

	@Test
	void gatewayCloseFramesAreWellFormedAndMaskedOnlyTowardTheBackend() {
		for (boolean masked : new boolean[] { false, true }) {
			ByteBuf frame = CloseFrames.encode(Unpooled.buffer().alloc(), 1011, "backend connection lost", masked);
			assertThat(frame.getByte(1) & 0x80).isEqualTo(masked ? 0x80 : 0);
			FrameTracker tracker = new FrameTracker(Direction.UP, 1000, FrameObserver.NONE);
			assertThat(tracker.scan(frame, frame.readerIndex(), frame.writerIndex())).isEqualTo(frame.writerIndex());
			assertThat(tracker.stop()).isEqualTo(FrameTracker.Stop.CLOSE);
			assertThat(tracker.closeCode()).isEqualTo(1011);
			frame.release();
		}
	}

	private static byte[] concat(byte[]... parts) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		for (byte[] part : parts) {
			out.write(part, 0, part.length);
		}
		return out.toByteArray();
	}

	/** Rebuilds each data frame's payload from the pieces the tracker shows. */
	private static final class Recorder implements FrameObserver {

		final List<Integer> opcodes = new ArrayList<>();

		final List<ByteArrayOutputStream> frames = new ArrayList<>();

		private ByteArrayOutputStream current;

		@Override
		public void frameStart(Direction direction, int opcode, boolean fin, boolean compressed, long length) {
			this.opcodes.add(opcode);
			this.current = new ByteArrayOutputStream();
		}

		@Override
		public void payload(Direction direction, FramePayload bytes) {
			byte[] copy = new byte[bytes.length()];
			bytes.copy(0, copy, 0, copy.length);
			for (int i = 0; i < copy.length; i++) {
				assertThat(bytes.get(i)).isEqualTo(copy[i] & 0xFF);
			}
			this.current.write(copy, 0, copy.length);
		}

		@Override
		public void frameEnd(Direction direction) {
			this.frames.add(this.current);
		}

	}

}
