package io.pomelo.gateway.relay;

import io.netty.buffer.ByteBuf;

/**
 * Follows WebSocket frame boundaries in one direction's byte stream without decoding it:
 * it reads the 2 to 14 header bytes of each frame and skips its payload by count. The
 * bytes themselves are forwarded as they are, masked or not; the tracker only tells the
 * relay where frames begin and end, counts them, enforces the route's payload limit and
 * shows data payloads to the observer.
 * <p>
 * {@link #scan} normally consumes all it is given. It stops early, and says why in
 * {@link #stop()}, where the relay must act at an exact byte: after a close frame, before
 * a frame over the limit, or at the next frame boundary when the relay asked for one. One
 * instance per direction, on the session's event loop.
 */
final class FrameTracker {

	/** Why a {@link #scan} stopped where it did. */
	enum Stop {

		/** Nothing to act on: the whole range was consumed. */
		NONE,

		/** A close frame ended exactly at the returned position. */
		CLOSE,

		/**
		 * A frame over the payload limit begins at the returned position (see
		 * {@link #limitBrokeAFrame()}).
		 */
		TOO_BIG,

		/**
		 * The stream is at a frame boundary at the returned position, as
		 * {@link #stopAtBoundary()} asked.
		 */
		BOUNDARY,

		/**
		 * A frame with a reserved bit that no negotiated extension allows begins at the
		 * returned position (see {@link #limitBrokeAFrame()}).
		 */
		PROTOCOL_ERROR

	}

	private static final int OPCODE_CLOSE = 0x8;

	private static final int HEADER = 0;

	private static final int PAYLOAD = 1;

	// After a close frame or a refused frame nothing more of this stream is meaningful.
	private static final int ENDED = 2;

	private final Direction direction;

	private final long maxPayload;

	private final FrameObserver observer;

	// permessage-deflate was negotiated: RSV1 may mark the first frame of a message as
	// compressed.
	private final boolean compression;

	// The message in flight is compressed (RSV1 on its first frame); its continuations
	// are too.
	private boolean compressedMessage;

	private final FramePayload view = new FramePayload();

	// The header bytes read so far, 0-7 in the first and 8-13 in the second, lowest
	// byte first: two fields instead of an array, which an idle session would carry
	// twice.
	private long headerLow;

	private long headerHigh;

	private int state = HEADER;

	private int headerLength;

	private int headerNeed = 2;

	// Where the current frame's header began in the buffer being scanned, or -1 when it
	// began in an earlier one.
	private int frameStart;

	private int opcode;

	private boolean data;

	private int mask;

	private long remaining;

	private long payloadRead;

	private Stop stop = Stop.NONE;

	private boolean stopAtBoundary;

	private boolean limitBrokeAFrame;

	private int closeCode = CloseCodes.NO_STATUS;

	private int closeBytes;

	private long frames;

	private long bytes;

	FrameTracker(Direction direction, long maxPayload, FrameObserver observer) {
		this(direction, maxPayload, false, observer);
	}

	FrameTracker(Direction direction, long maxPayload, boolean compression, FrameObserver observer) {
		this.compression = compression;
		this.direction = direction;
		this.maxPayload = maxPayload;
		this.observer = observer;
	}

	/**
	 * Follows the bytes in {@code [from, to)} of {@code buffer} without changing its
	 * indexes.
	 * @return where it stopped: {@code to}, or an earlier position when {@link #stop()}
	 * is not {@link Stop#NONE}
	 */
	int scan(ByteBuf buffer, int from, int to) {
		this.stop = Stop.NONE;
		int position = from;
		this.frameStart = (this.state == HEADER && this.headerLength == 0) ? from : -1;
		while (position < to) {
			if (this.state == HEADER) {
				if (this.headerLength == 0) {
					if (this.stopAtBoundary) {
						this.stopAtBoundary = false;
						this.stop = Stop.BOUNDARY;
						return position;
					}
					this.frameStart = position;
				}
				position = readHeader(buffer, position, to);
				if (this.headerLength < this.headerNeed) {
					return position;
				}
				Stop refused = beginFrame();
				if (refused != Stop.NONE) {
					this.state = ENDED;
					this.stop = refused;
					this.limitBrokeAFrame = this.frameStart < 0;
					return (this.frameStart < 0) ? from : this.frameStart;
				}
				if (this.remaining == 0 && endFrame()) {
					return position;
				}
			}
			else if (this.state == PAYLOAD) {
				int count = (int) Math.min(this.remaining, to - position);
				payload(buffer, position, count);
				position += count;
				this.remaining -= count;
				if (this.remaining == 0 && endFrame()) {
					return position;
				}
			}
			else {
				return to;
			}
		}
		if (this.stopAtBoundary && atBoundary()) {
			// The frame in flight ended with this read: the close waiting for it must not
			// wait for another.
			this.stopAtBoundary = false;
			this.stop = Stop.BOUNDARY;
		}
		return position;
	}

	/** Why the last {@link #scan} stopped early, or {@link Stop#NONE}. */
	Stop stop() {
		return this.stop;
	}

	/** Whether the bytes scanned so far end exactly at a frame boundary. */
	boolean atBoundary() {
		return this.state == HEADER && this.headerLength == 0;
	}

	/**
	 * Asks the next {@link #scan} to stop with {@link #BOUNDARY} at the next frame
	 * boundary.
	 */
	void stopAtBoundary() {
		this.stopAtBoundary = true;
	}

