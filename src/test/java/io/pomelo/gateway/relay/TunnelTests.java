package io.pomelo.gateway.relay;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.pomelo.gateway.admission.ClientAddress;
import io.pomelo.gateway.relay.RelaySession.CloseOutcome;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The tunnel on two embedded channels, as Netty tests its handlers: what each socket is
 * sent, and when each is closed, for every way a session ends, plus backpressure and the
 * rule that reading is switched on from a task of its own.
 */
class TunnelTests {

	private static final int LIMIT = 1000;

	private static final long GRACE_NANOS = TimeUnit.SECONDS.toNanos(5);

	private final Random random = new Random(7);

	private final SessionRegistry registry = new SessionRegistry();

	private final AtomicInteger ended = new AtomicInteger();

	private EmbeddedChannel client;

	private EmbeddedChannel backend;

	private RelaySession session;

	private Tunnel tunnel;

	@BeforeEach
	void open() {
		this.client = new EmbeddedChannel();
		this.backend = new EmbeddedChannel();
		this.client.freezeTime();
		this.backend.freezeTime();
		this.client.config().setAutoRead(false);
		this.client.pipeline().addLast(UpgradeHandler.NAME, new ChannelInboundHandlerAdapter());
		this.backend.pipeline().addLast(BackendHandshake.NAME, new ChannelInboundHandlerAdapter());
		this.session = this.registry.open("r", client(1), URI.create("ws://b:1/"), Duration.ofMinutes(1));
		this.tunnel = new Tunnel(this.session, FrameObserver.NONE, () -> {
			this.ended.incrementAndGet();
			this.registry.closed(this.session);
		}, this.client, this.backend, LIMIT, GRACE_NANOS);
		this.tunnel.install(
				Unpooled.copiedBuffer("HTTP/1.1 101 Switching Protocols\r\n\r\n", StandardCharsets.US_ASCII), null);
		assertThat(text(this.client.readOutbound())).startsWith("HTTP/1.1 101");
		runTasks();
	}

	@AfterEach
	void release() {
		this.client.finishAndReleaseAll();
		this.backend.finishAndReleaseAll();
	}

	@Test
	void framesPassAsTheyCameInBothDirections() {
		byte[] up = WireFeed.encode(FrameObserver.TEXT, true, bytes("hello"), true, this.random);
		byte[] down = WireFeed.encode(FrameObserver.BINARY, true, bytes("world"), false, this.random);
		this.client.writeInbound(Unpooled.wrappedBuffer(up));
		this.backend.writeInbound(Unpooled.wrappedBuffer(down));
		assertThat(drain(this.backend)).isEqualTo(up);
		assertThat(drain(this.client)).isEqualTo(down);
		assertThat(this.session.framesUp()).isEqualTo(1);
		assertThat(this.session.bytesDown()).isEqualTo(5);
	}

	@Test
	void clientCloseReachesTheBackendAndTheBackendsAnswerEndsTheSession() {
		byte[] close = WireFeed.encode(0x8, true, closePayload(4001, "bye"), true, this.random);
		this.client.writeInbound(Unpooled.wrappedBuffer(close));
		assertThat(drain(this.backend)).isEqualTo(close);
		assertThat(this.client.isActive()).isTrue();
		this.backend.writeInbound(
				Unpooled.wrappedBuffer(WireFeed.encode(0x8, true, closePayload(4001, "bye"), false, this.random)));
		assertThat(decode(drain(this.client))).containsExactly(new Frame(0x8, false, closePayload(4001, "bye")));
		runTasks();
		assertThat(this.client.isActive()).isFalse();
		assertThat(this.backend.isActive()).isFalse();
		assertThat(this.session.outcome()).isEqualTo(new CloseOutcome(Side.CLIENT, 4001));
		assertThat(this.ended).hasValue(1);
		assertThat(this.registry.size()).isZero();
	}

