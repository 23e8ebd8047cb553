package io.pomelo.gateway.relay;

import java.util.function.Consumer;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrameEncoder;

/**
 * Notices when Netty's WebSocket decoder refuses a peer's frame (over the size limit, malformed) and
 * closes that peer itself. The relay then gives the other peer the same code instead of a generic one.
 * <p>
 * It watches close frames on their way to the encoder rather than the decoder's exception, because on
 * loopback the decoder's close write can complete, and the channel close with it, before the exception
 * is raised.
 */
final class DecoderErrorCatcher extends ChannelOutboundHandlerAdapter {

	static final String NAME = "pomelo-gateway-decoder-errors";

	private final Consumer<WebSocketCloseStatus> onError;

	private DecoderErrorCatcher(Consumer<WebSocketCloseStatus> onError) {
		this.onError = onError;
	}

	/**
	 * Installs the catcher just after the channel's WebSocket frame encoder, which every outgoing
	 * frame, the decoder's own close included, passes through.
	 */
	static void install(Channel channel, Consumer<WebSocketCloseStatus> onError) {
		ChannelHandlerContext encoder = channel.pipeline().context(WebSocketFrameEncoder.class);
		if (encoder != null && channel.pipeline().get(NAME) == null) {
			channel.pipeline().addAfter(encoder.name(), NAME, new DecoderErrorCatcher(onError));
		}
	}

	@Override
	public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
		if (msg instanceof CloseWebSocketFrame close) {
			int code = close.statusCode();
			if (code == WebSocketCloseStatus.MESSAGE_TOO_BIG.code() || code == WebSocketCloseStatus.PROTOCOL_ERROR.code()
					|| code == WebSocketCloseStatus.INVALID_PAYLOAD_DATA.code()) {
				this.onError.accept(new WebSocketCloseStatus(code, close.reasonText(), false));
			}
		}
		super.write(ctx, msg, promise);
	}

}
