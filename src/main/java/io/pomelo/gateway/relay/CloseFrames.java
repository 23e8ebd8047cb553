package io.pomelo.gateway.relay;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Writes the close frames the gateway sends on its own account. Toward a backend the
 * gateway is the client, so its frames must be masked; toward a client it is the server,
 * so they must not be (RFC 6455 5.1).
 */
final class CloseFrames {

	// A control frame's payload is at most 125 bytes: 2 for the code, the rest for the
	// reason.
	private static final int MAX_REASON = 123;

	private CloseFrames() {
	}

	static ByteBuf encode(ByteBufAllocator allocator, int code, String reason, boolean masked) {
		byte[] text = reason.getBytes(StandardCharsets.UTF_8);
		int reasonLength = Math.min(text.length, MAX_REASON);
		while (reasonLength < text.length && reasonLength > 0 && (text[reasonLength] & 0xC0) == 0x80) {
			reasonLength--; // never cut a UTF-8 sequence in two
		}
		int payloadLength = 2 + reasonLength;
		ByteBuf frame = allocator.buffer(2 + (masked ? 4 : 0) + payloadLength);
		frame.writeByte(0x88); // FIN + close
		frame.writeByte((masked ? 0x80 : 0) | payloadLength);
		int mask = masked ? ThreadLocalRandom.current().nextInt() : 0;
		if (masked) {
			frame.writeInt(mask);
		}
		byte[] payload = new byte[payloadLength];
		payload[0] = (byte) (code >> 8);
		payload[1] = (byte) code;
		System.arraycopy(text, 0, payload, 2, reasonLength);
		for (int i = 0; i < payloadLength; i++) {
			frame.writeByte(payload[i] ^ (mask >>> (24 - 8 * (i & 3))));
		}
		return frame;
	}

}
