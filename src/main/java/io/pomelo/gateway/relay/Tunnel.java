package io.pomelo.gateway.relay;

import java.util.List;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.netty.NettyPipeline;

/**
 * Relays one session after both handshakes as a byte tunnel, the way nginx does: two
 * {@link TunnelEnd}s, one per socket, and two {@link Flow}s, one per direction, pass each
 * socket's bytes to the other as they were read. Client frames stay masked and backend
 * frames unmasked, which is exactly what each receiver expects, so close frames pass with
 * their code and reason intact.
 * <p>
 * The tunnel decides how a session ends. The gateway writes a frame of its own only at a
 * frame boundary: the close that replaces a peer that dropped (1011 toward the client,
 * 1001 toward the backend), 1009 for a frame over the limit, and the closes of an
 * operator, a drain or the idle sweeper. A socket that has both sent and been sent a
 * close frame is closed; both are closed after the close grace at the latest.
 * <p>
 * Both channels live on one event loop, so nothing here needs a lock; calls from other
 * threads hop onto that loop.
 */
final class Tunnel {

	static final String NAME = "pomelo-gateway-tunnel";

	private static final Log logger = LogFactory.getLog(Tunnel.class);

	// Reactor Netty's per-request HTTP handlers on the server side; none has anything to
	// do after a 101. Its keep-alive idle handler, if left, drops a silent session
	// after limits.keep-alive-timeout without a close frame; the route's idle timeout
	// governs a tunnel.
	private static final List<String> REACTOR_HTTP_HANDLERS = List.of(NettyPipeline.HttpTrafficHandler,
			NettyPipeline.AccessLogHandler, NettyPipeline.CompressionHandler, NettyPipeline.HttpMetricsHandler,
			NettyPipeline.ErrorLogHandler, NettyPipeline.IdleTimeoutHandler);

	private final RelaySession session;

	private final FrameObserver observer;

	private final Runnable onEnd;

	private final long closeGraceNanos;

	private final TunnelEnd client;

	private final TunnelEnd backend;

	private final Flow up;

	private final Flow down;

	private ScheduledFuture<?> closeTimer;

	private boolean finished;

	Tunnel(RelaySession session, FrameObserver observer, Runnable onEnd, Channel client, Channel backend,
			int maxFramePayload, long closeGraceNanos) {
		this.session = session;
		this.observer = observer;
		this.onEnd = onEnd;
		this.closeGraceNanos = closeGraceNanos;
		this.client = new TunnelEnd(this, Side.CLIENT, client, false);
		this.backend = new TunnelEnd(this, Side.BACKEND, backend, true);
		// With permessage-deflate negotiated, RSV1 may mark the first frame of a message.
		this.up = new Flow(this, Direction.UP, maxFramePayload, session.compressed(), observer);
		this.down = new Flow(this, Direction.DOWN, maxFramePayload, session.compressed(), observer);
		this.up.connect(this.client, this.backend);
		this.down.connect(this.backend, this.client);
		this.client.connect(this.up, this.down);
		this.backend.connect(this.down, this.up);
	}

	/**
	 * Takes both channels over at the end of a handshake, on their shared event loop: the
	 * ends replace the handshake handlers, the client gets its 101 before any backend
	 * byte, then the backend bytes that came with its 101 and the client bytes that came
	 * early go through as if just read.
	 * @param onEnd runs once, when both sockets are closed
	 * @param switchingProtocols the client's 101, written first
	 * @param early bytes the client sent before its 101, or {@code null}
	 */
	static Tunnel start(RelaySession session, FrameObserver observer, Runnable onEnd, Channel client, Channel backend,
			int maxFramePayload, long closeGraceNanos, ByteBuf switchingProtocols, ByteBuf early) {
		if (client.eventLoop() != backend.eventLoop() || !client.eventLoop().inEventLoop()) {
			ReferenceCountUtil.release(switchingProtocols);
			ReferenceCountUtil.release(early);
			throw new IllegalStateException("both channels must share the calling event loop");
		}
		Tunnel tunnel = new Tunnel(session, observer, onEnd, client, backend, maxFramePayload, closeGraceNanos);
		tunnel.install(switchingProtocols, early);
		return tunnel;
	}

	/**
	 * Takes both pipelines over; {@link #start} checks the threading first. Tests drive
	 * this directly on two embedded channels, whose event loops are the test's own
	 * thread.
	 */
	void install(ByteBuf switchingProtocols, ByteBuf early) {
		this.client.install(UpgradeHandler.NAME, REACTOR_HTTP_HANDLERS);
		this.backend.install(BackendHandshake.NAME, List.of());
		this.session.bindCloser(this.client.channel().eventLoop(), this::closeByGateway);
		this.client.context().writeAndFlush(switchingProtocols, this.client.context().voidPromise());
		// The decoder hands on what followed the 101 as it leaves: frames the backend
		// sent at once.
		ChannelPipeline backendPipeline = this.backend.channel().pipeline();
		if (backendPipeline.get(BackendConnector.DECODER) != null) {
			backendPipeline.remove(BackendConnector.DECODER);
		}
		if (logger.isDebugEnabled()) {
			logger
				.debug("Session " + this.session.id() + " relaying: client " + this.client.channel().pipeline().names()
						+ ", backend " + this.backend.channel().pipeline().names());
		}
		startOrClose(this.backend, null);
		startOrClose(this.client, early);
	}

