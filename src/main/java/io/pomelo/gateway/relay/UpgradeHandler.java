package io.pomelo.gateway.relay;

import java.io.IOException;

import javax.net.ssl.SSLException;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import io.netty.util.ReferenceCountUtil;
import reactor.netty.NettyPipeline;

import io.pomelo.gateway.admission.AdmissionDecision;
import io.pomelo.gateway.admission.ClientAddress;
import io.pomelo.gateway.admission.ClientConnection;
import io.pomelo.gateway.admission.ClientEvent;
import io.pomelo.gateway.admission.SessionTicket;
import io.pomelo.gateway.route.BackendTarget;
import io.pomelo.gateway.route.GatewayRoute;

/**
 * The handshake of one data-port connection, right behind the HTTP decoder. It reads the
 * upgrade request and takes it through the steps in order, each of which may refuse it
 * before anything is spent on the next: read limits, validation (RFC 6455 4.2.1), route
 * lookup, drain, client address, admission, the choice of target, then the backend
 * handshake in a {@link PendingSession}, whose 101 gets the client its own and hands both
 * sockets to the {@link Tunnel}.
 * <p>
 * A request that no gateway route matches goes on to Spring Cloud Gateway when it holds
 * routes of its own; otherwise the gateway answers it. Every answer the gateway gives
 * itself closes the connection.
 */
final class UpgradeHandler extends ChannelInboundHandlerAdapter {

	static final String NAME = "pomelo-gateway-upgrade";

	private final Relay relay;

	private final ClientConnection connection;

	private PendingSession pending;

	private boolean passThrough;

	private boolean answered;

	UpgradeHandler(Relay relay, ClientConnection connection) {
		this.relay = relay;
		this.connection = connection;
	}

	@Override
	public void handlerAdded(ChannelHandlerContext ctx) {
		this.connection.onRequestTimeout(() -> refuse(ctx, Relay.NO_ROUTE_ID,
				HandshakeRefusal.of(RefusalReason.REQUEST_TIMEOUT, "the upgrade request took too long")));
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
		if (this.passThrough) {
			ctx.fireChannelRead(msg);
		}
		else if (this.pending != null && msg instanceof ByteBuf early) {
			this.pending.early(early);
		}
		else if (!this.answered && this.pending == null && msg instanceof HttpRequest request) {
			this.connection.requestArrived();
			onRequest(ctx, request);
			ReferenceCountUtil.release(msg);
		}
		else {
			ReferenceCountUtil.release(msg);
		}
	}

	private void onRequest(ChannelHandlerContext ctx, HttpRequest request) {
		// 1. Read limits: the decoder enforces the line and header size; the header count
		// is ours.
		HandshakeRefusal overLimit = readLimits(request);
		if (overLimit != null) {
			refuse(ctx, Relay.NO_ROUTE_ID, overLimit);
			return;
		}
		// 2. Validation, before any lookup or state.
		UpgradeRequest.Verdict verdict = UpgradeRequest.check(request);
		// 3. Route lookup, without side effects.
		String uri = request.uri();
		if (uri.isEmpty() || uri.charAt(0) != '/') {
			refuse(ctx, Relay.NO_ROUTE_ID,
					HandshakeRefusal.of(RefusalReason.BAD_REQUEST, "the request target must be a path"));
			return;
		}
		int question = uri.indexOf('?');
		String path = (question < 0) ? uri : uri.substring(0, question);
		String query = (question < 0) ? null : uri.substring(question + 1);
		GatewayRoute route = this.relay.routes().find(path);
		if (route == null) {
			if (verdict == UpgradeRequest.Verdict.NOT_AN_UPGRADE && this.relay.routes().hasForeignRoutes()) {
				this.passThrough = true;
				ctx.fireChannelRead(ReferenceCountUtil.retain(request));
				return;
			}
			refuse(ctx, Relay.NO_ROUTE_ID, HandshakeRefusal.of(RefusalReason.NO_ROUTE, "no route for " + path));
			return;
		}
		if (verdict != UpgradeRequest.Verdict.VALID) {
			refuse(ctx, route.id(), verdict.refusal());
			return;
		}
		// 4. A draining gateway takes no new sessions.
		if (this.relay.draining()) {
			refuse(ctx, route.id(),
					HandshakeRefusal.of(RefusalReason.SHUTTING_DOWN, "gateway is shutting down; connect again"));
			return;
		}
		HttpHeaders headers = request.headers();
		// 5. The route's client policy: which WeChat mini-programs may connect.
		String forbidden = this.relay.referer().refusal(route.id(), headers.get(HttpHeaderNames.REFERER));
		if (forbidden != null) {
			refuse(ctx, route.id(), HandshakeRefusal.of(RefusalReason.FORBIDDEN, forbidden));
			return;
		}
		// 6. Who the client is, as the limits, the registry and the backend's headers see
		// it.
		ClientAddress peer = this.connection.client();
		ClientAddress client = this.relay.resolver().fromRequest(peer, headers.get("X-Forwarded-For"));
		// 7. Admission: gateway, route and address limits, and the address's handshake
		// rate.
		AdmissionDecision decision = this.relay.admission()
			.admitSession(route.id(), route.limits().maxConnections(), client, System.nanoTime());
		if (decision instanceof AdmissionDecision.Refusal refusal) {
			refuse(ctx, route.id(), Relay.refusal(refusal, route));
			return;
		}
		SessionTicket ticket = (SessionTicket) decision;
		// 8. The target: the next one round-robin, or the port the path names.
		BackendTarget target = route.chooseTarget(path, query);
		// 9. The backend handshake; the client reads nothing more until the tunnel takes
		// over.
		removeHttpCodec(ctx);
		ctx.channel().config().setAutoRead(false);
		String host = headers.get(HttpHeaderNames.HOST);
		BackendRequest.Forwarded forwarded = new BackendRequest.Forwarded(
				this.relay.resolver().forwardedFor(client, peer.address(), headers.get("X-Forwarded-For")),
				this.connection.tls() ? "https" : "http", host, client.ip());
		this.pending = new PendingSession(this.relay, ctx, route, target, client,
				headers.get(HttpHeaderNames.SEC_WEBSOCKET_KEY), headers.get(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL),
				this.relay.forwardedExtensions(
						String.join(",", headers.getAll(HttpHeaderNames.SEC_WEBSOCKET_EXTENSIONS))),
				ticket);
		this.pending.start(headers, forwarded);
	}

