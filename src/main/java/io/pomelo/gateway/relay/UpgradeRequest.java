package io.pomelo.gateway.relay;

import java.util.List;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;

/**
 * Checks a client's opening handshake as a WebSocket server must (RFC 6455 section 4.2.1)
 * before the gateway spends anything on it: a GET on HTTP/1.1 or later with a Host,
 * {@code Upgrade: websocket} and {@code Connection: upgrade} as tokens in any case, a
 * {@code Sec-WebSocket-Key} that is base64 of exactly 16 bytes,
 * {@code Sec-WebSocket-Version: 13}, and no body.
 */
final class UpgradeRequest {

	/** What the check found. */
	enum Verdict {

		/** A valid WebSocket upgrade. */
		VALID(null, null),

		/** No {@code Upgrade: websocket}: a plain HTTP request. */
		NOT_AN_UPGRADE(RefusalReason.NOT_WEBSOCKET, "this path only serves WebSocket upgrades"),

		/** An upgrade with a method other than GET. */
		NOT_GET(RefusalReason.METHOD_NOT_ALLOWED, "a WebSocket upgrade must be a GET"),

		/** An upgrade on HTTP/1.0. */
		OLD_HTTP(RefusalReason.BAD_REQUEST, "a WebSocket upgrade needs HTTP/1.1"),

		/** No Host header. */
		NO_HOST(RefusalReason.BAD_REQUEST, "a WebSocket upgrade needs a Host header"),

		/** {@code Connection} lacks the {@code upgrade} token. */
		NO_CONNECTION_UPGRADE(RefusalReason.BAD_REQUEST, "Connection must include the token upgrade"),

		/** A missing, repeated or malformed {@code Sec-WebSocket-Key}. */
		BAD_KEY(RefusalReason.BAD_REQUEST, "Sec-WebSocket-Key must be base64 of 16 bytes"),

		/** A version other than 13, or none. */
		BAD_VERSION(RefusalReason.UNSUPPORTED_VERSION, "only Sec-WebSocket-Version 13 is supported"),

		/** A request body, which an upgrade must not have. */
		HAS_BODY(RefusalReason.BAD_REQUEST, "a WebSocket upgrade must not have a body");

		private final RefusalReason reason;

		private final String message;

		Verdict(RefusalReason reason, String message) {
			this.reason = reason;
			this.message = message;
		}

		/** The refusal for an invalid request; {@code null} for {@link #VALID}. */
		HandshakeRefusal refusal() {
			return (this.reason != null) ? HandshakeRefusal.of(this.reason, this.message) : null;
		}

	}

	private static final String VERSION = "13";

	private UpgradeRequest() {
	}

	static Verdict check(HttpRequest request) {
		HttpHeaders headers = request.headers();
		if (!hasToken(headers.getAll(HttpHeaderNames.UPGRADE), "websocket")) {
			return Verdict.NOT_AN_UPGRADE;
		}
		if (!HttpMethod.GET.equals(request.method())) {
			return Verdict.NOT_GET;
		}
		HttpVersion version = request.protocolVersion();
		if (version.majorVersion() < 1 || (version.majorVersion() == 1 && version.minorVersion() < 1)) {
			return Verdict.OLD_HTTP;
		}
		if (!headers.contains(HttpHeaderNames.HOST)) {
			return Verdict.NO_HOST;
		}
		if (!hasToken(headers.getAll(HttpHeaderNames.CONNECTION), "upgrade")) {
			return Verdict.NO_CONNECTION_UPGRADE;
		}
		List<String> keys = headers.getAll(HttpHeaderNames.SEC_WEBSOCKET_KEY);
		if (keys.size() != 1 || !isKey(keys.get(0))) {
			return Verdict.BAD_KEY;
		}
		if (!VERSION.equals(headers.get(HttpHeaderNames.SEC_WEBSOCKET_VERSION))) {
			return Verdict.BAD_VERSION;
		}
		String length = headers.get(HttpHeaderNames.CONTENT_LENGTH);
		if ((length != null && !"0".equals(length.trim())) || headers.contains(HttpHeaderNames.TRANSFER_ENCODING)) {
			return Verdict.HAS_BODY;
		}
		return Verdict.VALID;
	}

	/**
	 * Whether a comma-separated header holds the token, compared without regard to case.
	 */
	static boolean hasToken(List<String> values, String token) {
		for (String value : values) {
			int from = 0;
			while (from <= value.length()) {
				int comma = value.indexOf(',', from);
				int end = (comma < 0) ? value.length() : comma;
				int start = from;
				while (start < end && (value.charAt(start) == ' ' || value.charAt(start) == '\t')) {
					start++;
				}
				int stop = end;
				while (stop > start && (value.charAt(stop - 1) == ' ' || value.charAt(stop - 1) == '\t')) {
					stop--;
				}
				if (stop - start == token.length() && value.regionMatches(true, start, token, 0, token.length())) {
					return true;
				}
				if (comma < 0) {
					break;
				}
				from = comma + 1;
			}
		}
		return false;
	}

	/**
	 * Whether a key is base64 of exactly 16 bytes: 22 base64 characters, the last of
	 * which carries only 2 bits (A, Q, g or w), then "==".
	 */
	static boolean isKey(String key) {
		String trimmed = key.trim();
		if (trimmed.length() != 24 || trimmed.charAt(22) != '=' || trimmed.charAt(23) != '=') {
			return false;
		}
		for (int i = 0; i < 22; i++) {
			char c = trimmed.charAt(i);
			boolean base64 = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+'
					|| c == '/';
			if (!base64) {
				return false;
			}
		}
		char last = trimmed.charAt(21);
		return last == 'A' || last == 'Q' || last == 'g' || last == 'w';
	}

}
