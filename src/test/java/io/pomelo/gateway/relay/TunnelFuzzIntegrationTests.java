package io.pomelo.gateway.relay;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.pomelo.gateway.support.EchoBackend;
import io.pomelo.gateway.support.FuzzBackend;
import io.pomelo.gateway.support.RawClient;
import io.pomelo.gateway.support.WsTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

/**
 * Random and mutated WebSocket byte streams through the tunnel in both directions at
 * once, between peers the test controls. The tunnel passes bytes: whatever arrives on one
 * side must be a prefix of what the other side sent, followed at most by one close frame
 * of the gateway's own. The gateway must never crash, hang or leak: afterwards the
 * registry is empty, no backend socket is open, the paranoid leak detector (on for every
 * integration test) has reported nothing, and a normal session works.
 * <p>
 * {@code -Dfuzz.seed} replays a run and {@code -Dfuzz.cases} sets its size; both are
 * printed.
 */
@ExtendWith(OutputCaptureExtension.class)
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "spring.config.location=classpath:/application.yml", "management.server.port=0",
				"pomelo.gateway.relay.close-grace=1s", "pomelo.gateway.limits.per-address.max-sessions=0",
				"pomelo.gateway.limits.per-address.handshake-rate=0" })
class TunnelFuzzIntegrationTests {

	private static final long SEED = Long.getLong("fuzz.seed", System.nanoTime());

	private static final int CASES = Integer.getInteger("fuzz.cases", 200);

	private static final FuzzBackend fuzz = FuzzBackend.start();

	private static final EchoBackend echo = EchoBackend.start();

	@LocalServerPort
	int port;

	@Autowired
	SessionRegistry registry;

	@Autowired
	BackendConnector connector;

	@DynamicPropertySource
	static void routes(DynamicPropertyRegistry registry) {
		registry.add("pomelo.gateway.routes[0].id", () -> "fuzz");
		registry.add("pomelo.gateway.routes[0].prefix", () -> "/fuzz/");
		registry.add("pomelo.gateway.routes[0].targets", fuzz::uri);
		registry.add("pomelo.gateway.routes[0].max-frame-payload", () -> "64KB");
		registry.add("pomelo.gateway.routes[0].idle-timeout", () -> "2s");
		registry.add("pomelo.gateway.routes[1].id", () -> "echo");
		registry.add("pomelo.gateway.routes[1].prefix", () -> "/echo/");
		registry.add("pomelo.gateway.routes[1].targets", echo::uri);
	}

	@AfterAll
	static void stop() {
		fuzz.close();
		echo.close();
	}