	@Test
	void backendCloseReachesTheClient() {
		byte[] close = WireFeed.encode(0x8, true, closePayload(1000, "done"), false, this.random);
		this.backend.writeInbound(Unpooled.wrappedBuffer(close));
		assertThat(drain(this.client)).isEqualTo(close);
		this.client.writeInbound(
				Unpooled.wrappedBuffer(WireFeed.encode(0x8, true, closePayload(1000, ""), true, this.random)));
		runTasks();
		assertThat(this.backend.isActive()).isFalse();
		assertThat(this.client.isActive()).isFalse();
		assertThat(this.session.outcome()).isEqualTo(new CloseOutcome(Side.BACKEND, 1000));
		assertThat(this.ended).hasValue(1);
	}

	@Test
	void backendVanishingGivesTheClient1011AndTheClientsAnswerClosesIt() {
		this.backend.close();
		assertThat(decode(drain(this.client)))
			.containsExactly(new Frame(0x8, false, closePayload(1011, "backend connection lost")));
		assertThat(this.session.outcome()).isEqualTo(new CloseOutcome(Side.BACKEND, CloseCodes.ABNORMAL));
		assertThat(this.ended).hasValue(0);
		this.client.writeInbound(
				Unpooled.wrappedBuffer(WireFeed.encode(0x8, true, closePayload(1011, ""), true, this.random)));
		runTasks();
		assertThat(this.client.isActive()).isFalse();
		assertThat(this.ended).hasValue(1);
	}

	@Test
	void clientVanishingGivesTheBackendAMasked1001() {
		this.client.close();
		List<Frame> frames = decode(drain(this.backend));
		assertThat(frames).containsExactly(new Frame(0x8, true, closePayload(1001, "client went away")));
		assertThat(this.session.outcome()).isEqualTo(new CloseOutcome(Side.CLIENT, CloseCodes.ABNORMAL));
	}

	@Test
	void frameOverTheLimitIsNotForwardedAndBothSidesGet1009() {
		byte[] small = WireFeed.encode(FrameObserver.BINARY, true, new byte[10], true, this.random);
		byte[] big = WireFeed.encode(FrameObserver.BINARY, true, new byte[LIMIT + 1], true, this.random);
		this.client.writeInbound(Unpooled.wrappedBuffer(small, big));
		List<Frame> toBackend = decode(drain(this.backend));
		assertThat(toBackend).hasSize(2);
		assertThat(toBackend.get(0).opcode()).isEqualTo(FrameObserver.BINARY);
		assertThat(toBackend.get(1)).isEqualTo(new Frame(0x8, true, closePayload(1009, "message too big")));
		assertThat(decode(drain(this.client)))
			.containsExactly(new Frame(0x8, false, closePayload(1009, "message too big")));
		assertThat(this.session.outcome()).isEqualTo(new CloseOutcome(Side.GATEWAY, CloseCodes.MESSAGE_TOO_BIG));
	}

	@Test
	void frameOverTheLimitAfterPartOfItWasForwardedClosesTheSinkInstead() {
		byte[] big = WireFeed.encode(FrameObserver.BINARY, true, new byte[LIMIT + 1], true, this.random);
		// The header arrives split: the first byte was forwarded before the length was
		// known.
		this.client.writeInbound(Unpooled.wrappedBuffer(big, 0, 1));
		assertThat(drain(this.backend)).hasSize(1);
		this.client.writeInbound(Unpooled.wrappedBuffer(big, 1, big.length - 1));
		runTasks();
		assertThat(drain(this.backend)).isEmpty();
		assertThat(this.backend.isActive()).isFalse();
		assertThat(decode(drain(this.client)))
			.containsExactly(new Frame(0x8, false, closePayload(1009, "message too big")));
	}

	@Test
	void operatorCloseWaitsForTheFrameInFlightThenClosesBothSides() {
		byte[] frame = WireFeed.encode(FrameObserver.BINARY, true, new byte[100], true, this.random);
		this.client.writeInbound(Unpooled.wrappedBuffer(frame, 0, 50));
		this.session.close(4000, "closed by operator");
		runTasks();
		assertThat(decode(drain(this.client)))
			.containsExactly(new Frame(0x8, false, closePayload(4000, "closed by operator")));
		// The backend is mid-frame: its close must wait for the frame to end.
		assertThat(drain(this.backend)).hasSize(50);
		this.client.writeInbound(Unpooled.wrappedBuffer(frame, 50, frame.length - 50));
		byte[] rest = drain(this.backend);
		assertThat(rest.length).isGreaterThan(50);
		assertThat(decode(slice(rest, frame.length - 50)))
			.containsExactly(new Frame(0x8, true, closePayload(4000, "closed by operator")));
		assertThat(this.session.outcome()).isEqualTo(new CloseOutcome(Side.GATEWAY, 4000));
	}

