package io.pomelo.gateway.relay;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.CharsetUtil;

import io.pomelo.gateway.route.BackendTarget;

/**
 * The opening handshake the gateway sends a backend as its WebSocket client: a fresh key,
 * the client's own application headers (cookies, User-Agent, Origin, ...), the
 * subprotocols and extensions the client offered, and the forwarding headers that name
 * the real client.
 */
final class BackendRequest {

	// Hop-by-hop headers, the client's own handshake headers (the gateway makes its own)
	// and the
	// forwarding headers the gateway sets itself.
	private static final Set<String> NOT_FORWARDED = Set.of("connection", "keep-alive", "proxy-authenticate",
			"proxy-authorization", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade", "host",
			"content-length", "sec-websocket-key", "sec-websocket-version", "sec-websocket-extensions",
			"sec-websocket-accept", "sec-websocket-protocol", "x-real-ip", "forwarded");

	private BackendRequest() {
	}

	/**
	 * Encodes the request.
	 * @param key the nonce for this handshake
	 * @param subprotocols the client's offer, or {@code null}
	 * @param extensions the extension offer to forward, or {@code null}
	 * @param forwarded X-Forwarded-For, X-Forwarded-Proto, X-Forwarded-Host and
	 * X-Real-IP, in that order
	 */
	static ByteBuf encode(ByteBufAllocator allocator, BackendTarget target, HttpHeaders client, String key,
			String subprotocols, String extensions, Forwarded forwarded) {
		ByteBuf out = allocator.buffer(512);
		ByteBufUtil.writeAscii(out, "GET ");
		out.writeCharSequence(target.requestPath(), CharsetUtil.ISO_8859_1);
		ByteBufUtil.writeAscii(out, " HTTP/1.1\r\nHost: ");
		ByteBufUtil.writeAscii(out, target.endpoint().hostHeader());
		ByteBufUtil.writeAscii(out, "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ");
		ByteBufUtil.writeAscii(out, key);
		ByteBufUtil.writeAscii(out, "\r\nSec-WebSocket-Version: 13\r\n");
		HandshakeResponses.header(out, "Sec-WebSocket-Protocol", subprotocols);
		HandshakeResponses.header(out, "Sec-WebSocket-Extensions", extensions);
		List<String> connectionTokens = client.getAll(HttpHeaderNames.CONNECTION);
		for (Map.Entry<String, String> header : client) {
			String name = header.getKey();
			String lower = name.toLowerCase(Locale.ROOT);
			if (!NOT_FORWARDED.contains(lower) && !lower.startsWith("x-forwarded-")
					&& !UpgradeRequest.hasToken(connectionTokens, lower)) {
				HandshakeResponses.header(out, name, header.getValue());
			}
		}
		HandshakeResponses.header(out, "X-Forwarded-For", forwarded.forwardedFor());
		HandshakeResponses.header(out, "X-Forwarded-Proto", forwarded.proto());
		HandshakeResponses.header(out, "X-Forwarded-Host", forwarded.host());
		HandshakeResponses.header(out, "X-Real-IP", forwarded.realIp());
		out.writeByte('\r').writeByte('\n');
		return out;
	}

	/**
	 * The forwarding headers of one handshake.
	 *
	 * @param forwardedFor the chain ending in the client (see the client address
	 * resolver)
	 * @param proto {@code https} when the client used TLS, else {@code http}
	 * @param host the Host the client asked for, or {@code null}
	 * @param realIp the client's address alone
	 */
	record Forwarded(String forwardedFor, String proto, String host, String realIp) {
	}

}
