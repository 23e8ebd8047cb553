package io.pomelo.gateway.support;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import io.netty.handler.ssl.SslContext;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * Sends one raw HTTP GET, optionally as a WebSocket upgrade, and reports status, headers
 * and body; for checking what the gateway answers when it refuses an upgrade.
 */
public final class HttpProbe {

	/** What came back. */
	public record Response(int status, Map<String, String> headers, String body) {
	}

	private HttpProbe() {
	}

	/** A GET with the WebSocket upgrade headers. */
	public static Response upgrade(URI uri, SslContext ssl) {
		return get(uri, ssl, Map.of("Connection", "Upgrade", "Upgrade", "websocket", "Sec-WebSocket-Version", "13",
				"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="));
	}

	/** A GET with these headers. */
	public static Response get(URI uri, SslContext ssl, Map<String, String> headers) {
		HttpClient client = HttpClient.create(ConnectionProvider.newConnection());
		if (ssl != null) {
			client = client.secure((spec) -> spec.sslContext(ssl));
		}
		return client.headers((h) -> headers.forEach(h::set))
			.get()
			.uri(uri)
			.responseSingle((response, body) -> body.asString(StandardCharsets.UTF_8)
				.defaultIfEmpty("")
				.map((text) -> new Response(response.status().code(), toMap(response.responseHeaders()), text)))
			.block(Duration.ofSeconds(15));
	}

	private static Map<String, String> toMap(io.netty.handler.codec.http.HttpHeaders headers) {
		java.util.Map<String, String> map = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
		headers.forEach((e) -> map.put(e.getKey(), e.getValue()));
		return map;
	}

}
