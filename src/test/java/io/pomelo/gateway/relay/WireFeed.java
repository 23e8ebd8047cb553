package io.pomelo.gateway.relay;

import java.io.ByteArrayOutputStream;
import java.util.Random;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * Feeds an observer the way the tunnel does: frames are encoded to their wire form (client frames
 * masked with a random key, backend frames not), cut into random TCP-like pieces, and followed by a
 * real {@link FrameTracker} per direction.
 */
public final class WireFeed {

	private final Random random;

	private final int maxPiece;

	private final FrameTracker up;

	private final FrameTracker down;

	public WireFeed(FrameObserver observer, long seed, int maxPiece) {
		this.random = new Random(seed);
		this.maxPiece = maxPiece;
		this.up = new FrameTracker(Direction.UP, Integer.MAX_VALUE, observer);
		this.down = new FrameTracker(Direction.DOWN, Integer.MAX_VALUE, observer);
	}

	/** A frame from the client: masked on the wire. */
	public void client(int opcode, boolean fin, byte[] payload) {
		feed(this.up, encode(opcode, fin, payload, true, this.random));
	}

	/** A frame from the backend: unmasked on the wire. */
	public void backend(int opcode, boolean fin, byte[] payload) {
		feed(this.down, encode(opcode, fin, payload, false, this.random));
	}

	private void feed(FrameTracker tracker, byte[] wire) {
		int at = 0;
		while (at < wire.length) {
			int piece = Math.min(wire.length - at, 1 + this.random.nextInt(this.maxPiece));
			ByteBuf buffer = Unpooled.wrappedBuffer(wire, at, piece);
			int stop = tracker.scan(buffer, buffer.readerIndex(), buffer.writerIndex());
			if (stop != buffer.writerIndex() || tracker.stop() != FrameTracker.Stop.NONE) {
				throw new IllegalStateException("tracker stopped early: event " + tracker.stop());
			}
			at += piece;
		}
	}

	/** The wire form of one frame, masked with a random key when {@code masked}. */
	public static byte[] encode(int opcode, boolean fin, byte[] payload, boolean masked, Random random) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		out.write((fin ? 0x80 : 0) | opcode);
		int maskBit = masked ? 0x80 : 0;
		if (payload.length < 126) {
			out.write(maskBit | payload.length);
		}
		else if (payload.length < 65536) {
			out.write(maskBit | 126);
			out.write(payload.length >> 8);
			out.write(payload.length);
		}
		else {
			out.write(maskBit | 127);
			for (int shift = 56; shift >= 0; shift -= 8) {
				out.write((int) ((long) payload.length >> shift));
			}
		}
		byte[] key = new byte[4];
		if (masked) {
			random.nextBytes(key);
			out.write(key, 0, 4);
		}
		for (int i = 0; i < payload.length; i++) {
			out.write(payload[i] ^ key[i & 3]);
		}
		return out.toByteArray();
	}

}
