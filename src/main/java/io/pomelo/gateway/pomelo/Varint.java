package io.pomelo.gateway.pomelo;

import java.io.ByteArrayOutputStream;

/**
 * Pomelo's message id encoding: base-128 groups, least significant first, high bit set
 * while more groups follow.
 */
public final class Varint {

	/** Most bytes a Pomelo id takes; ids are JavaScript numbers below 2^53. */
	public static final int MAX_BYTES = 8;

	private Varint() {
	}

	/**
	 * Writes a non-negative value.
	 */
	public static void write(long value, ByteArrayOutputStream out) {
		if (value < 0) {
			throw new IllegalArgumentException("id must not be negative");
		}
		do {
			int group = (int) (value & 0x7F);
			value >>>= 7;
			out.write((value != 0) ? (group | 0x80) : group);
		}
		while (value != 0);
	}

	/**
	 * Reads a value starting at {@code offset}.
	 * @return the value in the low bits and the number of bytes read in bits 56-63
	 * @throws PomeloProtocolException when the bytes end before the value does or it is
	 * too long
	 */
	public static long read(byte[] bytes, int offset, int limit) {
		long packed = tryRead(bytes, offset, limit);
		if (packed < 0) {
			throw new PomeloProtocolException((limit - offset < MAX_BYTES) ? "message id is truncated"
					: "message id is longer than " + MAX_BYTES + " bytes");
		}
		return packed;
	}

	/**
	 * {@link #read} for the relay's observer, which sees hostile bytes on a hot path: no
	 * exception.
	 * @return as {@link #read}, or -1 when the bytes end before the value does or it is
	 * too long
	 */
	public static long tryRead(byte[] bytes, int offset, int limit) {
		long value = 0;
		for (int i = 0; i < MAX_BYTES && offset + i < limit; i++) {
			int b = bytes[offset + i] & 0xFF;
			value |= (long) (b & 0x7F) << (7 * i);
			if ((b & 0x80) == 0) {
				return value | ((long) (i + 1) << 56);
			}
		}
		return -1;
	}

	/** The value part of {@link #read}'s result. */
	public static long value(long packed) {
		return packed & 0x00FF_FFFF_FFFF_FFFFL;
	}

	/** The length part of {@link #read}'s result. */
	public static int length(long packed) {
		return (int) (packed >>> 56);
	}

}
