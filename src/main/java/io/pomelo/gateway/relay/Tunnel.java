package io.pomelo.gateway.relay;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.websocketx.Utf8FrameValidator;
import io.netty.handler.codec.http.websocketx.WebSocketFrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketFrameEncoder;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.NettyPipeline;

/**
 * Relays one session after both handshakes as a byte tunnel, the way nginx does: Netty's WebSocket
 * codecs leave both pipelines, and each side's bytes go to the other as they were read, one write per
 * read and one flush per read batch. Client frames stay masked and backend frames unmasked, which is
 * exactly what each receiver expects, so close frames pass with their code and reason intact.
 * <p>
 * A {@link FrameTracker} per direction follows frame boundaries without decoding, which keeps the
 * route's payload limit (1009), the frame counters and the observers. The gateway writes a frame of its
 * own only at a boundary: the close that replaces a peer that dropped (1011 toward the client, 1001
 * toward the backend), and the closes of an operator, a drain or the idle sweeper.
 * <p>
 * Both channels live on one event loop, so nothing here needs a lock; calls from other threads hop
 * onto that loop.
 */
final class Tunnel {

	static final String NAME = "pomelo-gateway-tunnel";

	private static final Log logger = LogFactory.getLog(Tunnel.class);

	// How long the gateway waits for the close handshake to finish before it closes the sockets itself.
	private static final long CLOSE_GRACE_MILLIS = 5_000;

	private final RelaySession session;

	private final FrameObserver observer;

	private final Runnable onEnd;

	private final End client;

	private final End backend;

	private final Sinks.Empty<Void> ended = Sinks.empty();

	private ScheduledFuture<?> closeTimer;

	private boolean finished;

	private Tunnel(RelaySession session, FrameObserver observer, Runnable onEnd, Channel client, Channel backend,
			int maxFramePayload) {
		this.session = session;
		this.observer = observer;
		this.onEnd = onEnd;
		this.client = new End(Side.CLIENT, client, FrameObserver.UP, false, maxFramePayload);
		this.backend = new End(Side.BACKEND, backend, FrameObserver.DOWN, true, maxFramePayload);
		this.client.peer = this.backend;
		this.backend.peer = this.client;
	}

	/**
	 * Takes both upgraded channels over. Must run on their shared event loop, right after the client's
	 * 101, before any read of either channel has been processed.
	 * @param onEnd runs once, when both sockets are closed
	 * @return completes when both sockets are closed
	 */
	static Mono<Void> start(RelaySession session, FrameObserver observer, Runnable onEnd, Channel client,
			Channel backend, int maxFramePayload) {
		if (client.eventLoop() != backend.eventLoop() || !client.eventLoop().inEventLoop()) {
			throw new IllegalStateException("both channels must share the calling event loop");
		}
		Tunnel tunnel = new Tunnel(session, observer, onEnd, client, backend, maxFramePayload);
		tunnel.install();
		return tunnel.ended.asMono();
	}

	private void install() {
		int early = this.client.install() + this.backend.install();
		this.session.bindCloser((code, reason) -> this.client.channel.eventLoop().execute(() -> closeByGateway(code, reason)));
		if (early > 0) {
			logger.warn("Session " + this.session.id() + ": " + early
					+ " frame(s) were decoded before the relay started; closing it rather than relaying a partial stream");
			this.session.recordClose(Side.GATEWAY, CloseCodes.BACKEND_LOST);
			closeByGateway(CloseCodes.BACKEND_LOST, "relay could not start");
		}
		if (logger.isDebugEnabled()) {
			logger.debug("Session " + this.session.id() + " relaying: client " + this.client.channel.pipeline().names()
					+ ", backend " + this.backend.channel.pipeline().names());
		}
		for (End end : List.of(this.client, this.backend)) {
			if (end.channel.isActive()) {
				// From a task of its own, after the read that delivered the 101 has completed: switched on from
				// inside that read, io_uring sometimes left the backend channel with no read armed.
				end.channel.eventLoop().execute(() -> {
					end.channel.config().setAutoRead(true);
					end.channel.read();
				});
			}
			else {
				end.inactive();
			}
		}
	}

	/** The gateway's own close, toward both sides: an operator, a drain, the idle sweeper. */
	private void closeByGateway(int code, String reason) {
		sendClose(this.client, code, reason);
		sendClose(this.backend, code, reason);
		startClosing();
	}

