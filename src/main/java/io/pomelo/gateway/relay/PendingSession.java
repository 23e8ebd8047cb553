package io.pomelo.gateway.relay;

import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLException;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.concurrent.ScheduledFuture;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import io.pomelo.gateway.admission.ClientAddress;
import io.pomelo.gateway.admission.SessionTicket;
import io.pomelo.gateway.route.BackendTarget;
import io.pomelo.gateway.route.GatewayRoute;

/**
 * One handshake between admission and the tunnel. It owns the session's ticket and its
 * backend connection from the moment the upgrade is admitted, and has exactly two ways
 * out: {@link #backendUpgraded} hands both to a {@link Tunnel} together with the client's
 * 101, and {@link #abandon} gives both back and answers the client with the reason.
 * Whichever comes first wins; the other does nothing.
 * <p>
 * Runs on the client's event loop, which the backend channel shares.
 */
final class PendingSession {

	private static final Log logger = LogFactory.getLog(PendingSession.class);

	// A client must wait for the 101 before it sends a frame (RFC 6455 4.1); a little is
	// kept, not more.
	private static final int MAX_EARLY_BYTES = 16 * 1024;

	private final Relay relay;

	private final ChannelHandlerContext client;

	private final GatewayRoute route;

	private final BackendTarget target;

	private final ClientAddress clientAddress;

	private final String clientKey;

	private final String offeredSubprotocols;

	private final String offeredExtensions;

	private final SessionTicket ticket;

	private Channel backend;

	private ScheduledFuture<?> timeout;

	private CompositeByteBuf early;

	private boolean done;

	PendingSession(Relay relay, ChannelHandlerContext client, GatewayRoute route, BackendTarget target,
			ClientAddress clientAddress, String clientKey, String offeredSubprotocols, String offeredExtensions,
			SessionTicket ticket) {
		this.relay = relay;
		this.client = client;
		this.route = route;
		this.target = target;
		this.clientAddress = clientAddress;
		this.clientKey = clientKey;
		this.offeredSubprotocols = offeredSubprotocols;
		this.offeredExtensions = offeredExtensions;
		this.ticket = ticket;
	}

	/** Connects the backend and sends it the upgrade request. */
	void start(HttpHeaders clientHeaders, BackendRequest.Forwarded forwarded) {
		String key = WebSocketKeys.newKey();
		ByteBuf request = BackendRequest.encode(this.client.alloc(), this.target, clientHeaders, key,
				this.offeredSubprotocols, this.offeredExtensions, forwarded);
		BackendHandshake handshake = new BackendHandshake(this, key, request);
		this.timeout = this.client.executor()
			.schedule(
					() -> abandon(HandshakeRefusal.of(RefusalReason.TIMEOUT,
							"backend did not complete the WebSocket handshake in time")),
					this.relay.handshakeTimeout().toNanos(), TimeUnit.NANOSECONDS);
		ChannelFuture connect;
		try {
			connect = this.relay.connector().connect(this.client.channel(), this.target.endpoint(), handshake);
		}
		catch (RuntimeException ex) {
			request.release();
			abandon(HandshakeRefusal.of(RefusalReason.BACKEND_UNREACHABLE, "backend connection could not be opened"));
			return;
		}
		this.backend = connect.channel();
		connect.addListener((ChannelFutureListener) (future) -> {
			if (!future.isSuccess()) {
				backendFailed(future.cause());
			}
		});
	}

	/**
	 * Bytes the client sent after its request, before its 101: kept for the tunnel, in
	 * order, up to a small bound.
	 */
	void early(ByteBuf bytes) {
		if (this.done) {
			bytes.release();
			return;
		}
		if (this.early == null) {
			this.early = this.client.alloc().compositeBuffer();
		}
		this.early.addComponent(true, bytes);
		if (this.early.readableBytes() > MAX_EARLY_BYTES) {
			abandon(HandshakeRefusal.of(RefusalReason.BAD_REQUEST,
					"data sent before the WebSocket handshake completed"));
		}
	}

	/** Whether a subprotocol the backend chose is one the client offered. */
	boolean offeredSubprotocol(String chosen) {
		return this.offeredSubprotocols != null
				&& UpgradeRequest.hasToken(List.of(this.offeredSubprotocols), chosen.trim());
	}

