package io.pomelo.gateway.relay;

import io.netty.handler.codec.http.websocketx.WebSocketFrame;

/**
 * Watches the frames of one session as they pass, on the event loop, before they are forwarded. An
 * observer reads payloads in place: it must not retain, release, modify or move the reader index of a
 * frame, and must not block.
 */
public interface FrameObserver {

	/** An observer that does nothing. */
	FrameObserver NONE = new FrameObserver() {
	};

	/** A frame from the client on its way to the backend. */
	default void clientFrame(WebSocketFrame frame) {
	}

	/** A frame from the backend on its way to the client. */
	default void backendFrame(WebSocketFrame frame) {
	}

	/** The session ended; release any per-session state. */
	default void closed() {
	}

}
