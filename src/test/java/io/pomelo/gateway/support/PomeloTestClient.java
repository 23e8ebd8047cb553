package io.pomelo.gateway.support;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.handler.ssl.SslContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import io.pomelo.gateway.pomelo.Handshake;
import io.pomelo.gateway.pomelo.Handshake.ServerHandshake;
import io.pomelo.gateway.pomelo.MessageType;
import io.pomelo.gateway.pomelo.PackageType;
import io.pomelo.gateway.pomelo.PomeloMessage;
import io.pomelo.gateway.pomelo.PomeloPackage;

/**
 * A Pomelo client for tests, built on the gateway's own codec: it handshakes,
 * acknowledges, answers heartbeats the way pomelo-jsclient does (one heartbeat per
 * interval after each one received), matches responses to requests by id, and collects
 * pushes and kicks. Each package goes in a frame of its own, as a real Pomelo server
 * requires.
 */
public final class PomeloTestClient implements AutoCloseable {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final WsTestClient ws;

	private final CompletableFuture<ServerHandshake> handshake = new CompletableFuture<>();

	private final Map<Long, CompletableFuture<PomeloMessage>> pending = new ConcurrentHashMap<>();

	private final BlockingQueue<PomeloMessage> pushes = new LinkedBlockingQueue<>();

	private final BlockingQueue<String> kicks = new LinkedBlockingQueue<>();

	private final AtomicLong ids = new AtomicLong();

	private final AtomicInteger heartbeatsReceived = new AtomicInteger();

	private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor((r) -> {
		Thread thread = new Thread(r, "pomelo-test-heartbeat");
		thread.setDaemon(true);
		return thread;
	});

	private volatile Map<Integer, String> routesByCode = Map.of();

	private volatile int heartbeatSeconds;

	private volatile boolean answerHeartbeats = true;

	private PomeloTestClient(WsTestClient ws) {
		this.ws = ws;
		ws.onFrame(this::onFrame);
	}

	/** Connects over ws:// or wss://. */
	public static PomeloTestClient connect(URI uri, SslContext ssl) {
		return new PomeloTestClient(WsTestClient.connect(uri, ssl));
	}

	/** Connects over its own WebSocket, opened with whatever options the test needs. */
	public static PomeloTestClient over(WsTestClient ws) {
		return new PomeloTestClient(ws);
	}

	/** The WebSocket underneath, for close codes and drops. */
	public WsTestClient ws() {
		return this.ws;
	}

	private void onFrame(WsTestClient.Frame frame) {
		if (frame.kind() != WsTestClient.Kind.BINARY) {
			return;
		}
		for (PomeloPackage pkg : PomeloPackage.decodeAll(frame.data())) {
			switch (pkg.type()) {
				case HANDSHAKE -> this.handshake.complete(Handshake.parseServer(pkg.body()));
				case HEARTBEAT -> {
					this.heartbeatsReceived.incrementAndGet();
					if (this.answerHeartbeats && this.heartbeatSeconds > 0) {
						this.timer.schedule(() -> send(new PomeloPackage(PackageType.HEARTBEAT, null)),
								this.heartbeatSeconds, TimeUnit.SECONDS);
					}
				}
				case DATA -> onMessage(PomeloMessage.decode(pkg.body()));
				case KICK -> this.kicks.add(new String(pkg.body(), StandardCharsets.UTF_8));
				default -> {
				}
			}
		}
	}

	private void onMessage(PomeloMessage message) {
		if (message.type() == MessageType.RESPONSE) {
			CompletableFuture<PomeloMessage> future = this.pending.remove(message.id());
			if (future != null) {
				future.complete(message);
			}
		}
		else if (message.type() == MessageType.PUSH) {
			if (message.routeCompressed()) {
				String route = this.routesByCode.get(message.routeCode());
				message = new PomeloMessage(MessageType.PUSH, 0, route, -1, message.body());
			}
			this.pushes.add(message);
		}
	}

	private void send(PomeloPackage pkg) {
		if (this.ws.isOpen()) {
			this.ws.sendBinary(pkg.encode());
		}
	}

	/** Handshakes as pomelo-jsclient 0.0.1 and acknowledges when the server accepts. */
	public ServerHandshake handshake() {
		return handshake("0.0.1");
	}

	/** Handshakes with this client version and acknowledges when the server accepts. */
	public ServerHandshake handshake(String version) {
		send(new PomeloPackage(PackageType.HANDSHAKE, Handshake.clientHello("js-websocket", version, Map.of())));
		ServerHandshake answer = await(this.handshake, Duration.ofSeconds(10), "handshake");
		if (answer.code() == Handshake.OK) {
			Map<Integer, String> byCode = new ConcurrentHashMap<>();
			answer.dict().forEach((route, code) -> byCode.put(code, route));
			this.routesByCode = byCode;
			this.heartbeatSeconds = answer.heartbeatSeconds();
			send(new PomeloPackage(PackageType.HANDSHAKE_ACK, null));
		}
		return answer;
	}

	/** Stops answering heartbeats, as a frozen client would. */
	public void stopHeartbeats() {
		this.answerHeartbeats = false;
	}

	/** Heartbeats received from the server so far. */
	public int heartbeatsReceived() {
		return this.heartbeatsReceived.get();
	}

	/** Sends a request with a JSON body and waits for its response. */
	public JsonNode request(String route, Object body) {
		return request(route, body, Duration.ofSeconds(10));
	}

	/** Sends a request with a JSON body and waits up to the timeout for its response. */
	public JsonNode request(String route, Object body, Duration timeout) {
		long id = this.ids.incrementAndGet();
		CompletableFuture<PomeloMessage> future = new CompletableFuture<>();
		this.pending.put(id, future);
		send(new PomeloPackage(PackageType.DATA,
				PomeloMessage.request(id, route, JSON.writeValueAsBytes(body)).encode()));
		return JSON.readTree(await(future, timeout, "response to " + route).bodyText());
	}

	/** Sends a notify with a JSON body. */
	public void notify(String route, Object body) {
		send(new PomeloPackage(PackageType.DATA, PomeloMessage.notify(route, JSON.writeValueAsBytes(body)).encode()));
	}

	/** The next push, waiting up to the timeout. */
	public PomeloMessage awaitPush(Duration timeout) {
		return Queues.poll(this.pushes, timeout, "push");
	}

	/** The body of the next kick package, waiting up to the timeout. */
	public String awaitKick(Duration timeout) {
		return Queues.poll(this.kicks, timeout, "kick");
	}

	private static <T> T await(CompletableFuture<T> future, Duration timeout, String what) {
		try {
			return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (Exception ex) {
			throw new AssertionError("no " + what + " within " + timeout, ex);
		}
	}

	@Override
	public void close() {
		this.timer.shutdownNow();
		this.ws.close();
	}

	/** Parses JSON text, for assertions. */
	public static JsonNode json(String text) {
		return JSON.readTree(text);
	}

}