	/** Whether the extensions the backend answered with were offered. */
	boolean offeredExtensions(List<String> chosen) {
		return this.offeredExtensions != null && Extensions.answerFitsOffer(chosen, this.offeredExtensions);
	}

	/**
	 * The backend sent a valid 101: the client gets its own, and the tunnel takes both
	 * sockets.
	 */
	void backendUpgraded(ChannelHandlerContext backendContext, String subprotocol, String extensions) {
		if (this.done) {
			return;
		}
		this.done = true;
		cancelTimeout();
		Channel clientChannel = this.client.channel();
		if (!clientChannel.isActive()) {
			this.ticket.release();
			releaseEarly();
			backendContext.close();
			this.relay.registry().handshakeFailed(this.route.id(), RefusalReason.CLIENT_GONE.tag());
			return;
		}
		SessionRegistry registry = this.relay.registry();
		RelaySession session = registry.open(this.route.id(), this.clientAddress, this.target::uri,
				this.route.limits().idleTimeout(), extensions);
		// Captures what the end needs, not this handshake: the tunnel keeps it for the
		// session's life, and this object's request strings are garbage from here on.
		SessionTicket ticket = this.ticket;
		Runnable onEnd = () -> {
			ticket.release();
			registry.closed(session);
		};
		ByteBuf switching = HandshakeResponses.switchingProtocols(this.client.alloc(),
				WebSocketKeys.accept(this.clientKey), subprotocol, extensions);
		CompositeByteBuf early = this.early;
		this.early = null;
		try {
			Tunnel.start(session, this.relay.observers().open(session), onEnd, clientChannel, backendContext.channel(),
					this.route.limits().maxFramePayload(), this.relay.closeGrace().toNanos(), switching, early);
		}
		catch (RuntimeException ex) {
			logger.error("Session " + session.id() + " could not start its relay", ex);
			clientChannel.close();
			backendContext.channel().close();
			onEnd.run();
		}
	}

	/** The backend answered the upgrade with something other than a valid 101. */
	void backendRefused(HandshakeRefusal refusal) {
		abandon(refusal);
	}

	/** The backend connection failed before it answered. */
	void backendFailed(Throwable cause) {
		abandon(classify(cause));
	}

	/** The client's socket closed while the backend handshake ran. */
	void clientGone() {
		abandon(HandshakeRefusal.of(RefusalReason.CLIENT_GONE, "client went away"));
	}

	/**
	 * Gives back what the handshake held and answers the client with the reason, unless
	 * it is gone.
	 */
	void abandon(HandshakeRefusal refusal) {
		if (this.done) {
			return;
		}
		this.done = true;
		cancelTimeout();
		this.ticket.release();
		releaseEarly();
		if (this.backend != null) {
			this.backend.close();
		}
		if (logger.isDebugEnabled()) {
			logger.debug("Upgrade to " + this.target + " of route " + this.route.id() + " refused: "
					+ refusal.reason().tag() + " (" + refusal.message() + ")");
		}
		this.relay.refuse(this.client, this.route.id(), refusal);
	}

	private void cancelTimeout() {
		if (this.timeout != null) {
			this.timeout.cancel(false);
			this.timeout = null;
		}
	}

	private void releaseEarly() {
		if (this.early != null) {
			this.early.release();
			this.early = null;
		}
	}

	private static HandshakeRefusal classify(Throwable cause) {
		Throwable root = cause;
		while (root.getCause() != null && root.getCause() != root && !(root instanceof SSLException)) {
			root = root.getCause();
		}
		if (root instanceof ConnectTimeoutException || root instanceof ConnectException) {
			return HandshakeRefusal.connectFailed(root);
		}
		if (root instanceof UnknownHostException) {
			return HandshakeRefusal.of(RefusalReason.BACKEND_UNREACHABLE, "backend host name did not resolve");
		}
		if (root instanceof SSLException) {
			return HandshakeRefusal.of(RefusalReason.BACKEND_UNREACHABLE, "backend TLS handshake failed");
		}
		if (root instanceof IOException) {
			return HandshakeRefusal.of(RefusalReason.BACKEND_UNREACHABLE, "backend connection failed");
		}
		return HandshakeRefusal.connectFailed(root);
	}

}
