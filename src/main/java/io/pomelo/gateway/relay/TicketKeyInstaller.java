package io.pomelo.gateway.relay;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.SniCompletionEvent;
import io.netty.handler.ssl.SslHandler;
import reactor.netty.NettyPipeline;

import io.pomelo.gateway.config.SessionTicketKeys;

/**
 * Gives the shared session ticket keys to the TLS context that SNI picked. Reactor Netty
 * puts an SNI handler where the {@link SslHandler} goes, and only its lookup knows the
 * context (Spring Boot swaps it on a certificate reload). The lookup's completion event
 * reaches this handler after the {@link SslHandler} is in place and before the
 * ClientHello is handed to it, so the ticket that ClientHello carries meets the shared
 * keys.
 */
@ChannelHandler.Sharable
final class TicketKeyInstaller extends ChannelInboundHandlerAdapter {

	static final String NAME = "pomelo-gateway-ticket-keys";

	private final SessionTicketKeys keys;

	TicketKeyInstaller(SessionTicketKeys keys) {
		this.keys = keys;
	}

	/**
	 * Gives the keys to a connection's TLS context before its ClientHello is read: at
	 * once when the {@link SslHandler} is already there, or once SNI has picked the
	 * context.
	 * @param ssl what sits in the pipeline's TLS slot
	 */
	void install(ChannelPipeline pipeline, ChannelHandler ssl) {
		if (ssl instanceof SslHandler handler) {
			this.keys.applyTo(handler.engine());
		}
		else {
			pipeline.addAfter(NettyPipeline.SslHandler, NAME, this);
		}
	}

	@Override
	public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
		if (event instanceof SniCompletionEvent) {
			SslHandler ssl = ctx.pipeline().get(SslHandler.class);
			if (ssl != null) {
				this.keys.applyTo(ssl.engine());
			}
			ctx.pipeline().remove(this);
		}
		ctx.fireUserEventTriggered(event);
	}

}