	@Test
	void idleSweeperClosesAQuietSessionWith1001() {
		RelaySession quiet = this.registry.open("q", client(2), URI.create("ws://b:1/"), Duration.ofNanos(1));
		quiet.bindCloser(this.client.eventLoop(), (code, reason) -> this.tunnel.closeByGateway(code, reason));
		IdleSweeper sweeper = new IdleSweeper(this.registry, Duration.ofSeconds(1));
		sweeper.sweep();
		sweeper.sweep();
		runTasks();
		assertThat(quiet.outcome()).isEqualTo(new CloseOutcome(Side.GATEWAY, 1001));
		assertThat(decode(drain(this.client)))
			.containsExactly(new Frame(0x8, false, closePayload(1001, "idle timeout")));
		this.registry.closed(quiet);
	}

	@Test
	void drainGivesBothSides1001() {
		ShutdownDrain drain = new ShutdownDrain(this.registry, (event) -> {
		}, Duration.ZERO, Duration.ofMillis(1));
		drain.start();
		drain.stop();
		runTasks();
		assertThat(decode(drain(this.client)))
			.containsExactly(new Frame(0x8, false, closePayload(1001, "server shutting down")));
		assertThat(decode(drain(this.backend)))
			.containsExactly(new Frame(0x8, true, closePayload(1001, "server shutting down")));
		assertThat(drain.draining()).isTrue();
	}

	@Test
	void closeGraceExpiryClosesBothSocketsWhenThePeerNeverAnswers() {
		this.client.writeInbound(
				Unpooled.wrappedBuffer(WireFeed.encode(0x8, true, closePayload(1000, ""), true, this.random)));
		drain(this.backend);
		assertThat(this.client.isActive()).isTrue();
		this.client.advanceTimeBy(GRACE_NANOS - 1, TimeUnit.NANOSECONDS);
		this.client.runScheduledPendingTasks();
		assertThat(this.client.isActive()).isTrue();
		this.client.advanceTimeBy(1, TimeUnit.NANOSECONDS);
		this.client.runScheduledPendingTasks();
		runTasks();
		assertThat(this.client.isActive()).isFalse();
		assertThat(this.backend.isActive()).isFalse();
		assertThat(this.ended).hasValue(1);
	}

	@Test
	void aSinkThatCannotKeepUpStopsReadingTheSourceUntilItCan() {
		assertThat(this.client.config().isAutoRead()).isTrue();
		this.backend.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
		this.client.writeInbound(
				Unpooled.wrappedBuffer(WireFeed.encode(FrameObserver.TEXT, true, bytes("x"), true, this.random)));
		assertThat(this.client.config().isAutoRead()).isFalse();
		this.backend.unsafe().outboundBuffer().setUserDefinedWritability(1, true);
		this.backend.runPendingTasks();
		// Never inside the event that reported writability: from a task of its own, on
		// the source's loop.
		assertThat(this.client.config().isAutoRead()).isFalse();
		this.client.runPendingTasks();
		assertThat(this.client.config().isAutoRead()).isTrue();
	}

