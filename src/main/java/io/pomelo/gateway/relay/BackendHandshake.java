package io.pomelo.gateway.relay;

import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.ReferenceCountUtil;

/**
 * The backend side of one handshake: writes the upgrade request once connected and checks
 * the answer as a WebSocket client must (RFC 6455 4.1): status 101,
 * {@code Upgrade: websocket}, {@code Connection: upgrade}, the right
 * {@code Sec-WebSocket-Accept}, and a subprotocol and extensions from among those
 * offered. It tells its {@link PendingSession} how that went.
 */
final class BackendHandshake extends ChannelInboundHandlerAdapter {

	static final String NAME = "pomelo-gateway-backend-handshake";

	private final PendingSession pending;

	private final String expectedAccept;

	private ByteBuf request;

	private boolean answered;

	BackendHandshake(PendingSession pending, String key, ByteBuf request) {
		this.pending = pending;
		this.expectedAccept = WebSocketKeys.accept(key);
		this.request = request;
	}

	@Override
	public void channelActive(ChannelHandlerContext ctx) {
		// With TLS the handler holds this until its own handshake is done.
		ByteBuf out = this.request;
		this.request = null;
		ctx.writeAndFlush(out, ctx.voidPromise());
		ctx.fireChannelActive();
	}

	@Override
	public void handlerRemoved(ChannelHandlerContext ctx) {
		releaseRequest();
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
		if (this.answered || !(msg instanceof HttpResponse response)) {
			ReferenceCountUtil.release(msg);
			return;
		}
		this.answered = true;
		ReferenceCountUtil.release(msg);
		if (response.decoderResult().isFailure()) {
			this.pending.backendRefused(HandshakeRefusal.of(RefusalReason.BACKEND_REFUSED,
					"backend sent an invalid HTTP answer to the WebSocket upgrade"));
			return;
		}
		if (response.status().code() != HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
			this.pending.backendRefused(HandshakeRefusal.backendAnswered(response.status().code()));
			return;
		}
		HttpHeaders headers = response.headers();
		String problem = problem(headers);
		if (problem != null) {
			this.pending.backendRefused(HandshakeRefusal.of(RefusalReason.BACKEND_REFUSED, "backend " + problem));
			return;
		}
		this.pending.backendUpgraded(ctx, headers.get(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL),
				headers.get(HttpHeaderNames.SEC_WEBSOCKET_EXTENSIONS));
	}

	private String problem(HttpHeaders headers) {
		if (!UpgradeRequest.hasToken(headers.getAll(HttpHeaderNames.UPGRADE), "websocket")
				|| !UpgradeRequest.hasToken(headers.getAll(HttpHeaderNames.CONNECTION), "upgrade")) {
			return "answered 101 without Upgrade: websocket and Connection: upgrade";
		}
		if (!this.expectedAccept.equals(headers.get(HttpHeaderNames.SEC_WEBSOCKET_ACCEPT))) {
			return "answered with a wrong Sec-WebSocket-Accept";
		}
		String subprotocol = headers.get(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL);
		if (subprotocol != null && !this.pending.offeredSubprotocol(subprotocol)) {
			return "chose subprotocol '" + subprotocol + "' that the client did not offer";
		}
		List<String> extensions = headers.getAll(HttpHeaderNames.SEC_WEBSOCKET_EXTENSIONS);
		if (!extensions.isEmpty() && !this.pending.offeredExtensions(extensions)) {
			return "chose extensions " + extensions + " that were not offered";
		}
		return null;
	}

	@Override
	public void channelInactive(ChannelHandlerContext ctx) {
		if (!this.answered) {
			this.answered = true;
			this.pending.backendRefused(HandshakeRefusal.of(RefusalReason.BACKEND_REFUSED,
					"backend closed the connection during the WebSocket upgrade"));
		}
		ctx.fireChannelInactive();
	}

	@Override
	public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
		if (!this.answered) {
			this.answered = true;
			this.pending.backendFailed(cause);
		}
		ctx.close();
	}

	private void releaseRequest() {
		if (this.request != null) {
			this.request.release();
			this.request = null;
		}
	}

}