	/**
	 * Writes a close frame of the gateway's own to {@code target} at the next frame boundary of the
	 * stream flowing to it.
	 */
	private void sendClose(End target, int code, String reason) {
		if (target.closeTo || target.inactive) {
			return;
		}
		End source = target.peer;
		if (target.pendingReason != null) {
			if (source.inactive) {
				// The frame it waited for will never end.
				closeSocket(target);
			}
			return;
		}
		if (source.tracker.atBoundary() || !source.forwarding) {
			writeClose(target, code, reason);
		}
		else if (source.inactive) {
			// The frame in flight toward the target can never be finished, so no frame can follow it.
			closeSocket(target);
		}
		else {
			target.pendingCode = code;
			target.pendingReason = reason;
			source.tracker.stopAtBoundary();
		}
	}

	private void writeClose(End target, int code, String reason) {
		target.closeTo = true;
		target.peer.forwarding = false;
		target.ctx.writeAndFlush(CloseFrames.encode(target.ctx.alloc(), code, reason, target.masked),
				target.ctx.voidPromise());
		closeIfHandshakeDone(target);
	}

	/** A side that has both sent and been sent a close frame is done: its socket can go. */
	private void closeIfHandshakeDone(End end) {
		if (end.closeFrom && end.closeTo && !end.inactive) {
			closeSocket(end);
		}
	}

	private static void closeSocket(End end) {
		end.closeTo = true;
		end.peer.forwarding = false;
		// Behind the writes already queued, so a close frame just written still goes out first.
		end.ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
	}

	private void startClosing() {
		if (this.closeTimer == null && !this.finished) {
			this.closeTimer = this.client.channel.eventLoop().schedule(() -> {
				this.client.channel.close();
				this.backend.channel.close();
			}, CLOSE_GRACE_MILLIS, TimeUnit.MILLISECONDS);
		}
	}

	private void finish() {
		if (this.finished) {
			return;
		}
		this.finished = true;
		if (this.closeTimer != null) {
			this.closeTimer.cancel(false);
		}
		try {
			this.observer.closed();
		}
		finally {
			this.onEnd.run();
			this.ended.tryEmitEmpty();
		}
	}

	/**
	 * One side of the tunnel: reads that side's bytes and writes them to the other side.
	 */
	private final class End extends ChannelInboundHandlerAdapter {

		private final Side side;

		private final Channel channel;

		private final int direction;

		// Frames toward a backend must be masked: the gateway is its client.
		private final boolean masked;

		private final FrameTracker tracker;

		private End peer;

		private ChannelHandlerContext ctx;

		// Whether this side's bytes still go to the peer.
		private boolean forwarding = true;

		// Whether there are writes to the peer that the end of this read batch must flush.
		private boolean unflushed;

		private boolean closeFrom;

		private boolean closeTo;

		private boolean inactive;

		// A close the gateway will write to this side once the stream toward it reaches a frame boundary.
		private int pendingCode;

		private String pendingReason;

		End(Side side, Channel channel, int direction, boolean masked, int maxFramePayload) {
			this.side = side;
			this.channel = channel;
			this.direction = direction;
			this.masked = masked;
			this.tracker = new FrameTracker(direction, maxFramePayload, Tunnel.this.observer);
		}

		/**
		 * Swaps Netty's WebSocket codecs for this handler.
		 * @return how many frames were decoded before the swap
		 */
		int install() {
			ChannelPipeline pipeline = this.channel.pipeline();
			List<ChannelHandler> codecs = new ArrayList<>();
			pipeline.forEach((entry) -> {
				ChannelHandler handler = entry.getValue();
				if (handler instanceof WebSocketFrameDecoder || handler instanceof WebSocketFrameEncoder
						|| handler instanceof Utf8FrameValidator) {
					codecs.add(handler);
				}
			});
			codecs.forEach(pipeline::remove);
			EarlyFrameGuard guard = (EarlyFrameGuard) pipeline.get(EarlyFrameGuard.NAME);
			if (guard != null) {
				pipeline.replace(guard, NAME, this);
				return guard.frames();
			}
			if (pipeline.get(NettyPipeline.ReactiveBridge) != null) {
				pipeline.addBefore(NettyPipeline.ReactiveBridge, NAME, this);
			}
			else {
				pipeline.addLast(NAME, this);
			}
			return 0;
		}

		@Override
		public void handlerAdded(ChannelHandlerContext ctx) {
			this.ctx = ctx;
		}

