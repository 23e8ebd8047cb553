package io.pomelo.gateway.support;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.ScheduledFuture;

/**
 * Many Pomelo players at once on a couple of threads, for fault and scale tests: each
 * connects, does the Pomelo handshake and its ack, answers heartbeats one interval later
 * (as pomelo-jsclient does), and records how and when its session ended. A thread per
 * player (as {@link PomeloTestClient} has) would not scale to thousands.
 */
public final class PomeloCrowd implements AutoCloseable {

	private static final byte[] HANDSHAKE = pomeloPackage(1,
			"{\"sys\":{\"type\":\"js-websocket\",\"version\":\"0.0.1\"},\"user\":{}}".getBytes(StandardCharsets.UTF_8));

	private static final byte[] ACK = pomeloPackage(2, new byte[0]);

	private static final byte[] HEARTBEAT = pomeloPackage(3, new byte[0]);

	private static final Pattern HEARTBEAT_SECONDS = Pattern.compile("\"heartbeat\"\\s*:\\s*(\\d+)");

	/**
	 * How one session ended: the close code (-1 without a close frame) and when, by
	 * {@link System#nanoTime()}.
	 */
	public record Ending(int code, String reason, long atNanos) {
	}

	private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());

	private final List<Channel> channels = new ArrayList<>();

	private final Map<Channel, Ending> endings = new ConcurrentHashMap<>();

	private final AtomicInteger ready = new AtomicInteger();

	// Why players failed before they were ready: an HTTP status, or the exception's
	// class.
	private final Map<String, AtomicInteger> failures = new ConcurrentHashMap<>();

	private final URI uri;

	private final SslContext ssl;

	private PomeloCrowd(URI uri, SslContext ssl) {
		this.uri = uri;
		this.ssl = ssl;
	}

	/**
	 * Connects {@code count} players and waits until every one has finished its Pomelo
	 * handshake.
	 * @param ssl the client TLS context for wss://, or {@code null}
	 */
	public static PomeloCrowd connect(URI uri, SslContext ssl, int count, Duration timeout) {
		return connect(uri, ssl, count, timeout, List.of());
	}

	/**
	 * Connects {@code count} players from these loopback source addresses in turn (all
	 * from the default address when the list is empty), as players behind many NATs would
	 * come.
	 */
	public static PomeloCrowd connect(URI uri, SslContext ssl, int count, Duration timeout, List<String> sources) {
		PomeloCrowd crowd = new PomeloCrowd(uri, ssl);
		CountDownLatch all = new CountDownLatch(count);
		int inFlight = 64;
		java.util.concurrent.Semaphore window = new java.util.concurrent.Semaphore(inFlight);
		long deadline = System.nanoTime() + timeout.toNanos();
		try {
			for (int i = 0; i < count; i++) {
				if (!window.tryAcquire(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
					break;
				}
				String source = sources.isEmpty() ? null : sources.get(i % sources.size());
				crowd.open(source, () -> {
					window.release();
					all.countDown();
				}, window::release);
			}
			if (!all.await(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
				// The players that did get in must not outlive the failure into the next
				// test.
				crowd.close();
				throw new IllegalStateException(crowd.ready.get() + " of " + count + " players ready within " + timeout
						+ "; failures before ready: " + crowd.failures + "; endings so far: " + crowd.endingCodes()
						+ "; " + FileDescriptors.describe());
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
		return crowd;
	}

	private void open(String source, Runnable onReady, Runnable onFailure) {
		int port = (this.uri.getPort() > 0) ? this.uri.getPort() : ("wss".equals(this.uri.getScheme()) ? 443 : 80);
		Bootstrap bootstrap = new Bootstrap().group(this.group)
			.channel(NioSocketChannel.class)
			.handler(new ChannelInitializer<SocketChannel>() {
				@Override
				protected void initChannel(SocketChannel channel) {
					if (PomeloCrowd.this.ssl != null) {
						channel.pipeline()
							.addLast(PomeloCrowd.this.ssl.newHandler(channel.alloc(), PomeloCrowd.this.uri.getHost(),
									port));
					}
					WebSocketClientProtocolConfig config = WebSocketClientProtocolConfig.newBuilder()
						.webSocketUri(PomeloCrowd.this.uri)
						.version(WebSocketVersion.V13)
						.customHeaders(new DefaultHttpHeaders())
						.handleCloseFrames(false)
						.dropPongFrames(true)
						.handshakeTimeoutMillis(30_000)
						.build();
					channel.pipeline()
						.addLast(new HttpClientCodec(), new HttpObjectAggregator(65536),
								new WebSocketClientProtocolHandler(config), new Player(onReady, onFailure));
				}
			});
		io.netty.channel.ChannelFuture connect = (source != null)
				? bootstrap.connect(new java.net.InetSocketAddress(this.uri.getHost(), port),
						new java.net.InetSocketAddress(source, 0))
				: bootstrap.connect(this.uri.getHost(), port);
		connect.addListener((f) -> {
			if (!f.isSuccess()) {
				onFailure.run();
			}
		});
		Channel channel = connect.channel();
		synchronized (this.channels) {
			this.channels.add(channel);
		}
		channel.closeFuture()
			.addListener((f) -> this.endings.putIfAbsent(channel, new Ending(-1, "no close frame", System.nanoTime())));
	}

	/** Players whose Pomelo handshake finished. */
	public int ready() {
		return this.ready.get();
	}

	/** How every session that ended so far ended. */
	public List<Ending> endings() {
		return List.copyOf(this.endings.values());
	}

	/** Close codes of the sessions that ended, with counts. */
	public Map<Integer, Long> endingCodes() {
		Map<Integer, Long> counts = new java.util.TreeMap<>();
		for (Ending ending : this.endings.values()) {
			counts.merge(ending.code(), 1L, Long::sum);
		}
		return counts;
	}

	@Override
	public void close() {
		synchronized (this.channels) {
			this.channels.forEach(Channel::close);
		}
		this.group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
	}

	private static byte[] pomeloPackage(int type, byte[] body) {
		byte[] out = new byte[4 + body.length];
		out[0] = (byte) type;
		out[1] = (byte) (body.length >> 16);
		out[2] = (byte) (body.length >> 8);
		out[3] = (byte) body.length;
		System.arraycopy(body, 0, out, 4, body.length);
		return out;
	}

	/**
	 * One player: Pomelo handshake after the 101, ack after the server's answer,
	 * heartbeats answered.
	 */
	private final class Player extends SimpleChannelInboundHandler<WebSocketFrame> {

		private final Runnable onReady;

		private final Runnable onFailure;

		private boolean isReady;

		// The server's heartbeat interval from its handshake answer; 0 when it has none.
		private int heartbeatSeconds;

		private ScheduledFuture<?> nextHeartbeat;

		Player(Runnable onReady, Runnable onFailure) {
			this.onReady = onReady;
			this.onFailure = onFailure;
		}

		@Override
		public void channelInactive(ChannelHandlerContext ctx) {
			if (this.nextHeartbeat != null) {
				this.nextHeartbeat.cancel(false);
			}
			if (!this.isReady) {
				this.isReady = true;
				PomeloCrowd.this.failures.computeIfAbsent("closed before ready", (k) -> new AtomicInteger())
					.incrementAndGet();
				this.onFailure.run();
			}
			ctx.fireChannelInactive();
		}

		@Override
		public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
			if (event == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
				ctx.writeAndFlush(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(HANDSHAKE)));
			}
			ctx.fireUserEventTriggered(event);
		}

		@Override
		protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
			if (frame instanceof CloseWebSocketFrame close) {
				PomeloCrowd.this.endings.putIfAbsent(ctx.channel(),
						new Ending(close.statusCode(), close.reasonText(), System.nanoTime()));
				ctx.writeAndFlush(new CloseWebSocketFrame(close.statusCode(), "")).addListener((f) -> ctx.close());
				return;
			}
			if (!(frame instanceof BinaryWebSocketFrame)) {
				return;
			}
			ByteBuf content = frame.content();
			int type = content.getByte(content.readerIndex());
			if (type == 1) {
				Matcher interval = HEARTBEAT_SECONDS.matcher(content.toString(content.readerIndex() + 4,
						content.readableBytes() - 4, StandardCharsets.UTF_8));
				this.heartbeatSeconds = interval.find() ? Integer.parseInt(interval.group(1)) : 0;
				ctx.writeAndFlush(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(ACK)));
				if (!this.isReady) {
					this.isReady = true;
					PomeloCrowd.this.ready.incrementAndGet();
					this.onReady.run();
				}
			}
			else if (type == 3 && this.heartbeatSeconds > 0
					&& (this.nextHeartbeat == null || this.nextHeartbeat.isDone())) {
				// Pomelo answers each heartbeat at once and leaves the pacing to the
				// client; an immediate answer would make every session a heartbeat storm
				// that saturates the connector's single thread.
				this.nextHeartbeat = ctx.executor()
					.schedule(() -> ctx.writeAndFlush(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(HEARTBEAT))),
							this.heartbeatSeconds, TimeUnit.SECONDS);
			}
		}

		@Override
		public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
			if (!this.isReady) {
				String why = (cause instanceof io.netty.handler.codec.http.websocketx.WebSocketClientHandshakeException refused
						&& refused.response() != null)
								? "HTTP " + refused.response().status().code() + " "
										+ refused.response().headers().get("X-Pomelo-Gateway-Error")
								: cause.getClass().getSimpleName();
				PomeloCrowd.this.failures.computeIfAbsent(why, (k) -> new AtomicInteger()).incrementAndGet();
			}
			ctx.close();
		}

	}

}
