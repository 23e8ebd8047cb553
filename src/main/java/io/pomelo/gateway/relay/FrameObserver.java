package io.pomelo.gateway.relay;

/**
 * Watches the data frames of one session as their bytes stream through the relay, on the
 * session's event loop, before they are forwarded. The relay never decodes frames: it
 * follows their boundaries in the byte stream and hands an observer the payload as it
 * arrives, in pieces whose size depends on how TCP delivered it. An observer must not
 * block and must not keep a {@link FramePayload} past the call that gave it.
 * <p>
 * Per direction the calls come in the order {@code frameStart}, zero or more
 * {@code payload}, {@code frameEnd}. Control frames (ping, pong, close) are not shown:
 * they carry no application data.
 * <p>
 * When a session negotiated permessage-deflate (RFC 7692), a message may be compressed:
 * its frames are shown with {@code compressed} set, and their payload is the deflated
 * bytes as on the wire. An observer that reads application bytes inflates them or skips
 * the message.
 */
public interface FrameObserver {

	/**
	 * A continuation frame: more of the message that the last text or binary frame began.
	 */
	int CONTINUATION = 0x0;

	/** A text frame. */
	int TEXT = 0x1;

	/** A binary frame. */
	int BINARY = 0x2;

	/** An observer that does nothing. */
	FrameObserver NONE = new FrameObserver() {
	};

	/**
	 * A data frame begins.
	 * @param direction which way the frame travels
	 * @param opcode {@link #TEXT}, {@link #BINARY} or {@link #CONTINUATION}
	 * @param fin whether this frame ends its message
	 * @param compressed whether the frame belongs to a message compressed with
	 * permessage-deflate
	 * @param length the frame's payload length on the wire
	 */
	default void frameStart(Direction direction, int opcode, boolean fin, boolean compressed, long length) {
	}

	/** The next bytes of the current frame's payload, unmasked. */
	default void payload(Direction direction, FramePayload bytes) {
	}

	/** The current frame's payload is complete. */
	default void frameEnd(Direction direction) {
	}

	/** The session ended; release any per-session state. */
	default void closed() {
	}

}
