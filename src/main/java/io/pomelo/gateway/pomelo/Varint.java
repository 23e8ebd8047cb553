package io.pomelo.gateway.pomelo;

import java.io.ByteArrayOutputStream;

/**
 * Pomelo's message id encoding: base-128 groups, least significant first, high bit set while more
 * groups follow.
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
	 * @throws PomeloProtocolException when the bytes end before the value does or it is too long
	 */
	public static long read(byte[] bytes, int offset, int limit) {
		long value = 0;
		for (int i = 0; i < MAX_BYTES; i++) {
			if (offset + i >= limit) {
				throw new PomeloProtocolException("message id is truncated");
			}
			int b = bytes[offset + i] & 0xFF;
			value |= (long) (b & 0x7F) << (7 * i);
			if ((b & 0x80) == 0) {
				return value | ((long) (i + 1) << 56);
			}
		}
		throw new PomeloProtocolException("message id is longer than " + MAX_BYTES + " bytes");
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
