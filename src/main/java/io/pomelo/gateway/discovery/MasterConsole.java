package io.pomelo.gateway.discovery;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One logged-in connection to a Pomelo master's admin console, the one
 * {@code pomelo list} uses: MQTT 3.1.1 framing over plain TCP, QoS 0 publishes only.
 * Login is a publish on {@code register}; requests go out on {@code client} as
 * {@code {reqId, moduleId, body}} and answers come back on {@code client} as
 * {@code {respId, error, body}}, often JSON encoded twice. A publish on {@code client}
 * without a {@code respId} is a notification from an admin module.
 * <p>
 * Every wait is bounded by the caller's timeout, and a closed connection fails whatever
 * waits on it, so a master that hangs or vanishes never stalls discovery.
 */
final class MasterConsole implements AutoCloseable {

	// The server list of a large cluster, with each server's start arguments, fits well
	// within this.
	private static final int MAX_MESSAGE = 16 * 1024 * 1024;

	private static final JsonMapper json = JsonMapper.builder().build();

	private final String address;

	private final Channel channel;

	private final CompletableFuture<Void> login = new CompletableFuture<>();

	private final Map<Long, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();

	private final AtomicLong requestIds = new AtomicLong();

	private final String clientId = "pomelo-wx-gateway-" + UUID.randomUUID();

	private final Consumer<JsonNode> notifications;

	private volatile String closedBecause;

	private MasterConsole(String address, Channel channel, Consumer<JsonNode> notifications) {
		this.address = address;
		this.channel = channel;
		this.notifications = notifications;
	}