		@Override
		public void channelRead(ChannelHandlerContext ctx, Object msg) {
			if (!(msg instanceof ByteBuf in)) {
				ReferenceCountUtil.release(msg);
				return;
			}
			int from = in.readerIndex();
			int to = in.writerIndex();
			if (logger.isTraceEnabled()) {
				logger.trace("Session " + Tunnel.this.session.id() + ": " + (to - from) + " bytes from " + this.side
						+ (this.forwarding ? "" : " (not forwarded)"));
			}
			boolean handedOver = false;
			try {
				int forwardFrom = from;
				int position = from;
				do {
					position = this.tracker.scan(in, position, to);
					int event = this.tracker.event();
					if (this.forwarding && position > forwardFrom && !this.peer.inactive) {
						if (forwardFrom == from && position == to) {
							this.peer.ctx.write(in, this.peer.ctx.voidPromise());
							handedOver = true;
						}
						else {
							this.peer.ctx.write(in.retainedSlice(forwardFrom, position - forwardFrom),
									this.peer.ctx.voidPromise());
						}
						this.unflushed = true;
					}
					forwardFrom = position;
					if (event == FrameTracker.NONE) {
						break;
					}
					onEvent(event);
				}
				while (position < to);
			}
			finally {
				if (!handedOver) {
					in.release();
				}
				Tunnel.this.session.count(this.direction, this.tracker.takeFrames(), this.tracker.takeBytes());
			}
			if (!this.peer.channel.isWritable()) {
				// The peer reads slower than this side writes: stop reading until it catches up.
				this.channel.config().setAutoRead(false);
			}
		}

		private void onEvent(int event) {
			switch (event) {
				case FrameTracker.CLOSE -> {
					this.closeFrom = true;
					Tunnel.this.session.recordClose(this.side, this.tracker.closeCode());
					if (this.forwarding && !this.peer.inactive) {
						this.peer.closeTo = true;
					}
					this.forwarding = false;
					flushPeer();
					startClosing();
					closeIfHandshakeDone(this);
					closeIfHandshakeDone(this.peer);
				}
				case FrameTracker.TOO_BIG -> {
					this.forwarding = false;
					Tunnel.this.session.recordClose(Side.GATEWAY, CloseCodes.MESSAGE_TOO_BIG);
					if (this.tracker.limitBrokeAFrame()) {
						flushPeer();
						closeSocket(this.peer);
					}
					else if (!this.peer.closeTo && !this.peer.inactive) {
						flushPeer();
						writeClose(this.peer, CloseCodes.MESSAGE_TOO_BIG, "message too big");
					}
					sendClose(this, CloseCodes.MESSAGE_TOO_BIG, "message too big");
					startClosing();
				}
				case FrameTracker.BOUNDARY -> {
					this.forwarding = false;
					if (this.peer.pendingReason != null && !this.peer.closeTo && !this.peer.inactive) {
						flushPeer();
						writeClose(this.peer, this.peer.pendingCode, this.peer.pendingReason);
					}
				}
				default -> throw new IllegalStateException("unknown tracker event " + event);
			}
		}

		private void flushPeer() {
			if (this.unflushed) {
				this.unflushed = false;
				this.peer.ctx.flush();
			}
		}

		@Override
		public void channelReadComplete(ChannelHandlerContext ctx) {
			flushPeer();
		}

		@Override
		public void channelWritabilityChanged(ChannelHandlerContext ctx) {
			if (this.channel.isWritable() && !this.peer.inactive) {
				// As at the start, never switched on from inside a completion (see install()).
				Channel reader = this.peer.channel;
				reader.eventLoop().execute(() -> reader.config().setAutoRead(true));
			}
			ctx.fireChannelWritabilityChanged();
		}

		@Override
		public void channelInactive(ChannelHandlerContext ctx) {
			inactive();
			ctx.fireChannelInactive();
		}

		void inactive() {
			if (this.inactive) {
				return;
			}
			this.inactive = true;
			if (logger.isDebugEnabled()) {
				logger.debug("Session " + Tunnel.this.session.id() + ": " + this.side + " socket closed (close frame "
						+ (this.closeFrom ? "received" : "never received") + ")");
			}
			if (!this.closeFrom) {
				Tunnel.this.session.recordClose(this.side, CloseCodes.ABNORMAL);
			}
			End other = this.peer;
			if (!other.inactive) {
				if (other.closeTo) {
					closeSocket(other);
				}
				else if (other.side == Side.CLIENT) {
					sendClose(other, CloseCodes.BACKEND_LOST, "backend connection lost");
				}
				else {
					sendClose(other, CloseCodes.GOING_AWAY, "client went away");
				}
				startClosing();
			}
			else {
				finish();
			}
		}

		@Override
		public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
			if (logger.isDebugEnabled()) {
				logger.debug("Session " + Tunnel.this.session.id() + ": " + this.side + " socket failed", cause);
			}
			ctx.close();
		}

	}

}
