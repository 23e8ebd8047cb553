package io.pomelo.gateway.relay;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLException;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ReflectiveChannelFactory;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.dns.DnsAddressResolverGroup;
import io.netty.resolver.dns.DnsNameResolverBuilder;

import io.pomelo.gateway.route.BackendEndpoint;

/**
 * Opens the TCP (and, for wss://, TLS) connection of a backend handshake with plain
 * Netty, on the client's own event loop and transport, so that a session's two sockets
 * never hop threads. The handshake itself is the {@link BackendHandshake} handler this
 * installs.
 * <p>
 * Connections are never pooled: a WebSocket owns its TCP connection for life. Backend
 * names resolve through Netty's asynchronous DNS resolver, never by blocking an event
 * loop.
 */
public class BackendConnector {

	static final String DECODER = "pomelo-gateway-backend-decoder";

	// A 101 is a status line and a handful of headers; anything larger is not a WebSocket
	// server.
	private static final HttpDecoderConfig RESPONSE_LIMITS = new HttpDecoderConfig().setMaxInitialLineLength(4096)
		.setMaxHeaderSize(8192);

	private final int connectTimeoutMillis;

	private final AtomicInteger open = new AtomicInteger();

	private final Map<Class<?>, ChannelFactory<? extends Channel>> factories = new ConcurrentHashMap<>();

	private final Map<Class<?>, AddressResolverGroup<InetSocketAddress>> resolvers = new ConcurrentHashMap<>();

	private volatile SslContext tls;

	public BackendConnector(Duration connectTimeout) {
		this.connectTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis());
	}

	/**
	 * Connects to a backend on the client's event loop.
	 * @param client the client's channel, whose event loop and transport the backend
	 * channel shares
	 * @param endpoint where to connect
	 * @param handshake the handler that writes the upgrade request and reads the answer
	 * @return the connect future; its channel is the backend channel
	 */
	ChannelFuture connect(Channel client, BackendEndpoint endpoint, BackendHandshake handshake) {
		Class<? extends Channel> type = client.getClass();
		Bootstrap bootstrap = new Bootstrap().group(client.eventLoop())
			.channelFactory(this.factories.computeIfAbsent(type, (t) -> new ReflectiveChannelFactory<>(type)))
			.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, this.connectTimeoutMillis)
			.option(ChannelOption.TCP_NODELAY, true)
			.option(ChannelOption.RCVBUF_ALLOCATOR, ReceiveBuffers.SHARED)
			.resolver(this.resolvers.computeIfAbsent(type, BackendConnector::resolverFor))
			.handler(new ChannelInitializer<>() {
				@Override
				protected void initChannel(Channel channel) throws SSLException {
					ChannelPipeline pipeline = channel.pipeline();
					if (endpoint.secure()) {
						pipeline.addLast(tls().newHandler(channel.alloc(), endpoint.host(), endpoint.port()));
					}
					pipeline.addLast(DECODER, new HttpResponseDecoder(RESPONSE_LIMITS));
					pipeline.addLast(BackendHandshake.NAME, handshake);
				}
			});
		ChannelFuture future = bootstrap.connect(endpoint.socketAddress());
		this.open.incrementAndGet();
		future.channel().closeFuture().addListener((closed) -> this.open.decrementAndGet());
		return future;
	}

	/** Backend TCP connections open right now, counted from the channels themselves. */
	public int openConnections() {
		return this.open.get();
	}

	private SslContext tls() throws SSLException {
		SslContext context = this.tls;
		if (context == null) {
			synchronized (this) {
				context = this.tls;
				if (context == null) {
					// The JDK's trust store and host name verification: a wss:// backend
					// is checked as a browser would.
					context = SslContextBuilder.forClient()
						.sslProvider(OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK)
						.endpointIdentificationAlgorithm("HTTPS")
						.build();
					this.tls = context;
				}
			}
		}
		return context;
	}

	/**
	 * An asynchronous DNS resolver whose UDP channels use the same transport as the
	 * client's socket.
	 */
	@SuppressWarnings("unchecked")
	private static AddressResolverGroup<InetSocketAddress> resolverFor(Class<?> socketType) {
		String datagram = socketType.getName().replace("SocketChannel", "DatagramChannel");
		Class<? extends DatagramChannel> datagramType;
		try {
			datagramType = (Class<? extends DatagramChannel>) Class.forName(datagram, false,
					socketType.getClassLoader());
		}
		catch (ClassNotFoundException ex) {
			datagramType = NioDatagramChannel.class;
		}
		DnsNameResolverBuilder builder = new DnsNameResolverBuilder().datagramChannelType(datagramType);
		if (SocketChannel.class.isAssignableFrom(socketType)) {
			builder.socketChannelType((Class<? extends SocketChannel>) socketType);
		}
		return new DnsAddressResolverGroup(builder);
	}

}