	/**
	 * Connects and logs in as a console client.
	 * @param passwordMd5 the user's password as lowercase md5 hex, as the master compares
	 * it
	 * @param notifications gets the body of every notification an admin module sends this
	 * client
	 * @return the logged-in console, or a failure: {@link LoginRefusedException} when the
	 * master refused the credentials
	 */
	static CompletableFuture<MasterConsole> open(EventLoopGroup group, String host, int port, String username,
			String passwordMd5, Duration timeout, Consumer<JsonNode> notifications) {
		String address = host + ":" + port;
		CompletableFuture<MasterConsole> result = new CompletableFuture<>();
		Bootstrap bootstrap = new Bootstrap().group(group)
			.channel(NioSocketChannel.class)
			.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()))
			.handler(new ChannelInitializer<SocketChannel>() {
				@Override
				protected void initChannel(SocketChannel channel) {
					channel.pipeline().addLast(new MqttDecoder(MAX_MESSAGE), MqttEncoder.INSTANCE);
				}
			});
		bootstrap.connect(host, port).addListener((connected) -> {
			if (!connected.isSuccess()) {
				result.completeExceptionally(new IllegalStateException(
						"cannot connect to master " + address + ": " + connected.cause().getMessage(),
						connected.cause()));
				return;
			}
			Channel channel = ((io.netty.channel.ChannelFuture) connected).channel();
			MasterConsole console = new MasterConsole(address, channel, notifications);
			channel.pipeline().addLast(console.new Inbound(username, passwordMd5));
			channel.writeAndFlush(MqttMessageBuilders.connect()
				.clientId(console.clientId)
				.protocolVersion(MqttVersion.MQTT_3_1_1)
				.cleanSession(true)
				.keepAlive(0)
				.build());
			console.login.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).whenComplete((ok, failure) -> {
				if (failure == null) {
					result.complete(console);
				}
				else {
					console.close();
					result.completeExceptionally(
							(failure instanceof TimeoutException)
									? new IllegalStateException(
											"master " + address + " did not answer the login within " + timeout)
									: failure);
				}
			});
		});
		return result;
	}

	/** Whether the connection is still up. */
	boolean isOpen() {
		return this.channel.isActive();
	}

	/**
	 * The id this connection logged in with, which admin modules address notifications
	 * to.
	 */
	String clientId() {
		return this.clientId;
	}

	/**
	 * Sends a request to an admin module and returns its answer's body.
	 * @return the body, or a failure naming the module's error, the timeout or the closed
	 * connection
	 */
	CompletableFuture<JsonNode> request(String moduleId, Map<String, Object> body, Duration timeout) {
		long id = this.requestIds.incrementAndGet();
		CompletableFuture<JsonNode> answer = new CompletableFuture<>();
		String because = this.closedBecause;
		if (because != null || !this.channel.isActive()) {
			answer.completeExceptionally(
					new IllegalStateException("connection to master " + this.address + " is closed"));
			return answer;
		}
		this.pending.put(id, answer);
		byte[] payload = json.writeValueAsBytes(Map.of("reqId", id, "moduleId", moduleId, "body", body));
		this.channel.writeAndFlush(publish("client", payload));
		return answer.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).whenComplete((value, failure) -> {
			this.pending.remove(id);
		})
			.exceptionallyCompose((failure) -> CompletableFuture.failedFuture((failure instanceof TimeoutException)
					? new IllegalStateException(
							"master " + this.address + " did not answer " + moduleId + " within " + timeout)
					: failure));
	}

	@Override
	public void close() {
		this.channel.close();
	}

	private static MqttPublishMessage publish(String topic, byte[] payload) {
		return MqttMessageBuilders.publish()
			.topicName(topic)
			.qos(MqttQoS.AT_MOST_ONCE)
			.retained(false)
			.payload(Unpooled.wrappedBuffer(payload))
			.build();
	}

	/** Parses a payload that may be JSON, or a JSON string holding JSON. */
	static JsonNode parse(byte[] payload) {
		JsonNode node = json.readTree(payload);
		if (node.isString()) {
			node = json.readTree(node.asString());
		}
		return node;
	}

	/** A body that is JSON inside a JSON string, parsed; any other body as it is. */
	private static JsonNode unwrap(JsonNode body) {
		if (!body.isString()) {
			return body;
		}
		try {
			return json.readTree(body.asString().getBytes(StandardCharsets.UTF_8));
		}
		catch (RuntimeException ex) {
			return body;
		}
	}

	/** The master refused the user name or password. */
	static final class LoginRefusedException extends IllegalStateException {

		LoginRefusedException(String message) {
			super(message);
		}

	}

	private final class Inbound extends SimpleChannelInboundHandler<MqttMessage> {

		private final String username;

		private final String passwordMd5;

		Inbound(String username, String passwordMd5) {
			this.username = username;
			this.passwordMd5 = passwordMd5;
		}

		@Override
		protected void channelRead0(ChannelHandlerContext ctx, MqttMessage message) {
			if (message.decoderResult().isFailure()) {
				fail("undecodable message from master " + address + ": " + message.decoderResult().cause());
				ctx.close();
			}
			else if (message instanceof MqttConnAckMessage ack) {
				if (ack.variableHeader().connectReturnCode() != MqttConnectReturnCode.CONNECTION_ACCEPTED) {
					fail("master " + address + " refused the MQTT connection: "
							+ ack.variableHeader().connectReturnCode());
					ctx.close();
					return;
				}
				Map<String, Object> register = Map.of("type", "client", "id", clientId, "username",
						(this.username != null) ? this.username : "", "password", this.passwordMd5, "md5", true);
				ctx.writeAndFlush(publish("register", json.writeValueAsBytes(register)));
			}
			else if (message instanceof MqttPublishMessage publish) {
				byte[] payload = new byte[publish.payload().readableBytes()];
				publish.payload().getBytes(publish.payload().readerIndex(), payload);
				JsonNode body;
				try {
					body = parse(payload);
				}
				catch (RuntimeException ex) {
					return;
				}
				received(publish.variableHeader().topicName(), body);
			}
		}

		private void received(String topic, JsonNode message) {
			if ("register".equals(topic)) {
				if (message.path("code").asInt() == 1) {
					login.complete(null);
				}
				else {
					login.completeExceptionally(
							new LoginRefusedException("master " + address + " refused the login of user '"
									+ this.username + "': " + message.path("msg").asString("no reason given")));
				}
			}
			else if ("client".equals(topic)) {
				JsonNode respId = message.get("respId");
				if (respId == null) {
					notifications.accept(message.path("body"));
					return;
				}
				CompletableFuture<JsonNode> answer = pending.remove(respId.asLong());
				if (answer == null) {
					return;
				}
				JsonNode error = message.get("error");
				if (error != null && !error.isNull()) {
					answer.completeExceptionally(new IllegalStateException("master " + address
							+ " answered with an error: " + (error.isString() ? error.asString() : error.toString())));
				}
				else {
					answer.complete(unwrap(message.path("body")));
				}
			}
		}

		@Override
		public void channelInactive(ChannelHandlerContext ctx) {
			fail("master " + address + " closed the connection");
			ctx.fireChannelInactive();
		}

		@Override
		public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
			fail("connection to master " + address + " failed: " + cause.getMessage());
			ctx.close();
		}

		private void fail(String why) {
			if (closedBecause == null) {
				closedBecause = why;
			}
			IllegalStateException failure = new IllegalStateException(why);
			login.completeExceptionally(failure);
			pending.values().forEach((answer) -> answer.completeExceptionally(failure));
			pending.clear();
		}

	}

}
