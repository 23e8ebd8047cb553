package io.pomelo.gateway.relay;

import java.net.ConnectException;
import java.util.concurrent.TimeoutException;

import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakeException;
import org.springframework.http.HttpStatus;

/**
 * Why a client's upgrade was answered with an error instead of 101, in the form the client receives
 * and the form metrics count.
 *
 * @param status the HTTP status sent to the client
 * @param reason a short, bounded reason tag for metrics, such as {@code backend_unreachable}
 * @param message a one-line explanation sent as the response body
 */
public record HandshakeFailure(HttpStatus status, String reason, String message) {

	/** The backend could not be reached: refused, unroutable, or no TCP connection in time. */
	public static final String BACKEND_UNREACHABLE = "backend_unreachable";

	/** The backend answered the upgrade with something other than 101. */
	public static final String BACKEND_REFUSED = "backend_refused";

	/** The backend accepted TCP but did not finish its handshake in time. */
	public static final String TIMEOUT = "timeout";

	/** The route is at its connection limit. */
	public static final String OVER_LIMIT = "over_limit";

	/** The gateway is draining for shutdown. */
	public static final String SHUTTING_DOWN = "shutting_down";

	/** The request on a WebSocket route was not a WebSocket upgrade. */
	public static final String NOT_WEBSOCKET = "not_websocket";

	/**
	 * Classifies an error from the backend connect and handshake.
	 */
	public static HandshakeFailure fromBackendError(Throwable error) {
		if (error instanceof WebSocketClientHandshakeException handshake && handshake.response() != null) {
			int code = handshake.response().status().code();
			// A backend's 4xx is the backend's answer to this client; mirror it. Anything else is our problem.
			HttpStatus status = (code >= 400 && code < 500) ? HttpStatus.valueOf(code) : HttpStatus.BAD_GATEWAY;
			return new HandshakeFailure(status, BACKEND_REFUSED, "backend refused the WebSocket upgrade with " + code);
		}
		if (error instanceof ConnectTimeoutException) {
			return new HandshakeFailure(HttpStatus.BAD_GATEWAY, BACKEND_UNREACHABLE, "backend did not accept a connection in time");
		}
		if (error instanceof ConnectException) {
			return new HandshakeFailure(HttpStatus.BAD_GATEWAY, BACKEND_UNREACHABLE, "backend unreachable: connection refused");
		}
		if (error instanceof TimeoutException) {
			return new HandshakeFailure(HttpStatus.GATEWAY_TIMEOUT, TIMEOUT, "backend did not complete the WebSocket handshake in time");
		}
		return new HandshakeFailure(HttpStatus.BAD_GATEWAY, BACKEND_UNREACHABLE, "backend unreachable: " + error.getClass().getSimpleName());
	}

}