	private HandshakeRefusal readLimits(HttpRequest request) {
		DecoderResult result = request.decoderResult();
		if (result.isFailure()) {
			Throwable cause = result.cause();
			if (cause instanceof TooLongHttpLineException) {
				return HandshakeRefusal.of(RefusalReason.URI_TOO_LONG, "the request line is too long");
			}
			if (cause instanceof TooLongHttpHeaderException || cause instanceof TooLongFrameException) {
				return HandshakeRefusal.of(RefusalReason.HEADERS_TOO_LARGE, "the request headers are too large");
			}
			return HandshakeRefusal.of(RefusalReason.BAD_REQUEST, "malformed HTTP request");
		}
		if (request.headers().size() > this.relay.maxHeaderCount()) {
			return HandshakeRefusal.of(RefusalReason.HEADERS_TOO_LARGE, "the request has too many headers");
		}
		return null;
	}

	private void refuse(ChannelHandlerContext ctx, String routeId, HandshakeRefusal refusal) {
		if (this.answered) {
			return;
		}
		this.answered = true;
		removeHttpCodec(ctx);
		this.relay.refuse(ctx, routeId, refusal);
	}

	// The gateway answers with bytes of its own from here on, and the next client bytes
	// are frames.
	private static void removeHttpCodec(ChannelHandlerContext ctx) {
		if (ctx.pipeline().get(NettyPipeline.HttpCodec) != null) {
			ctx.pipeline().remove(NettyPipeline.HttpCodec);
		}
	}

	@Override
	public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
		if (event instanceof SslHandshakeCompletionEvent completion) {
			if (completion.isSuccess()) {
				this.connection.tlsEstablished();
			}
			else {
				this.connection.failed((completion.cause() instanceof SslHandshakeTimeoutException)
						? ClientEvent.TIMEOUT_TLS : ClientEvent.TLS_FAILED);
			}
		}
		ctx.fireUserEventTriggered(event);
	}

	@Override
	public void channelInactive(ChannelHandlerContext ctx) {
		if (this.pending != null) {
			this.pending.clientGone();
		}
		ctx.fireChannelInactive();
	}

	@Override
	public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
		if (this.passThrough) {
			ctx.fireExceptionCaught(cause);
			return;
		}
		// Client-caused, and one client can cause any number: counted, never logged per
		// connection.
		this.connection.failed(isTls(cause) ? ClientEvent.TLS_FAILED : ClientEvent.RESET);
		if (this.pending != null) {
			this.pending.clientGone();
		}
		if (!(cause instanceof IOException) && !isTls(cause)) {
			RateLimitedLog.warn(UpgradeHandler.class, "Unexpected error on a data-port connection", cause);
		}
	}

	private static boolean isTls(Throwable cause) {
		for (Throwable t = cause; t != null; t = (t.getCause() == t) ? null : t.getCause()) {
			if (t instanceof SSLException) {
				return true;
			}
		}
		return false;
	}

}