	/**
	 * Whether the refused frame's header began in an earlier buffer, so part of it was
	 * already forwarded and the receiving side is no longer at a frame boundary.
	 */
	boolean limitBrokeAFrame() {
		return this.limitBrokeAFrame;
	}

	/** The code of the close frame this stream sent, or 1005 when it had none. */
	int closeCode() {
		return this.closeCode;
	}

	/** Frames begun since the last call; resets the count. */
	long takeFrames() {
		long frames = this.frames;
		this.frames = 0;
		return frames;
	}

	/** Payload bytes passed since the last call; resets the count. */
	long takeBytes() {
		long bytes = this.bytes;
		this.bytes = 0;
		return bytes;
	}

	private void putHeaderByte(int index, byte value) {
		if (index < 8) {
			this.headerLow |= (value & 0xFFL) << (index * 8);
		}
		else {
			this.headerHigh |= (value & 0xFFL) << ((index - 8) * 8);
		}
	}

	private int headerByte(int index) {
		long bytes = (index < 8) ? this.headerLow >>> (index * 8) : this.headerHigh >>> ((index - 8) * 8);
		return (int) (bytes & 0xFF);
	}

	private void clearHeader() {
		this.headerLength = 0;
		this.headerNeed = 2;
		this.headerLow = 0;
		this.headerHigh = 0;
	}

	private int readHeader(ByteBuf buffer, int position, int to) {
		while (position < to && this.headerLength < this.headerNeed) {
			putHeaderByte(this.headerLength++, buffer.getByte(position++));
			if (this.headerLength == 2) {
				int length = headerByte(1) & 0x7F;
				int extended = (length == 126) ? 2 : (length == 127) ? 8 : 0;
				this.headerNeed = 2 + extended + (((headerByte(1) & 0x80) != 0) ? 4 : 0);
			}
		}
		return position;
	}

	/**
	 * Reads the complete header.
	 * @return {@link Stop#NONE}, or why the frame may not pass
	 */
	private Stop beginFrame() {
		boolean fin = (headerByte(0) & 0x80) != 0;
		this.opcode = headerByte(0) & 0x0F;
		int reserved = headerByte(0) & 0x70;
		boolean startsMessage = this.opcode == FrameObserver.TEXT || this.opcode == FrameObserver.BINARY;
		// RFC 7692 7.2.3.1: RSV1 on the first frame of a message, and only when deflate
		// was negotiated.
		if (reserved != 0 && !(reserved == 0x40 && this.compression && startsMessage)) {
			clearHeader();
			return Stop.PROTOCOL_ERROR;
		}
		if (startsMessage) {
			this.compressedMessage = reserved != 0;
		}
		int length = headerByte(1) & 0x7F;
		int at = 2;
		long payload = length;
		if (length == 126) {
			payload = ((headerByte(2) & 0xFF) << 8) | (headerByte(3) & 0xFF);
			at = 4;
		}
		else if (length == 127) {
			payload = 0;
			for (int i = 0; i < 8; i++) {
				payload = (payload << 8) | (headerByte(2 + i) & 0xFF);
			}
			at = 10;
		}
		this.mask = ((headerByte(1) & 0x80) != 0) ? ((headerByte(at) & 0xFF) << 24 | (headerByte(at + 1) & 0xFF) << 16
				| (headerByte(at + 2) & 0xFF) << 8 | (headerByte(at + 3) & 0xFF)) : 0;
		clearHeader();
		if (payload < 0 || payload > this.maxPayload) {
			return Stop.TOO_BIG;
		}
		this.remaining = payload;
		this.payloadRead = 0;
		this.state = PAYLOAD;
		this.data = this.opcode <= FrameObserver.BINARY;
		if (this.opcode == OPCODE_CLOSE) {
			this.closeBytes = 0;
			this.closeCode = 0;
		}
		else {
			this.frames++;
			if (this.data) {
				this.observer.frameStart(this.direction, this.opcode, fin, this.compressedMessage, payload);
			}
		}
		return Stop.NONE;
	}

	private void payload(ByteBuf buffer, int position, int count) {
		int phase = (int) (this.payloadRead & 3);
		if (this.opcode == OPCODE_CLOSE) {
			// The status code is the first two payload bytes; the reason is not needed.
			for (int i = 0; i < count && this.closeBytes < 2; i++, this.closeBytes++) {
				int b = (buffer.getByte(position + i) ^ (this.mask >>> (24 - 8 * ((phase + i) & 3)))) & 0xFF;
				this.closeCode = (this.closeCode << 8) | b;
			}
		}
		else {
			this.bytes += count;
			if (this.data && count > 0) {
				this.observer.payload(this.direction, this.view.set(buffer, position, count, this.mask, phase));
			}
		}
		this.payloadRead += count;
	}

	/**
	 * Ends the current frame.
	 * @return whether the scan must stop here because it was a close frame
	 */
	private boolean endFrame() {
		this.state = HEADER;
		if (this.opcode == OPCODE_CLOSE) {
			if (this.closeBytes < 2) {
				this.closeCode = CloseCodes.NO_STATUS;
			}
			this.state = ENDED;
			this.stop = Stop.CLOSE;
			return true;
		}
		if (this.data) {
			this.observer.frameEnd(this.direction);
		}
		return false;
	}

}
