package io.pomelo.gateway.relay;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;

/**
 * One direction of a tunnel: the bytes received from one socket (the source) and sent to
 * the other (the sink), with the frame tracker that follows them. It forwards each read
 * as it came, one write per read and one flush per read batch, and stops exactly where
 * the tunnel has to act: after a close frame, before a frame over the limit, or at the
 * boundary the gateway's own close waits for.
 */
final class Flow {

	private final Tunnel tunnel;

	private final Direction direction;

	private final FrameTracker tracker;

	private TunnelEnd source;

	private TunnelEnd sink;

	// Whether received bytes still go to the sink.
	private boolean forwarding = true;

	// Whether there are writes to the sink that the end of the read batch must flush.
	private boolean unflushed;

	// Whether the sink has been sent a close frame (forwarded or the gateway's), or is
	// being closed.
	private boolean closeSent;

	// A close of the gateway's own, to be written to the sink at the next frame boundary.
	private int pendingCode;

	private String pendingReason;

	Flow(Tunnel tunnel, Direction direction, int maxFramePayload, boolean compressed, FrameObserver observer) {
		this.tunnel = tunnel;
		this.direction = direction;
		this.tracker = new FrameTracker(direction, maxFramePayload, compressed, observer);
	}

	void connect(TunnelEnd source, TunnelEnd sink) {
		this.source = source;
		this.sink = sink;
	}

	Direction direction() {
		return this.direction;
	}

	TunnelEnd source() {
		return this.source;
	}

	TunnelEnd sink() {
		return this.sink;
	}

	boolean forwarding() {
		return this.forwarding;
	}

	boolean closeSent() {
		return this.closeSent;
	}

	boolean atBoundary() {
		return this.tracker.atBoundary();
	}

	boolean hasPendingClose() {
		return this.pendingReason != null;
	}

	/**
	 * Follows and forwards one read from the source. Takes ownership of the buffer.
	 */
	void received(ByteBuf in) {
		int from = in.readerIndex();
		int to = in.writerIndex();
		boolean handedOver = false;
		try {
			int forwardFrom = from;
			int position = from;
			do {
				position = this.tracker.scan(in, position, to);
				FrameTracker.Stop stop = this.tracker.stop();
				if (this.forwarding && position > forwardFrom && !this.sink.inactive()) {
					ChannelHandlerContext out = this.sink.context();
					if (forwardFrom == from && position == to) {
						out.write(in, out.voidPromise());
						handedOver = true;
					}
					else {
						out.write(in.retainedSlice(forwardFrom, position - forwardFrom), out.voidPromise());
					}
					this.unflushed = true;
				}
				forwardFrom = position;
				if (stop == FrameTracker.Stop.NONE) {
					break;
				}
				act(stop);
			}
			while (position < to);
		}
		finally {
			if (!handedOver) {
				in.release();
			}
			this.tunnel.session().count(this.direction, this.tracker.takeFrames(), this.tracker.takeBytes());
		}
	}

	private void act(FrameTracker.Stop stop) {
		switch (stop) {
			case CLOSE -> this.tunnel.closeFrameReceived(this, this.tracker.closeCode());
			case TOO_BIG -> this.tunnel.frameRefused(this, this.tracker.limitBrokeAFrame(), CloseCodes.MESSAGE_TOO_BIG,
					"message too big");
			case PROTOCOL_ERROR -> this.tunnel.frameRefused(this, this.tracker.limitBrokeAFrame(),
					CloseCodes.PROTOCOL_ERROR, "reserved bit set");
			case BOUNDARY -> this.tunnel.boundaryReached(this);
			default -> throw new IllegalStateException("unexpected tracker stop " + stop);
		}
	}

	/** Flushes what this read batch wrote to the sink. */
	void flush() {
		if (this.unflushed) {
			this.unflushed = false;
			this.sink.context().flush();
		}
	}

	/** Received bytes are no longer sent to the sink. */
	void stopForwarding() {
		this.forwarding = false;
	}

	/**
	 * The source's close frame was the last thing forwarded: the sink has its close, and
	 * nothing more is forwarded.
	 */
	void closeForwarded() {
		if (this.forwarding && !this.sink.inactive()) {
			this.closeSent = true;
		}
		this.forwarding = false;
		flush();
	}

	/**
	 * Writes a close frame of the gateway's own to the sink, after what was forwarded so
	 * far.
	 */
	void sendCloseFrame(int code, String reason) {
		flush();
		this.closeSent = true;
		this.forwarding = false;
		this.pendingReason = null;
		ChannelHandlerContext out = this.sink.context();
		out.writeAndFlush(CloseFrames.encode(out.alloc(), code, reason, this.sink.masked()), out.voidPromise());
	}

	/** The sink's socket is about to close: nothing more is sent to it. */
	void endWithSocketClose() {
		flush();
		this.closeSent = true;
		this.forwarding = false;
	}

	/**
	 * Keeps the gateway's close until the stream to the sink reaches a frame boundary.
	 */
	void closeAtBoundary(int code, String reason) {
		this.pendingCode = code;
		this.pendingReason = reason;
		this.tracker.stopAtBoundary();
	}

	/** Writes the close that waited for this boundary, if the sink can still take it. */
	void sendPendingClose() {
		if (this.pendingReason != null && !this.closeSent && !this.sink.inactive()) {
			sendCloseFrame(this.pendingCode, this.pendingReason);
		}
	}

}
