package io.pomelo.gateway.relay;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.CharsetUtil;

/**
 * The bytes of the HTTP answers the gateway gives a client's upgrade: the 101 that starts
 * the tunnel and the error that refuses it. They are written as bytes straight after TLS,
 * because the HTTP codec has already left the pipeline by then: the first bytes after a
 * 101 are WebSocket frames.
 */
final class HandshakeResponses {

	private HandshakeResponses() {
	}

	/**
	 * The 101 for a client, with the subprotocol and extensions the backend chose.
	 * @param accept the {@code Sec-WebSocket-Accept} for the client's key
	 * @param subprotocol the backend's choice, or {@code null}
	 * @param extensions the backend's answer, or {@code null}
	 */
	static ByteBuf switchingProtocols(ByteBufAllocator allocator, String accept, String subprotocol,
			String extensions) {
		ByteBuf out = allocator.buffer(160);
		ByteBufUtil.writeAscii(out, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
				+ "Sec-WebSocket-Accept: ");
		ByteBufUtil.writeAscii(out, accept);
		out.writeByte('\r').writeByte('\n');
		header(out, "Sec-WebSocket-Protocol", subprotocol);
		header(out, "Sec-WebSocket-Extensions", extensions);
		out.writeByte('\r').writeByte('\n');
		return out;
	}

	/**
	 * An error answer that ends the connection: status, a one-line text body, and
	 * {@code X-Pomelo-Gateway-Error} with the reason's tag. A 426 says which upgrade the
	 * port speaks.
	 */
	static ByteBuf refusal(ByteBufAllocator allocator, HandshakeRefusal refusal) {
		byte[] body = (refusal.message() + "\n").getBytes(StandardCharsets.UTF_8);
		ByteBuf out = allocator.buffer(256 + body.length);
		ByteBufUtil.writeAscii(out, "HTTP/1.1 ");
		ByteBufUtil.writeAscii(out, HttpResponseStatus.valueOf(refusal.status()).toString());
		ByteBufUtil.writeAscii(out, "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ");
		ByteBufUtil.writeAscii(out, Integer.toString(body.length));
		ByteBufUtil.writeAscii(out, "\r\nConnection: close\r\nX-Pomelo-Gateway-Error: ");
		ByteBufUtil.writeAscii(out, refusal.reason().tag());
		out.writeByte('\r').writeByte('\n');
		if (refusal.status() == 426) {
			ByteBufUtil.writeAscii(out, "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n");
		}
		if (refusal.retryAfterSeconds() > 0) {
			header(out, "Retry-After", Long.toString(refusal.retryAfterSeconds()));
		}
		out.writeByte('\r').writeByte('\n');
		out.writeBytes(body);
		return out;
	}

	/**
	 * Writes one header line when the value is present; header values keep their bytes
	 * (ISO-8859-1).
	 */
	static void header(ByteBuf out, String name, CharSequence value) {
		if (value == null) {
			return;
		}
		ByteBufUtil.writeAscii(out, name);
		out.writeByte(':').writeByte(' ');
		out.writeCharSequence(value, CharsetUtil.ISO_8859_1);
		out.writeByte('\r').writeByte('\n');
	}

}
