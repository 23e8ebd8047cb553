package io.pomelo.gateway.relay;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;

/**
 * Closes a session when no frame has passed in either direction for the route's idle timeout. It sits
 * on the client's channel, where every relayed frame is either read or written.
 */
final class IdleCloser extends IdleStateHandler {

	static final String NAME = "pomelo-gateway-idle";

	private final RelaySession session;

	IdleCloser(Duration timeout, RelaySession session) {
		super(0, 0, timeout.toMillis(), TimeUnit.MILLISECONDS);
		this.session = session;
	}

	@Override
	protected void channelIdle(ChannelHandlerContext ctx, IdleStateEvent event) {
		this.session.close(CloseCodes.GOING_AWAY, "idle timeout");
	}

}
