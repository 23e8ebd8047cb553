package io.pomelo.gateway.admission;

import java.net.InetSocketAddress;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolException;

import io.pomelo.gateway.config.ClientAddressProperties.Source;

/**
 * The first handler of every data-port connection, in front of TLS: it learns who the
 * client is (the peer, or the PROXY protocol header that precedes everything else) and
 * admits the connection or closes it before any TLS work is spent on it. It also starts
 * the clock that bounds how long a client may take to finish TLS and send its request.
 */
public final class ConnectionGate extends ChannelInboundHandlerAdapter {

	/** The gate's name in the pipeline. */
	public static final String NAME = "pomelo-gateway-gate";

	private static final String DECODER = "pomelo-gateway-proxy-decoder";

	private static final String READER = "pomelo-gateway-proxy-reader";

	// PROXY v2 may carry TLVs; the gateway needs none of them, so it accepts only a few.
	private static final int MAX_TLV_BYTES = 512;

	private final ClientConnection connection;

	private final ClientAddressResolver resolver;

	public ConnectionGate(ClientConnection connection, ClientAddressResolver resolver) {
		this.connection = connection;
		this.resolver = resolver;
	}

	@Override
	public void channelActive(ChannelHandlerContext ctx) {
		InetSocketAddress peer = (InetSocketAddress) ctx.channel().remoteAddress();
		this.connection.accepted();
		if (this.resolver.source() == Source.PROXY_PROTOCOL) {
			if (!this.resolver.mayProxy(peer.getAddress())) {
				this.connection.failed(ClientEvent.REFUSED_UNTRUSTED_PROXY);
				return;
			}
			ctx.pipeline()
				.addAfter(NAME, DECODER, new HAProxyMessageDecoder(MAX_TLV_BYTES))
				.addAfter(DECODER, READER, new ProxyHeaderReader(peer));
		}
		else if (!this.connection.admit(this.resolver.fromPeer(peer))) {
			return;
		}
		ctx.fireChannelActive();
	}

	@Override
	public void channelInactive(ChannelHandlerContext ctx) {
		this.connection.closed();
		ctx.fireChannelInactive();
	}

	/**
	 * Reads the one PROXY header of a connection, then leaves the pipeline; the bytes
	 * after it (the TLS ClientHello) flow on as they came.
	 */
	private final class ProxyHeaderReader extends ChannelInboundHandlerAdapter {

		private final InetSocketAddress peer;

		ProxyHeaderReader(InetSocketAddress peer) {
			this.peer = peer;
		}

		@Override
		public void channelRead(ChannelHandlerContext ctx, Object msg) {
			if (msg instanceof HAProxyMessage header) {
				try {
					ctx.pipeline().remove(this);
					ConnectionGate.this.connection
						.admit(ConnectionGate.this.resolver.fromProxyHeader(header, this.peer));
				}
				finally {
					header.release();
				}
				return;
			}
			ctx.fireChannelRead(msg);
		}

		@Override
		public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
			if (cause instanceof HAProxyProtocolException) {
				ConnectionGate.this.connection.failed(ClientEvent.REFUSED_BAD_PROXY_HEADER);
				return;
			}
			ctx.fireExceptionCaught(cause);
		}

	}

}
