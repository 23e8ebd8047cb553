package io.pomelo.gateway.relay;

import java.net.ConnectException;

import io.netty.channel.ConnectTimeoutException;

/**
 * One refused upgrade as the client receives it.
 *
 * @param reason why, with its metric tag
 * @param status the HTTP status sent; usually the reason's, but a backend's 4xx is
 * mirrored
 * @param message a one-line explanation sent as the response body
 * @param retryAfterSeconds the Retry-After header's value, or 0 for none
 */
public record HandshakeRefusal(RefusalReason reason, int status, String message, long retryAfterSeconds) {

	/** A refusal with the reason's own status and no Retry-After. */
	public static HandshakeRefusal of(RefusalReason reason, String message) {
		return new HandshakeRefusal(reason, reason.status(), message, 0);
	}

	/** Classifies a failure to connect to the backend. */
	static HandshakeRefusal connectFailed(Throwable error) {
		if (error instanceof ConnectTimeoutException) {
			return of(RefusalReason.BACKEND_UNREACHABLE, "backend did not accept a connection in time");
		}
		if (error instanceof ConnectException) {
			return of(RefusalReason.BACKEND_UNREACHABLE, "backend unreachable: connection refused");
		}
		return of(RefusalReason.BACKEND_UNREACHABLE, "backend unreachable: " + error.getClass().getSimpleName());
	}

	/**
	 * The backend answered with a status other than 101: a 4xx is the backend's answer to
	 * this client and is mirrored, anything else is the gateway's problem and becomes
	 * 502.
	 */
	static HandshakeRefusal backendAnswered(int code) {
		int status = (code >= 400 && code < 500) ? code : 502;
		return new HandshakeRefusal(RefusalReason.BACKEND_REFUSED, status,
				"backend refused the WebSocket upgrade with " + code, 0);
	}

}
