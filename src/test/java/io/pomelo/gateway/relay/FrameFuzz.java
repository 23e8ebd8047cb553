package io.pomelo.gateway.relay;

import java.io.ByteArrayOutputStream;
import java.util.Random;

/**
 * Seeded generators of hostile WebSocket byte streams: valid frames of every length
 * class, masked or not, reserved bits and opcodes, fragments, 2^63 lengths, data after a
 * close, truncated headers and plain garbage, and mutations of all of them. The seed is
 * all it takes to replay a case.
 */
final class FrameFuzz {

	private static final int[] LENGTHS = { 0, 1, 5, 125, 126, 127, 200, 65535, 65536, 70000 };

	private FrameFuzz() {
	}

	/**
	 * One direction's bytes: several pieces, each a frame, a broken frame or garbage,
	 * then maybe mutated.
	 */
	static byte[] stream(Random random, boolean fromClient) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		int pieces = 1 + random.nextInt(8);
		for (int i = 0; i < pieces; i++) {
			byte[] piece = switch (random.nextInt(10)) {
				case 0 -> garbage(random);
				case 1 -> hugeLength(random, fromClient);
				case 2 -> truncated(frame(random, fromClient), random);
				case 3 -> close(random, fromClient);
				default -> frame(random, fromClient);
			};
			out.write(piece, 0, piece.length);
		}
		byte[] bytes = out.toByteArray();
		if (bytes.length > 0 && random.nextInt(4) == 0) {
			// A few flipped bits anywhere: headers, lengths, masks or payload.
			for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
				bytes[random.nextInt(bytes.length)] ^= (byte) (1 << random.nextInt(8));
			}
		}
		return bytes;
	}

	private static byte[] frame(Random random, boolean fromClient) {
		int opcode = switch (random.nextInt(8)) {
			case 0 -> 0x0;
			case 1, 2 -> 0x1;
			case 3, 4 -> 0x2;
			case 5 -> 0x9;
			case 6 -> 0xA;
			default -> 3 + random.nextInt(13);
		};
		boolean control = opcode >= 0x8;
		int length = control ? random.nextInt(126) : LENGTHS[random.nextInt(LENGTHS.length)];
		byte[] payload = new byte[length];
		random.nextBytes(payload);
		boolean masked = fromClient ? random.nextInt(10) != 0 : random.nextInt(10) == 0;
		byte[] wire = WireFeed.encode(opcode, random.nextInt(4) != 0, payload, masked, random);
		if (random.nextInt(8) == 0) {
			wire[0] |= (byte) ((1 + random.nextInt(7)) << 4); // reserved bits
		}
		return wire;
	}

	private static byte[] close(Random random, boolean fromClient) {
		byte[] reason = new byte[random.nextInt(20)];
		random.nextBytes(reason);
		byte[] payload = new byte[2 + reason.length];
		int code = 1000 + random.nextInt(4000);
		payload[0] = (byte) (code >> 8);
		payload[1] = (byte) code;
		System.arraycopy(reason, 0, payload, 2, reason.length);
		return WireFeed.encode(0x8, true, payload, fromClient, random);
	}

	private static byte[] hugeLength(Random random, boolean fromClient) {
		byte[] header = new byte[fromClient ? 14 : 10];
		header[0] = (byte) (0x80 | 0x2);
		header[1] = (byte) ((fromClient ? 0x80 : 0) | 127);
		header[2] = (byte) (random.nextBoolean() ? 0x7F : 0xFF); // 2^63 - 1, or a
																	// negative 64-bit
																	// length
		for (int i = 3; i < 10; i++) {
			header[i] = (byte) 0xFF;
		}
		return header;
	}

	private static byte[] truncated(byte[] frame, Random random) {
		int keep = (frame.length <= 1) ? frame.length : 1 + random.nextInt(Math.min(frame.length - 1, 13));
		byte[] cut = new byte[keep];
		System.arraycopy(frame, 0, cut, 0, keep);
		return cut;
	}

	private static byte[] garbage(Random random) {
		byte[] bytes = new byte[1 + random.nextInt(300)];
		random.nextBytes(bytes);
		return bytes;
	}

}
