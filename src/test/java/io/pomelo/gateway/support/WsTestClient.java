package io.pomelo.gateway.support;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.ssl.SslContext;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.WebsocketClientSpec;
import reactor.netty.http.websocket.WebsocketInbound;
import reactor.netty.http.websocket.WebsocketOutbound;
import reactor.netty.resources.ConnectionProvider;

/**
 * A frame-level WebSocket client for tests: it records every frame it receives, exactly
 * as received, and can send any frame, close with any code, or drop the TCP connection
 * without a close frame.
 */
public final class WsTestClient implements AutoCloseable {

	/**
	 * How a connection ended: a close frame's code and reason, or code -1 when it dropped
	 * without one.
	 */
	public record Close(int code, String reason) {
	}

	/** One received frame. */
	public record Frame(Kind kind, byte[] data, boolean fin) {

		public String text() {
			return new String(this.data, StandardCharsets.UTF_8);
		}

	}

	/** Frame kinds. */
	public enum Kind {

		TEXT, BINARY, PING, PONG, CONTINUATION

	}

	private final Connection connection;

	private final BlockingQueue<Frame> frames = new LinkedBlockingQueue<>();

	private final CompletableFuture<Close> closed = new CompletableFuture<>();

	private volatile Consumer<Frame> listener;

	private WsTestClient(Connection connection) {
		this.connection = connection;
		WebsocketInbound in = (WebsocketInbound) connection;
		in.receiveFrames().subscribe((frame) -> deliver(copy(frame)), (error) -> {
		});
		in.receiveCloseStatus()
			.subscribe((status) -> this.closed.complete(new Close(status.code(), status.reasonText())),
					(error) -> this.closed.complete(new Close(-1, error.toString())),
					() -> this.closed.complete(new Close(-1, "no close frame")));
	}

	/**
	 * Opens a connection and waits for the 101.
	 * @param ssl the TLS context for wss:// URIs, or {@code null}
	 * @param headers extra request headers
	 * @param subprotocols offered subprotocols, comma separated, or {@code null}
	 */
	public static WsTestClient connect(URI uri, SslContext ssl, Map<String, String> headers, String subprotocols) {
		return connect(uri, ssl, headers, subprotocols, false, null);
	}

	/**
	 * Opens a connection and waits for the 101.
	 * @param compress whether to offer permessage-deflate (and use it when the server
	 * agrees)
	 * @param localAddress the loopback address to connect from, or {@code null} for any
	 */
	public static WsTestClient connect(URI uri, SslContext ssl, Map<String, String> headers, String subprotocols,
			boolean compress, String localAddress) {
		HttpClient client = HttpClient.create(ConnectionProvider.newConnection());
		if (localAddress != null) {
			client = client.bindAddress(() -> new java.net.InetSocketAddress(localAddress, 0));
		}
		if (ssl != null) {
			client = client.secure((spec) -> spec.sslContext(ssl));
		}
		WebsocketClientSpec.Builder spec = WebsocketClientSpec.builder()
			.handlePing(true)
			.maxFramePayloadLength(64 * 1024 * 1024)
			.compress(compress);
		if (subprotocols != null) {
			spec.protocols(subprotocols);
		}
		Connection connection = client.headers((h) -> headers.forEach(h::set))
			.websocket(spec.build())
			.uri(uri)
			.connect()
			.block(Duration.ofSeconds(10));
		return new WsTestClient(connection);
	}

	/** Opens a plain or TLS connection with no extra headers. */
	public static WsTestClient connect(URI uri, SslContext ssl) {
		return connect(uri, ssl, Map.of(), null);
	}

	private void deliver(Frame frame) {
		Consumer<Frame> listener = this.listener;
		if (listener != null) {
			listener.accept(frame);
		}
		else {
			this.frames.add(frame);
		}
	}

	/**
	 * Hands every later frame to the listener instead of the queue.
	 */
	public void onFrame(Consumer<Frame> listener) {
		this.listener = listener;
	}

	private static Frame copy(WebSocketFrame frame) {
		Kind kind;
		if (frame instanceof TextWebSocketFrame) {
			kind = Kind.TEXT;
		}
		else if (frame instanceof BinaryWebSocketFrame) {
			kind = Kind.BINARY;
		}
		else if (frame instanceof PingWebSocketFrame) {
			kind = Kind.PING;
		}
		else if (frame instanceof PongWebSocketFrame) {
			kind = Kind.PONG;
		}
		else {
			kind = Kind.CONTINUATION;
		}
		return new Frame(kind, ByteBufUtil.getBytes(frame.content()), frame.isFinalFragment());
	}

	/** A header of the server's 101, or {@code null}. */
	public String responseHeader(String name) {
		return ((WebsocketInbound) this.connection).headers().get(name);
	}

	/** The subprotocol the server selected, or {@code null}. */
	public String selectedSubprotocol() {
		return ((WebsocketInbound) this.connection).selectedSubprotocol();
	}

	/** Sends one frame and waits until it is written. */
	public void send(WebSocketFrame frame) {
		((WebsocketOutbound) this.connection).sendObject(Mono.just(frame)).then().block(Duration.ofSeconds(10));
	}

	public void sendText(String text) {
		send(new TextWebSocketFrame(text));
	}

	public void sendBinary(byte[] data) {
		send(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(data)));
	}

	public void sendPing(byte[] data) {
		send(new PingWebSocketFrame(Unpooled.wrappedBuffer(data)));
	}

	public void sendPong(byte[] data) {
		send(new PongWebSocketFrame(Unpooled.wrappedBuffer(data)));
	}

	public void sendFragment(boolean first, boolean fin, String text) {
		send(first ? new TextWebSocketFrame(fin, 0, text) : new ContinuationWebSocketFrame(fin, 0, text));
	}

	/** Sends a close frame with this code and reason. */
	public void close(int code, String reason) {
		((WebsocketOutbound) this.connection).sendClose(code, reason).block(Duration.ofSeconds(10));
	}

	/** Drops the TCP connection without a close frame. */
	public void abort() {
		this.connection.channel().close().syncUninterruptibly();
	}

	/** The next received frame, waiting up to the timeout; fails when none arrives. */
	public Frame nextFrame(Duration timeout) {
		try {
			Frame frame = this.frames.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
			if (frame == null) {
				throw new AssertionError("no frame within " + timeout);
			}
			return frame;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new AssertionError(ex);
		}
	}

	/**
	 * How the connection ended, waiting up to the timeout; fails when it is still open.
	 */
	public Close awaitClose(Duration timeout) {
		try {
			return this.closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (Exception ex) {
			throw new AssertionError("connection not closed within " + timeout, ex);
		}
	}

	/** Whether the connection has ended. */
	public boolean isClosed() {
		return this.closed.isDone();
	}

	/** The TCP channel is still open. */
	public boolean isOpen() {
		return this.connection.channel().isActive();
	}

	@Override
	public void close() {
		this.connection.dispose();
	}

}
