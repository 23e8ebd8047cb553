package io.pomelo.gateway.support;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.WebsocketServerSpec;

/**
 * A real WebSocket backend on a free loopback port that echoes every frame one for one,
 * records what the gateway sent it, and obeys a few text commands:
 * <ul>
 * <li>{@code close:<code>:<reason>} sends a close frame with that code and reason;</li>
 * <li>{@code vanish} drops the TCP connection without a close frame;</li>
 * <li>{@code burst:<n>} sends n text frames {@code burst-0 .. burst-(n-1)} in a row.</li>
 * </ul>
 * A handshake on a path starting with {@code /forbidden} is refused with 403. Pings are
 * recorded and answered with a pong carrying the same payload.
 */
public final class EchoBackend implements AutoCloseable {

	/** One handshake as the backend saw it. */
	public record Handshake(String uri, Map<String, String> headers) {
	}

	private final DisposableServer server;

	private final AtomicInteger open = new AtomicInteger();

	private final Set<Channel> connections = ConcurrentHashMap.newKeySet();

	private final AtomicInteger accepted = new AtomicInteger();

	private final BlockingQueue<Handshake> handshakes = new LinkedBlockingQueue<>();

	private final BlockingQueue<WsTestClient.Close> closes = new LinkedBlockingQueue<>();

	private final AtomicInteger pings = new AtomicInteger();

	private EchoBackend(String subprotocols) {
		WebsocketServerSpec.Builder spec = WebsocketServerSpec.builder()
			.handlePing(true)
			.maxFramePayloadLength(64 * 1024 * 1024);
		if (subprotocols != null) {
			spec.protocols(subprotocols);
		}
		WebsocketServerSpec built = spec.build();
		this.server = HttpServer.create().host("127.0.0.1").port(0).doOnConnection((connection) -> {
			this.open.incrementAndGet();
			Channel channel = connection.channel();
			this.connections.add(channel);
			channel.closeFuture().addListener((f) -> {
				this.open.decrementAndGet();
				this.connections.remove(channel);
			});
		}).handle((request, response) -> {
			if (request.uri().startsWith("/forbidden")) {
				return response.status(403).sendString(Mono.just("no entry"));
			}
			this.handshakes.add(new Handshake(request.uri(),
					request.requestHeaders()
						.entries()
						.stream()
						.collect(Collectors.toMap((e) -> e.getKey().toLowerCase(), Map.Entry::getValue,
								(a, b) -> a + "," + b))));
			return response.sendWebsocket((in, out) -> {
				in.receiveCloseStatus()
					.subscribe((status) -> this.closes.add(new WsTestClient.Close(status.code(), status.reasonText())),
							(error) -> this.closes.add(new WsTestClient.Close(-1, error.toString())),
							() -> this.closes.add(new WsTestClient.Close(-1, "no close frame")));
				Flux<WebSocketFrame> replies = in.receiveFrames().concatMap((frame) -> {
					if (frame instanceof PingWebSocketFrame) {
						this.pings.incrementAndGet();
						return Mono.just(new PongWebSocketFrame(frame.content().retain()));
					}
					if (frame instanceof TextWebSocketFrame text && frame.isFinalFragment()) {
						String command = text.text();
						if (command.startsWith("close:")) {
							String[] parts = command.split(":", 3);
							out.sendClose(Integer.parseInt(parts[1]), parts[2]).subscribe();
							return Mono.empty();
						}
						if (command.equals("vanish")) {
							in.withConnection((connection) -> connection.channel().close());
							return Mono.empty();
						}
						if (command.startsWith("burst:")) {
							int n = Integer.parseInt(command.substring(6));
							return Flux.range(0, n).map((i) -> new TextWebSocketFrame("burst-" + i));
						}
					}
					return Mono.just(frame.retain());
				});
				return out.sendObject(replies).then();
			}, built);
		}).bindNow(Duration.ofSeconds(10));
	}

	/** Starts an echo backend. */
	public static EchoBackend start() {
		return new EchoBackend(null);
	}

	/**
	 * Starts an echo backend that supports these subprotocols, in order of preference.
	 */
	public static EchoBackend start(String subprotocols) {
		return new EchoBackend(subprotocols);
	}

	public int port() {
		return this.server.port();
	}

	/** ws:// URI of the backend. */
	public String uri() {
		return "ws://127.0.0.1:" + port();
	}

	/** TCP connections open on the backend right now. */
	public int openConnections() {
		return this.open.get();
	}

	/** TCP connections accepted since the backend started. */
	public int acceptedConnections() {
		return this.accepted.get();
	}

	/** Pings received so far. */
	public int pings() {
		return this.pings.get();
	}

	/** The next handshake the backend received. */
	public Handshake nextHandshake(Duration timeout) {
		return Queues.poll(this.handshakes, timeout, "handshake");
	}

	/** The next close status the backend saw. */
	public WsTestClient.Close nextClose(Duration timeout) {
		return Queues.poll(this.closes, timeout, "close");
	}

	/** Forgets everything recorded so far. */
	public void reset() {
		this.handshakes.clear();
		this.closes.clear();
		this.pings.set(0);
	}

	@Override
	public void close() {
		this.server.disposeNow(Duration.ofSeconds(5));
	}

	/**
	 * Drops every connection without a close frame, as a backend process that dies does;
	 * {@link #close()} alone leaves upgraded connections open.
	 */
	public void dropConnections() {
		this.connections.forEach(Channel::close);
	}

}
