package io.pomelo.gateway.relay;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.util.ReferenceCountUtil;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * One socket of a tunnel, as a handler in that socket's pipeline: what it reads goes into
 * the flow it is the source of, and what it can take is pushed back to the flow it is the
 * sink of. It knows only its own socket's state: whether it sent a close frame and
 * whether it is closed.
 */
final class TunnelEnd extends ChannelInboundHandlerAdapter {

	private static final Log logger = LogFactory.getLog(TunnelEnd.class);

	private final Tunnel tunnel;

	private final Side side;

	private final Channel channel;

	private final boolean masked;

	private Flow received;

	private Flow sent;

	private ChannelHandlerContext ctx;

	private boolean closeReceived;

	private boolean inactive;

	/**
	 * @param masked whether frames the gateway writes to this socket must be masked:
	 * toward a backend the gateway is the client (RFC 6455 5.1)
	 */
	TunnelEnd(Tunnel tunnel, Side side, Channel channel, boolean masked) {
		this.tunnel = tunnel;
		this.side = side;
		this.channel = channel;
		this.masked = masked;
	}

	void connect(Flow received, Flow sent) {
		this.received = received;
		this.sent = sent;
	}

	/** Takes the place of the handshake handler in this socket's pipeline. */
	void install(String placeholder, Iterable<String> leftovers) {
		ChannelPipeline pipeline = this.channel.pipeline();
		pipeline.replace(placeholder, Tunnel.NAME, this);
		for (String name : leftovers) {
			if (pipeline.get(name) != null) {
				pipeline.remove(name);
			}
		}
	}

	Side side() {
		return this.side;
	}

	Channel channel() {
		return this.channel;
	}

	boolean masked() {
		return this.masked;
	}

	ChannelHandlerContext context() {
		return this.ctx;
	}

	/** The flow whose sink this socket is. */
	Flow sent() {
		return this.sent;
	}

	/** Whether this socket sent a close frame. */
	boolean closeReceived() {
		return this.closeReceived;
	}

	void markCloseReceived() {
		this.closeReceived = true;
	}

	/** Whether this socket is closed. */
	boolean inactive() {
		return this.inactive;
	}

	/** Closes this socket once what was written to it has gone out. */
	void closeAfterWrites() {
		if (!this.channel.isActive()) {
			// Often the peer closed it too, a moment ago: a write would fail with an
			// exception Netty makes for every such write.
			this.ctx.close();
			return;
		}
		this.ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
	}

	/**
	 * Starts reading, from a task of its own, and first replays bytes that arrived before
	 * the tunnel.
	 */
	void startReading(ByteBuf replay) {
		// Switched on from inside the read that delivered the 101, io_uring sometimes
		// left the channel
		// with no read armed; a task of its own runs after that read has completed.
		this.channel.eventLoop().execute(() -> {
			if (replay != null) {
				channelRead(this.ctx, replay);
				channelReadComplete(this.ctx);
			}
			this.channel.config().setAutoRead(true);
			this.channel.read();
		});
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
		this.received.received(in);
		if (!this.received.sink().channel().isWritable()) {
			// The sink takes bytes slower than this socket brings them: stop reading
			// until it catches up.
			this.channel.config().setAutoRead(false);
		}
	}

	@Override
	public void channelReadComplete(ChannelHandlerContext ctx) {
		this.received.flush();
	}

	@Override
	public void channelWritabilityChanged(ChannelHandlerContext ctx) {
		TunnelEnd source = this.sent.source();
		if (this.channel.isWritable() && !source.inactive()) {
			// As at the start, never switched on from inside a completion (see
			// startReading).
			source.channel.eventLoop().execute(() -> source.channel.config().setAutoRead(true));
		}
		ctx.fireChannelWritabilityChanged();
	}

	@Override
	public void channelInactive(ChannelHandlerContext ctx) {
		markInactive();
		ctx.fireChannelInactive();
	}

	/**
	 * This socket is closed; the tunnel decides what the other one gets. Only the first
	 * call counts.
	 */
	void markInactive() {
		if (this.inactive) {
			return;
		}
		this.inactive = true;
		this.tunnel.socketClosed(this);
	}

	@Override
	public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
		// Resets and broken pipes are how peers leave; the close path counts them.
		if (logger.isDebugEnabled()) {
			logger.debug("Session " + this.tunnel.session().id() + ": " + this.side + " socket failed", cause);
		}
		ctx.close();
	}

}
