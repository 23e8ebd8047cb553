package io.pomelo.gateway.relay;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpHeaders;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import reactor.netty.NettyPipeline;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.WebsocketClientSpec;
import reactor.netty.resources.ConnectionProvider;

import io.pomelo.gateway.route.BackendTarget;

/**
 * Opens WebSocket connections to backends. The returned connection emits only after the backend's
 * 101, which is what lets the relay refuse a client cleanly when the backend is down.
 * <p>
 * Connections are never pooled: a WebSocket owns its TCP connection for life, and a pool only adds
 * bookkeeping to every handshake.
 */
public class BackendConnector {

	private final HttpClient client;

	private final Duration handshakeTimeout;

	private final AtomicInteger open = new AtomicInteger();

	public BackendConnector(Duration connectTimeout, Duration handshakeTimeout) {
		this.handshakeTimeout = handshakeTimeout;
		this.client = HttpClient.create(ConnectionProvider.newConnection())
			.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectTimeout.toMillis())
			.option(ChannelOption.TCP_NODELAY, true)
			.doOnConnected((connection) -> {
				this.open.incrementAndGet();
				// Counts frames that Netty might decode before the tunnel takes over (there should be none).
				connection.channel().pipeline().addBefore(NettyPipeline.ReactiveBridge, EarlyFrameGuard.NAME, new EarlyFrameGuard());
				connection.channel().closeFuture().addListener((future) -> this.open.decrementAndGet());
			});
	}

	/**
	 * Connects to the target and completes the backend's WebSocket handshake.
	 * @param target where to connect
	 * @param headers the headers to send, already filtered and with X-Forwarded-* added
	 * @param subprotocols the client's offered subprotocols, comma separated, or {@code null}
	 * @param maxFramePayload largest frame payload accepted from the backend
	 * @param eventLoop the client channel's event loop: the backend channel lives on it too, so the
	 * relay never hops threads, and the client's upgrade runs where its channel's reads happen (upgrading
	 * from another thread lets an early client frame reach the HTTP layer and be lost)
	 * @return the connection, usable as {@code WebsocketInbound} and {@code WebsocketOutbound}
	 */
	public Mono<? extends Connection> connect(BackendTarget target, HttpHeaders headers, String subprotocols,
			int maxFramePayload, EventLoop eventLoop) {
		WebsocketClientSpec.Builder spec = WebsocketClientSpec.builder()
			.maxFramePayloadLength(maxFramePayload)
			.handlePing(true)
			.compress(false);
		if (subprotocols != null && !subprotocols.isEmpty()) {
			spec.protocols(subprotocols);
		}
		return this.client.runOn(eventLoop)
			.headers((outgoing) -> outgoing.set(headers))
			.websocket(spec.build())
			.uri(target.uri())
			.connect()
			.timeout(this.handshakeTimeout);
	}

	/** Backend TCP connections open right now, counted from the channels themselves. */
	public int openConnections() {
		return this.open.get();
	}

}
