package io.pomelo.gateway.relay;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SniCompletionEvent;
import io.netty.handler.ssl.SslHandler;

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
