package io.pomelo.gateway.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/**
 * Calls the admin API on a gateway's management port with HTTP basic credentials.
 */
public final class AdminClient {

	/** What came back: status, ETag (or null) and body. */
	public record Reply(int status, String etag, String body) {
	}

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private final String base;

	private final String authorization;

	public AdminClient(int managementPort, String user, String password) {
		this.base = "http://127.0.0.1:" + managementPort;
		this.authorization = "Basic "
				+ Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
	}

	public Reply get(String path) {
		return send(request(path).GET());
	}

	/** POST a JSON body. */
	public Reply post(String path, String json) {
		return send(request(path).header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(json)));
	}

	/** PUT a JSON body with If-Match. */
	public Reply put(String path, String ifMatch, String json) {
		return send(request(path).header("Content-Type", "application/json")
			.header("If-Match", ifMatch)
			.PUT(HttpRequest.BodyPublishers.ofString(json)));
	}

	/** DELETE with If-Match. */
	public Reply delete(String path, String ifMatch) {
		return send(request(path).header("If-Match", ifMatch).DELETE());
	}

	private HttpRequest.Builder request(String path) {
		return HttpRequest.newBuilder(URI.create(this.base + path))
			.timeout(Duration.ofSeconds(10))
			.header("Authorization", this.authorization);
	}

	private Reply send(HttpRequest.Builder request) {
		try {
			HttpResponse<String> response = this.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
			return new Reply(response.statusCode(), response.headers().firstValue("ETag").orElse(null),
					response.body());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

}
