package io.pomelo.gateway.relay;

import io.netty.buffer.ByteBuf;

/**
 * A read-only window on some payload bytes of one frame, as they lie in the buffer that
 * is about to be forwarded. Frames from a client are masked on the wire and stay masked
 * for the backend; this view unmasks only the bytes an observer actually reads, so
 * observing costs nothing for bytes it skips.
 * <p>
 * One instance per direction is reused for every call: it is valid only during the call
 * that gave it.
 */
public final class FramePayload {

	private ByteBuf buffer;

	private int offset;

	private int length;

	private int mask;

	private int phase;

	FramePayload set(ByteBuf buffer, int offset, int length, int mask, int phase) {
		this.buffer = buffer;
		this.offset = offset;
		this.length = length;
		this.mask = mask;
		this.phase = phase;
		return this;
	}

	/**
	 * Points this window at plain bytes: for an observer that hands on bytes it made
	 * itself, such as the inflated form of a compressed message.
	 */
	public FramePayload plain(ByteBuf buffer, int offset, int length) {
		return set(buffer, offset, length, 0, 0);
	}

	/** How many payload bytes this window holds. */
	public int length() {
		return this.length;
	}

	/** The unmasked byte at {@code index} of this window, from 0 to 255. */
	public int get(int index) {
		if (index < 0 || index >= this.length) {
			throw new IndexOutOfBoundsException(index);
		}
		return (this.buffer.getByte(this.offset + index) ^ maskByte(index)) & 0xFF;
	}

	/**
	 * Copies {@code count} unmasked bytes starting at {@code index} into {@code target}.
	 */
	public void copy(int index, byte[] target, int targetOffset, int count) {
		if (index < 0 || count < 0 || index + count > this.length) {
			throw new IndexOutOfBoundsException(index + count);
		}
		this.buffer.getBytes(this.offset + index, target, targetOffset, count);
		if (this.mask != 0) {
			for (int i = 0; i < count; i++) {
				target[targetOffset + i] ^= maskByte(index + i);
			}
		}
	}

	private int maskByte(int index) {
		// The key's first byte masks payload byte 0, its second byte 1, and so on (RFC
		// 6455 5.3).
		return this.mask >>> (24 - 8 * ((this.phase + index) & 3));
	}

}