	@Test
	void hostileFramesInBothDirectionsArePassedAsPrefixesAndLeaveNothingBehind(CapturedOutput output) throws Exception {
		System.out
			.println("Tunnel fuzz: " + CASES + " cases, seed " + SEED + " (replay with -Dfuzz.seed=" + SEED + ")");
		Random seeds = new Random(SEED);
		ExecutorService pool = Executors.newFixedThreadPool(8);
		List<Future<?>> runs = new ArrayList<>();
		for (int i = 0; i < CASES; i++) {
			long caseSeed = seeds.nextLong();
			runs.add(pool.submit(() -> {
				runCase(caseSeed);
				return null;
			}));
		}
		try {
			for (int i = 0; i < runs.size(); i++) {
				try {
					runs.get(i).get(60, TimeUnit.SECONDS);
				}
				catch (java.util.concurrent.ExecutionException ex) {
					fail("case " + i + " of seed " + SEED + " failed: " + ex.getCause().getMessage(), ex.getCause());
				}
			}
		}
		finally {
			pool.shutdownNow();
		}
		await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
			assertThat(this.registry.size()).as("sessions left").isZero();
			assertThat(this.connector.openConnections()).as("backend sockets left").isZero();
			assertThat(fuzz.openConnections()).as("fuzz backend sockets the gateway left open").isZero();
		});
		// Leaked buffers are reported once collected, on a later allocation: collect,
		// then use the gateway.
		System.gc();
		Thread.sleep(200);
		for (int i = 0; i < 20; i++) {
			try (WsTestClient client = WsTestClient
				.connect(java.net.URI.create("ws://127.0.0.1:" + this.port + "/echo/"), null)) {
				client.sendText("still well");
				assertThat(client.nextFrame(Duration.ofSeconds(5)).text()).isEqualTo("still well");
			}
		}
		assertThat(output.getOut()).as("leak reports").doesNotContain("LEAK:");
	}

	private void runCase(long seed) throws Exception {
		Random random = new Random(seed);
		byte[] up = FrameFuzz.stream(random, true);
		byte[] down = FrameFuzz.stream(random, false);
		int ending = random.nextInt(3);
		String name = Long.toHexString(seed);
		CompletableFuture<byte[]> backendReceived = fuzz.script(name, down);
		ByteArrayOutputStream clientReceived = new ByteArrayOutputStream();
		try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), this.port)) {
			socket.setSoTimeout(20_000);
			OutputStream out = socket.getOutputStream();
			InputStream in = socket.getInputStream();
			out.write(RawClient.upgrade("/fuzz/" + name, "").getBytes(StandardCharsets.US_ASCII));
			out.flush();
			String head = readHead(in);
			if (!head.startsWith("HTTP/1.1 101")) {
				throw new AssertionError("seed " + seed + ": no 101 but " + head);
			}
			Thread writer = new Thread(() -> {
				try {
					int at = 0;
					while (at < up.length) {
						int piece = Math.min(up.length - at, 1 + random.nextInt(4096));
						out.write(up, at, piece);
						out.flush();
						at += piece;
					}
					if (ending == 1) {
						socket.shutdownOutput();
					}
				}
				catch (IOException ex) {
					// The gateway closed first.
				}
			}, "fuzz-client-writer");
			writer.setDaemon(true);
			writer.start();
			if (ending == 2) {
				writer.join(2000);
				socket.setSoLinger(true, 0);
				return;
			}
			byte[] buffer = new byte[8192];
			try {
				for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
					clientReceived.write(buffer, 0, n);
				}
			}
			catch (java.net.SocketTimeoutException ex) {
				throw new AssertionError("seed " + seed + ": the gateway neither closed nor finished within 20 s");
			}
			catch (IOException reset) {
				// The gateway reset the connection: what arrived so far still has to be a
				// prefix.
			}
		}
		finally {
			if (ending != 2) {
				assertPrefixThenClose("seed " + seed + " toward the client", clientReceived.toByteArray(), down, false);
			}
			byte[] atBackend = backendReceived.get(30, TimeUnit.SECONDS);
			assertPrefixThenClose("seed " + seed + " toward the backend", atBackend, up, true);
		}
	}

	/**
	 * What arrived is the start of what was sent, then at most one close frame the
	 * gateway wrote itself, masked toward the backend and not toward the client.
	 */
	static void assertPrefixThenClose(String what, byte[] received, byte[] sent, boolean masked) {
		int common = 0;
		while (common < received.length && common < sent.length && received[common] == sent[common]) {
			common++;
		}
		if (common == received.length) {
			return;
		}
		for (int split = common; split >= Math.max(0, common - 14); split--) {
			if (isOneCloseFrame(received, split, masked)) {
				return;
			}
		}
		throw new AssertionError(what + ": " + received.length + " bytes received, the first " + common
				+ " as sent, then bytes that are not one close frame of the gateway's");
	}

	private static boolean isOneCloseFrame(byte[] bytes, int from, boolean masked) {
		int remaining = bytes.length - from;
		if (remaining < 2 || (bytes[from] & 0xFF) != 0x88) {
			return false;
		}
		boolean isMasked = (bytes[from + 1] & 0x80) != 0;
		int length = bytes[from + 1] & 0x7F;
		return isMasked == masked && length >= 2 && length <= 125 && remaining == 2 + (masked ? 4 : 0) + length;
	}

	private static String readHead(InputStream in) throws IOException {
		StringBuilder head = new StringBuilder();
		while (!head.toString().endsWith("\r\n\r\n")) {
			int b = in.read();
			if (b < 0) {
				break;
			}
			head.append((char) b);
		}
		return head.toString();
	}

}
