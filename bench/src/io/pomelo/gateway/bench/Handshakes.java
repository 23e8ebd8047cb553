package io.pomelo.gateway.bench;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.websocket.WebsocketOutbound;

import static io.pomelo.gateway.bench.Settings.CYCLE_TIMEOUT;
import static io.pomelo.gateway.bench.Settings.HANDSHAKE_COUNT;
import static io.pomelo.gateway.bench.Settings.HANDSHAKE_IN_FLIGHT;
import static io.pomelo.gateway.bench.Settings.HANDSHAKE_TIME;

/**
 * Handshake rate: open, one 64 B echo, a clean close, with a fixed number in flight, and the proxy's CPU
 * per handshake. The same cycle tells when a freshly started proxy relays.
 */
final class Handshakes {

	private Handshakes() {
	}

	/**
	 * None starts after handshakeCount or handshakeSeconds, and those in flight finish (within
	 * CYCLE_TIMEOUT), so that the CPU they cost is matched by their count.
	 */
	static Map<String, Double> run(Target target) throws Exception {
		Recorder recorder = new Recorder(3);
		LongAdder done = new LongAdder();
		LongAdder errors = new LongAdder();
		long cpuBefore = target.cpuTicks();
		long start = System.nanoTime();
		long lastStart = start + HANDSHAKE_TIME.toNanos();
		Flux.range(0, HANDSHAKE_COUNT)
			.takeWhile((i) -> System.nanoTime() < lastStart)
			.flatMap((i) -> Mono.defer(() -> {
				long began = System.nanoTime();
				return cycle(target).doOnSuccess((v) -> {
					recorder.recordValue(Math.max(1, (System.nanoTime() - began) / 1000));
					done.increment();
				});
			}).onErrorResume((error) -> {
				errors.increment();
				return Mono.empty();
			}), HANDSHAKE_IN_FLIGHT)
			.blockLast(HANDSHAKE_TIME.plus(CYCLE_TIMEOUT).plusSeconds(5));
		double seconds = (System.nanoTime() - start) / 1e9;
		long cpuAfter = target.cpuTicks();
		Histogram histogram = recorder.getIntervalHistogram();
		double cpu = target.cpuSeconds(cpuBefore, cpuAfter);
		Map<String, Double> m = new LinkedHashMap<>();
		m.put("handshakesPerSecond", done.sum() / seconds);
		m.put("proxyCpuMsPerHandshake", (done.sum() > 0 && !Double.isNaN(cpu)) ? cpu * 1000 / done.sum() : Double.NaN);
		m.put("handshakeP50Millis", histogram.getValueAtPercentile(50) / 1000.0);
		m.put("handshakeP99Millis", histogram.getValueAtPercentile(99) / 1000.0);
		m.put("handshakes", (double) done.sum());
		m.put("errors", (double) errors.sum());
		m.put("proxyCpuSeconds", cpu);
		Thread.sleep(300);
		return m;
	}

	/**
	 * Open, one 64 B echo (as an idle connection begins), then a clean close (1000) answered
	 * by the peer; each part bounded by CYCLE_TIMEOUT.
	 */
	static Mono<Void> cycle(Target target) {
		return Idle.openIdle(target.client(), target.uri())
			.flatMap((connection) -> ((WebsocketOutbound) connection).sendClose(1000, "done")
				.then(connection.onDispose())
				.timeout(CYCLE_TIMEOUT)
				.doFinally((signal) -> connection.dispose()));
	}

	static boolean echoOnce(Target target) {
		try {
			cycle(target).block(CYCLE_TIMEOUT.plusSeconds(1));
			return true;
		}
		catch (RuntimeException ex) {
			return false;
		}
	}

	/** Polls until one echo goes through; the proxy may listen before its routes are ready. */
	static long waitForEcho(Target target, Duration limit) throws InterruptedException {
		long start = System.nanoTime();
		long deadline = start + limit.toNanos();
		while (System.nanoTime() < deadline) {
			if (echoOnce(target)) {
				return System.nanoTime() - start;
			}
			Thread.sleep(20);
		}
		throw new IllegalStateException("no echo through " + target.uri() + " within " + limit);
	}

}
