package io.pomelo.gateway.relay;

import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.RecvByteBufAllocator;

/**
 * The receive-buffer sizing policy of every relayed socket, client and backend alike.
 * <p>
 * Netty gives each channel a policy object of its own (64 bytes with compact headers),
 * although it holds nothing but its limits; the per-channel state is the handle it makes.
 * With two sockets per session, one shared instance saves about 130 bytes of every idle
 * session. The limits are Netty's defaults; 16 reads per read loop is what Netty's own
 * stream channels (NIO, epoll, io_uring) would have set on their private copy.
 */
final class ReceiveBuffers {

	static final RecvByteBufAllocator SHARED = new AdaptiveRecvByteBufAllocator().maxMessagesPerRead(16);

	private ReceiveBuffers() {
	}

}
