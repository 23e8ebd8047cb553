import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import io.pomelo.gateway.PomeloGatewayApplication;
import io.pomelo.gateway.pomelo.PackageType;
import io.pomelo.gateway.pomelo.PomeloMessage;
import io.pomelo.gateway.pomelo.PomeloPackage;

/**
 * Ping-pong throughput through two gateways in one JVM, one with the Pomelo observer and one without,
 * measured in alternating rounds so both see the same machine. Not a test: it prints figures.
 * <p>
 * The backend answers every Pomelo request with a response of the same id and body, as a Pomelo
 * connector would, only faster: a real connector tops out well below the gateway (see
 * pomelo-protocol.md), which would hide the observer's cost. Run with bench/observer-overhead.sh.
 */
public class ObserverBench {

	static final int CONNECTIONS = Integer.getInteger("connections", 32);

	static final Duration ROUND = Duration.ofSeconds(Integer.getInteger("roundSeconds", 10));

	static final int ROUNDS = Integer.getInteger("rounds", 4);

	public static void main(String[] args) throws Exception {
		DisposableServer backend = pomeloEchoBackend();
		String target = "ws://127.0.0.1:" + backend.port();
		ConfigurableApplicationContext observed = gateway(target, true);
		ConfigurableApplicationContext plain = gateway(target, false);
		int observedPort = port(observed);
		int plainPort = port(plain);
		System.out.printf("connections=%d round=%ss rounds=%d cores=%d%n", CONNECTIONS, ROUND.toSeconds(), ROUNDS,
				Runtime.getRuntime().availableProcessors());
		// Warm both paths up (JIT, pools) before anything is measured.
		run(observedPort, Duration.ofSeconds(5));
		run(plainPort, Duration.ofSeconds(5));
		double[] with = new double[ROUNDS];
		double[] without = new double[ROUNDS];
		for (int round = 0; round < ROUNDS; round++) {
			// Alternate which goes first so drift in the machine does not favour one side.
			if (round % 2 == 0) {
				with[round] = run(observedPort, ROUND);
				without[round] = run(plainPort, ROUND);
			}
			else {
				without[round] = run(plainPort, ROUND);
				with[round] = run(observedPort, ROUND);
			}
			System.out.printf("round %d: observer on %.0f req/s, observer off %.0f req/s%n", round + 1, with[round],
					without[round]);
		}
		double on = median(with);
		double off = median(without);
		System.out.printf("median: observer on %.0f req/s, off %.0f req/s, loss %.1f %%%n", on, off, 100 * (off - on) / off);
		observed.close();
		plain.close();
		backend.disposeNow();
	}

	static ConfigurableApplicationContext gateway(String target, boolean observe) {
		// Command-line arguments, because default properties rank below the gateway's own port defaults.
		return new SpringApplicationBuilder(PomeloGatewayApplication.class).run(
				"--spring.config.location=classpath:/application.yml", "--server.port=0",
				"--management.server.port=0", "--logging.level.root=WARN", "--spring.main.banner-mode=off",
				"--pomelo.gateway.pomelo.observe=" + observe, "--pomelo.gateway.routes[0].id=conn",
				"--pomelo.gateway.routes[0].prefix=/conn/", "--pomelo.gateway.routes[0].targets=" + target);
	}

	static int port(ConfigurableApplicationContext context) {
		return Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
	}

	/** Answers each request package with a response package of the same id and body. */
	static DisposableServer pomeloEchoBackend() {
		return HttpServer.create()
			.host("127.0.0.1")
			.port(0)
			.handle((request, response) -> response.sendWebsocket((in, out) -> out.sendObject(in.receiveFrames()
				.filter((frame) -> frame instanceof BinaryWebSocketFrame)
				.map(ObserverBench::answer))))
			.bindNow();
	}

	static WebSocketFrame answer(WebSocketFrame frame) {
		byte[] bytes = new byte[frame.content().readableBytes()];
		frame.content().getBytes(frame.content().readerIndex(), bytes);
		PomeloPackage pkg = PomeloPackage.decodeAll(bytes).get(0);
		PomeloMessage request = PomeloMessage.decode(pkg.body());
		byte[] reply = new PomeloPackage(PackageType.DATA, PomeloMessage.response(request.id(), request.body()).encode())
			.encode();
		return new BinaryWebSocketFrame(Unpooled.wrappedBuffer(reply));
	}

	/**
	 * Runs CONNECTIONS clients, each sending its next request when the last response arrives.
	 * @return responses per second
	 */
	static double run(int port, Duration duration) throws InterruptedException {
		LongAdder responses = new LongAdder();
		AtomicBoolean counting = new AtomicBoolean();
		AtomicBoolean stop = new AtomicBoolean();
		List<Disposable> clients = new ArrayList<>();
		byte[] body = "{\"text\":\"hello pomelo\"}".getBytes();
		for (int c = 0; c < CONNECTIONS; c++) {
			Sinks.Many<WebSocketFrame> outbound = Sinks.many().unicast().onBackpressureBuffer();
			long[] nextId = { 1 };
			clients.add(HttpClient.create()
				.websocket()
				.uri("ws://127.0.0.1:" + port + "/conn/")
				.handle((in, out) -> {
					outbound.tryEmitNext(request(nextId[0]++, body));
					Mono<Void> replies = in.receiveFrames().doOnNext((frame) -> {
						if (counting.get()) {
							responses.increment();
						}
						if (!stop.get()) {
							outbound.tryEmitNext(request(nextId[0]++, body));
						}
					}).then();
					return out.sendObject(outbound.asFlux()).then().and(replies);
				})
				.subscribe());
		}
		Thread.sleep(500);
		counting.set(true);
		long start = System.nanoTime();
		Thread.sleep(duration.toMillis());
		counting.set(false);
		double seconds = (System.nanoTime() - start) / 1e9;
		stop.set(true);
		clients.forEach(Disposable::dispose);
		Thread.sleep(500);
		return responses.sum() / seconds;
	}

	static WebSocketFrame request(long id, byte[] body) {
		ByteBuf buffer = Unpooled.wrappedBuffer(new PomeloPackage(PackageType.DATA,
				PomeloMessage.request(id, "connector.entryHandler.echo", body).encode()).encode());
		return new BinaryWebSocketFrame(buffer);
	}

	static double median(double[] values) {
		double[] sorted = values.clone();
		Arrays.sort(sorted);
		int mid = sorted.length / 2;
		return (sorted.length % 2 == 1) ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
	}

}
