package io.pomelo.gateway.relay;

import java.io.ByteArrayOutputStream;
import java.util.Random;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * Feeds an observer the way the tunnel does: frames are encoded to their wire form
 * (client frames masked with a random key, backend frames not), cut into random TCP-like
 * pieces, and followed by a real {@link FrameTracker} per direction.
 */
public final class WireFeed {

	private final Random random;

	private final int maxPiece;

	private final FrameTracker up;

	private final FrameTracker down;

	public WireFeed(FrameObserver observer, long seed, int maxPiece) {
		this.random = new Random(seed);
		this.maxPiece = maxPiece;
		// As on a session that negotiated permessage-deflate: RSV1 may mark a message as
		// compressed.
		this.up = new FrameTracker(Direction.UP, Integer.MAX_VALUE, true, observer);
		this.down = new FrameTracker(Direction.DOWN, Integer.MAX_VALUE, true, observer);
	}

	/**
	 * A frame from the client with RSV1 set as given: the first frame of a compressed
	 * message.
	 */
	public void client(int opcode, boolean fin, boolean rsv1, byte[] payload) {
		byte[] wire = encode(opcode, fin, payload, true, this.random);
		wire[0] |= rsv1 ? 0x40 : 0;
		feed(this.up, wire);
	}

	/** A frame from the backend with RSV1 set as given. */
	public void backend(int opcode, boolean fin, boolean rsv1, byte[] payload) {
		byte[] wire = encode(opcode, fin, payload, false, this.random);
		wire[0] |= rsv1 ? 0x40 : 0;
		feed(this.down, wire);
	}

	/** A frame from the client: masked on the wire. */
	public void client(int opcode, boolean fin, byte[] payload) {
		feed(this.up, encode(opcode, fin, payload, true, this.random));
	}

	/** A frame from the backend: unmasked on the wire. */
	public void backend(int opcode, boolean fin, byte[] payload) {
		feed(this.down, encode(opcode, fin, payload, false, this.random));
	}

	/**
	 * Frames from the client already in wire form ({@link #encode}), fed in one piece
	 * each.
	 */
	public void clientWire(byte[] wire) {
		feed(this.up, wire);
	}

	/** Frames from the backend already in wire form, fed in one piece each. */
	public void backendWire(byte[] wire) {
		feed(this.down, wire);
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
