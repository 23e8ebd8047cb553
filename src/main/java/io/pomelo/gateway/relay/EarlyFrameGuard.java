package io.pomelo.gateway.relay;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;

/**
 * Sits where the tunnel will go while the handshakes run, and counts WebSocket frames that Netty
 * decoded before the tunnel took the channel over. Such frames would have gone to Reactor Netty's
 * receive queue, out of the tunnel's reach; the tunnel refuses to start over a stream it cannot relay
 * whole, so a regression here is a loud 1011, never a silently lost frame.
 */
final class EarlyFrameGuard extends ChannelInboundHandlerAdapter {

	static final String NAME = "pomelo-gateway-early-frames";

	private int frames;

	int frames() {
		return this.frames;
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
		if (msg instanceof WebSocketFrame) {
			this.frames++;
		}
		ctx.fireChannelRead(msg);
	}

}