	private static void startOrClose(TunnelEnd end, ByteBuf replay) {
		if (end.channel().isActive()) {
			end.startReading(replay);
		}
		else {
			ReferenceCountUtil.release(replay);
			end.markInactive();
		}
	}

	RelaySession session() {
		return this.session;
	}

	/**
	 * The gateway's own close, toward both sides: an operator, a drain, the idle sweeper.
	 */
	void closeByGateway(int code, String reason) {
		sendClose(this.down, code, reason);
		sendClose(this.up, code, reason);
		startClosing();
	}

	/**
	 * Writes a close frame of the gateway's own to the flow's sink at its next frame
	 * boundary.
	 */
	private void sendClose(Flow flow, int code, String reason) {
		TunnelEnd sink = flow.sink();
		if (flow.closeSent() || sink.inactive()) {
			return;
		}
		if (flow.hasPendingClose()) {
			if (flow.source().inactive()) {
				// The frame it waited for will never end.
				closeSocket(sink);
			}
			return;
		}
		if (flow.atBoundary() || !flow.forwarding()) {
			writeClose(flow, code, reason);
		}
		else if (flow.source().inactive()) {
			// The frame in flight toward the sink can never be finished, so no frame can
			// follow it.
			closeSocket(sink);
		}
		else {
			flow.closeAtBoundary(code, reason);
		}
	}

	private void writeClose(Flow flow, int code, String reason) {
		flow.sendCloseFrame(code, reason);
		closeIfHandshakeDone(flow.sink());
	}

	/** A socket that has both sent and been sent a close frame is done. */
	private void closeIfHandshakeDone(TunnelEnd end) {
		if (end.closeReceived() && end.sent().closeSent() && !end.inactive()) {
			closeSocket(end);
		}
	}

	private static void closeSocket(TunnelEnd end) {
		end.sent().endWithSocketClose();
		// Behind the writes already queued, so a close frame just written still goes out
		// first.
		end.closeAfterWrites();
	}

	/**
	 * The flow's source sent a close frame, which was forwarded to the sink as it was.
	 */
	void closeFrameReceived(Flow flow, int code) {
		TunnelEnd source = flow.source();
		source.markCloseReceived();
		this.session.recordClose(source.side(), code);
		flow.closeForwarded();
		startClosing();
		closeIfHandshakeDone(source);
		closeIfHandshakeDone(flow.sink());
	}

	/**
	 * A frame the gateway will not pass began in the flow (over the payload limit: 1009;
	 * a reserved bit no extension allows: 1002): neither side gets any more of it, both
	 * get the close where they are at a frame boundary, and a sink that already got part
	 * of the frame is simply closed.
	 */
	void frameRefused(Flow flow, boolean limitBrokeAFrame, int code, String reason) {
		flow.stopForwarding();
		this.session.recordClose(Side.GATEWAY, code);
		// The source's close is decided first: closing the sink may report it gone at
		// once.
		sendClose(flow.source().sent(), code, reason);
		if (limitBrokeAFrame) {
			closeSocket(flow.sink());
		}
		else if (!flow.closeSent() && !flow.sink().inactive()) {
			writeClose(flow, code, reason);
		}
		startClosing();
	}

	/** The flow reached the frame boundary a close of the gateway's waited for. */
	void boundaryReached(Flow flow) {
		flow.stopForwarding();
		flow.sendPendingClose();
		closeIfHandshakeDone(flow.sink());
	}

	/**
	 * A socket closed: the other gets a close of the gateway's own unless it already had
	 * one.
	 */
	void socketClosed(TunnelEnd end) {
		if (logger.isDebugEnabled()) {
			logger.debug("Session " + this.session.id() + ": " + end.side() + " socket closed (close frame "
					+ (end.closeReceived() ? "received" : "never received") + ")");
		}
		if (!end.closeReceived()) {
			this.session.recordClose(end.side(), CloseCodes.ABNORMAL);
		}
		TunnelEnd other = (end == this.client) ? this.backend : this.client;
		if (other.inactive()) {
			finish();
			return;
		}
		if (other.sent().closeSent()) {
			closeSocket(other);
		}
		else if (other == this.client) {
			sendClose(this.down, CloseCodes.BACKEND_LOST, "backend connection lost");
		}
		else {
			sendClose(this.up, CloseCodes.GOING_AWAY, "client went away");
		}
		startClosing();
	}

	private void startClosing() {
		if (this.closeTimer == null && !this.finished) {
			this.closeTimer = this.client.channel().eventLoop().schedule(() -> {
				this.client.channel().close();
				this.backend.channel().close();
			}, this.closeGraceNanos, TimeUnit.NANOSECONDS);
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
		}
	}

}
