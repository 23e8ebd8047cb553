package io.pomelo.gateway.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import io.pomelo.gateway.pomelo.PackageType;
import io.pomelo.gateway.pomelo.PomeloMessage;
import io.pomelo.gateway.pomelo.PomeloPackage;

/**
 * Ping-pong: every connection sends one frame and sends the next when the echo arrives. Measured after
 * every connection has had its first echo, so connection set-up is outside the window.
 */
final class PingPong {

	private PingPong() {
	}

	/**
	 * A Pomelo request package of exactly {@code size} bytes (or its smallest form when the size is too
	 * small), so that the gateway's Pomelo observer does its real per-message work: package header, message
	 * header, route and in-flight id on the way up, package and message header on the way down. Zero bytes
	 * would be refused by the observer's first check and cost it nothing.
	 */
	static byte[] pomeloRequest(int size) {
		String route = "connector.entryHandler.echo";
		int overhead = new PomeloPackage(PackageType.DATA, PomeloMessage.request(1, route, new byte[0]).encode())
			.encode().length;
		byte[] body = new byte[Math.max(0, size - overhead)];
		Arrays.fill(body, (byte) 'x');
		return new PomeloPackage(PackageType.DATA, PomeloMessage.request(1, route, body).encode()).encode();
	}

	static Map<String, Double> run(Target target, int connections, int payloadBytes, Duration duration)
			throws Exception {
		Recorder recorder = new Recorder(3);
		LongAdder messages = new LongAdder();
		AtomicBoolean running = new AtomicBoolean(true);
		CountDownLatch firstEchoes = new CountDownLatch(connections);
		AtomicInteger failures = new AtomicInteger();
		byte[] payload = pomeloRequest(payloadBytes);
		List<Disposable> open = new ArrayList<>();
		try {
			for (int i = 0; i < connections; i++) {
				open.add(target.client().websocket().uri(target.uri()).handle((in, out) -> {
					Sinks.Many<WebSocketFrame> sends = Sinks.many().unicast().onBackpressureBuffer();
					long[] sentAt = { System.nanoTime() };
					boolean[] first = { true };
					sends.tryEmitNext(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(payload)));
					in.receiveFrames().subscribe((frame) -> {
						long now = System.nanoTime();
						recorder.recordValue(Math.max(1, (now - sentAt[0]) / 1000));
						messages.increment();
						if (first[0]) {
							first[0] = false;
							firstEchoes.countDown();
						}
						if (running.get()) {
							sentAt[0] = System.nanoTime();
							sends.tryEmitNext(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(payload)));
						}
					});
					return out.sendObject(sends.asFlux()).then(Mono.never());
				}).subscribe(null, (error) -> {
					failures.incrementAndGet();
					firstEchoes.countDown();
				}));
			}
			long waitSeconds = 30 + connections / 50;
			if (!firstEchoes.await(waitSeconds, TimeUnit.SECONDS) || failures.get() > 0) {
				throw new IllegalStateException(String.format("%s: %d of %d connections failed, %d had no echo within %d s",
						target.uri(), failures.get(), connections, firstEchoes.getCount(), waitSeconds));
			}
			long cpuBefore = target.cpuTicks();
			messages.reset();
			recorder.getIntervalHistogram();
			long start = System.nanoTime();
			Thread.sleep(duration.toMillis());
			long count = messages.sum();
			double seconds = (System.nanoTime() - start) / 1e9;
			long cpuAfter = target.cpuTicks();
			Histogram histogram = recorder.getIntervalHistogram();
			double cpu = target.cpuSeconds(cpuBefore, cpuAfter);
			Map<String, Double> m = new LinkedHashMap<>();
			m.put("messagesPerSecond", count / seconds);
			m.put("messagesPerProxyCpuSecond", (cpu > 0) ? count / cpu : Double.NaN);
			m.put("p50Micros", (double) histogram.getValueAtPercentile(50));
			m.put("p99Micros", (double) histogram.getValueAtPercentile(99));
			m.put("p999Micros", (double) histogram.getValueAtPercentile(99.9));
			m.put("proxyCpuSeconds", cpu);
			m.put("proxyCpuPercent", cpu / seconds * 100);
			return m;
		}
		finally {
			running.set(false);
			open.forEach(Disposable::dispose);
			// Let the proxies tear the sessions down before the next path's window opens.
			Thread.sleep(300 + connections);
		}
	}

}
