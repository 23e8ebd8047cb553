package io.pomelo.gateway.relay;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

import io.netty.util.concurrent.FastThreadLocal;

/**
 * The nonce a WebSocket client sends and the accept value a server answers with (RFC 6455
 * 4.1 and 4.2.2). The gateway is a server to its client and a client to its backend, so
 * it needs both.
 */
final class WebSocketKeys {

	private static final byte[] GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11".getBytes(StandardCharsets.US_ASCII);

	// One digest per event loop: getInstance costs more than the hash itself.
	private static final FastThreadLocal<MessageDigest> SHA1 = new FastThreadLocal<>() {
		@Override
		protected MessageDigest initialValue() throws NoSuchAlgorithmException {
			return MessageDigest.getInstance("SHA-1");
		}
	};

	private WebSocketKeys() {
	}

	/** A fresh nonce for a backend handshake: base64 of 16 random bytes. */
	static String newKey() {
		byte[] nonce = new byte[16];
		ThreadLocalRandom.current().nextBytes(nonce);
		return Base64.getEncoder().encodeToString(nonce);
	}

	/** The {@code Sec-WebSocket-Accept} value that answers a key. */
	static String accept(String key) {
		MessageDigest sha1 = SHA1.get();
		sha1.reset();
		sha1.update(key.trim().getBytes(StandardCharsets.US_ASCII));
		sha1.update(GUID);
		return Base64.getEncoder().encodeToString(sha1.digest());
	}

}