	@Test
	void readingStartsFromATaskOfItsOwnAndEarlyClientBytesComeFirst() {
		EmbeddedChannel client = new EmbeddedChannel();
		EmbeddedChannel backend = new EmbeddedChannel();
		client.config().setAutoRead(false);
		client.pipeline().addLast(UpgradeHandler.NAME, new ChannelInboundHandlerAdapter());
		backend.pipeline().addLast(BackendHandshake.NAME, new ChannelInboundHandlerAdapter());
		RelaySession other = this.registry.open("r", client(3), URI.create("ws://b:1/"), Duration.ofMinutes(1));
		Tunnel tunnel = new Tunnel(other, FrameObserver.NONE, () -> this.registry.closed(other), client, backend, LIMIT,
				GRACE_NANOS);
		byte[] early = WireFeed.encode(FrameObserver.TEXT, true, bytes("early"), true, this.random);
		tunnel.install(Unpooled.copiedBuffer("101", StandardCharsets.US_ASCII), Unpooled.wrappedBuffer(early));
		assertThat(client.config().isAutoRead()).isFalse();
		assertThat(drain(backend)).isEmpty();
		client.runPendingTasks();
		backend.runPendingTasks();
		assertThat(client.config().isAutoRead()).isTrue();
		assertThat(drain(backend)).isEqualTo(early);
		assertThat(text(client.readOutbound())).isEqualTo("101");
		client.finishAndReleaseAll();
		backend.finishAndReleaseAll();
	}

	private void runTasks() {
		this.client.runPendingTasks();
		this.backend.runPendingTasks();
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

	private static byte[] closePayload(int code, String reason) {
		byte[] text = bytes(reason);
		byte[] payload = new byte[2 + text.length];
		payload[0] = (byte) (code >> 8);
		payload[1] = (byte) code;
		System.arraycopy(text, 0, payload, 2, text.length);
		return payload;
	}

	private static String text(Object outbound) {
		ByteBuf buffer = (ByteBuf) outbound;
		try {
			return buffer.toString(StandardCharsets.US_ASCII);
		}
		finally {
			buffer.release();
		}
	}

	/** Everything written to a channel so far, as one array. */
	private static byte[] drain(EmbeddedChannel channel) {
		channel.runPendingTasks();
		java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
		for (Object message = channel.readOutbound(); message != null; message = channel.readOutbound()) {
			ByteBuf buffer = (ByteBuf) message;
			byte[] bytes = new byte[buffer.readableBytes()];
			buffer.readBytes(bytes);
			buffer.release();
			out.write(bytes, 0, bytes.length);
		}
		return out.toByteArray();
	}

	private static byte[] slice(byte[] bytes, int from) {
		byte[] rest = new byte[bytes.length - from];
		System.arraycopy(bytes, from, rest, 0, rest.length);
		return rest;
	}

	/** Decodes whole frames, unmasking masked ones. */
	static List<Frame> decode(byte[] wire) {
		List<Frame> frames = new ArrayList<>();
		int at = 0;
		while (at < wire.length) {
			int opcode = wire[at] & 0x0F;
			boolean masked = (wire[at + 1] & 0x80) != 0;
			long length = wire[at + 1] & 0x7F;
			at += 2;
			if (length == 126) {
				length = ((wire[at] & 0xFF) << 8) | (wire[at + 1] & 0xFF);
				at += 2;
			}
			else if (length == 127) {
				length = 0;
				for (int i = 0; i < 8; i++) {
					length = (length << 8) | (wire[at + i] & 0xFF);
				}
				at += 8;
			}
			byte[] key = new byte[4];
			if (masked) {
				System.arraycopy(wire, at, key, 0, 4);
				at += 4;
			}
			byte[] payload = new byte[(int) length];
			for (int i = 0; i < length; i++) {
				payload[i] = (byte) (wire[at + i] ^ key[i & 3]);
			}
			at += (int) length;
			frames.add(new Frame(opcode, masked, payload));
		}
		return frames;
	}

	record Frame(int opcode, boolean masked, byte[] payload) {

		@Override
		public boolean equals(Object other) {
			return other instanceof Frame frame && frame.opcode == this.opcode && frame.masked == this.masked
					&& java.util.Arrays.equals(frame.payload, this.payload);
		}

		@Override
		public int hashCode() {
			return this.opcode * 31 + java.util.Arrays.hashCode(this.payload);
		}

		@Override
		public String toString() {
			return "Frame[" + this.opcode + (this.masked ? " masked " : " ")
					+ new String(this.payload, StandardCharsets.UTF_8).replaceAll("\\p{Cntrl}", "?") + "]";
		}

	}

	private static ClientAddress client(int port) {
		return ClientAddress.of(new InetSocketAddress("127.0.0.1", port), 128);
	}

}
