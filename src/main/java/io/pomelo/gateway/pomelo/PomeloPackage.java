package io.pomelo.gateway.pomelo;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One Pomelo package: a type byte, a 24-bit big-endian body length, then the body.
 *
 * @param type the package type
 * @param body the body bytes, possibly empty
 */
public record PomeloPackage(PackageType type, byte[] body) {

	/** Bytes before the body. */
	public static final int HEADER_LENGTH = 4;

	/** Largest body a 24-bit length can describe. */
	public static final int MAX_BODY_LENGTH = (1 << 24) - 1;

	public PomeloPackage {
		if (type == null) {
			throw new IllegalArgumentException("type must not be null");
		}
		body = (body != null) ? body : new byte[0];
		if (body.length > MAX_BODY_LENGTH) {
			throw new IllegalArgumentException("body must be at most " + MAX_BODY_LENGTH + " bytes");
		}
	}

	/**
	 * The package as bytes on the wire.
	 */
	public byte[] encode() {
		byte[] out = new byte[HEADER_LENGTH + this.body.length];
		out[0] = (byte) this.type.code();
		out[1] = (byte) (this.body.length >>> 16);
		out[2] = (byte) (this.body.length >>> 8);
		out[3] = (byte) this.body.length;
		System.arraycopy(this.body, 0, out, HEADER_LENGTH, this.body.length);
		return out;
	}

	/**
	 * Decodes every package in a buffer, as Pomelo's own decoder does.
	 * @throws PomeloProtocolException when a type is unknown or a body runs past the end
	 */
	public static List<PomeloPackage> decodeAll(byte[] bytes) {
		List<PomeloPackage> packages = new ArrayList<>(1);
		int offset = 0;
		while (offset < bytes.length) {
			if (bytes.length - offset < HEADER_LENGTH) {
				throw new PomeloProtocolException("package header is truncated");
			}
			PackageType type = PackageType.of(bytes[offset] & 0xFF);
			if (type == null) {
				throw new PomeloProtocolException("unknown package type " + (bytes[offset] & 0xFF));
			}
			int length = bodyLength(bytes[offset + 1], bytes[offset + 2], bytes[offset + 3]);
			int start = offset + HEADER_LENGTH;
			if (start + length > bytes.length) {
				throw new PomeloProtocolException("package body is truncated: " + length + " bytes announced, "
						+ (bytes.length - start) + " present");
			}
			packages.add(new PomeloPackage(type, Arrays.copyOfRange(bytes, start, start + length)));
			offset = start + length;
		}
		return packages;
	}

	/**
	 * The 24-bit big-endian length in header bytes 1-3.
	 */
	public static int bodyLength(byte b1, byte b2, byte b3) {
		return ((b1 & 0xFF) << 16) | ((b2 & 0xFF) << 8) | (b3 & 0xFF);
	}

	@Override
	public boolean equals(Object other) {
		return other instanceof PomeloPackage that && this.type == that.type && Arrays.equals(this.body, that.body);
	}

	@Override
	public int hashCode() {
		return 31 * this.type.hashCode() + Arrays.hashCode(this.body);
	}

	@Override
	public String toString() {
		return "PomeloPackage[" + this.type + ", " + this.body.length + " bytes]";
	}

}
