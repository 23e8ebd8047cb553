package io.pomelo.gateway.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

import static io.pomelo.gateway.bench.Settings.WORK;

/**
 * The echo backend every path leads to: a Reactor Netty WebSocket server on any path that sends every
 * frame back. It runs in the bench's JVM (as in the earlier runs), except for the idle test's, which is a
 * process of its own: with the load generator's sockets in this JVM, N connections need N fds here and N
 * there instead of 2N in one process.
 */
final class EchoBackend {

	private EchoBackend() {
	}

	static DisposableServer start() {
		return HttpServer.create()
			.host("127.0.0.1")
			.port(0)
			.handle((request, response) -> response
				.sendWebsocket((in, out) -> out.sendObject(in.receiveFrames().map(WebSocketFrame::retain))))
			.bindNow();
	}

	/** The idle test's backend: this bench's main class again, with --backend. */
	record BackendProcess(Process process, int port) {

		static BackendProcess start(Processes processes) throws Exception {
			Process process = processes.start(new ProcessBuilder(Processes.java(), "-XX:+UseParallelGC", "-Xmx1g", "-cp",
					System.getProperty("java.class.path"), ProxyCompareBench.class.getName(), "--backend")
				.redirectError(WORK.resolve("idle-backend.log").toFile()));
			BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
			String line = CompletableFuture.supplyAsync(() -> {
				try {
					return lines.readLine();
				}
				catch (IOException ex) {
					throw new UncheckedIOException(ex);
				}
			}).get(90, TimeUnit.SECONDS);
			if (line == null || !line.startsWith("PORT ")) {
				throw new IllegalStateException(
						"the idle backend did not start: " + line + "; see " + WORK.resolve("idle-backend.log"));
			}
			return new BackendProcess(process, Integer.parseInt(line.substring(5).trim()));
		}

		long pid() {
			return this.process.pid();
		}

	}

	/** The --backend mode: an echo server that ends with its parent (stdin closes) or after an hour. */
	static void runAsProcess() {
		DisposableServer server = start();
		System.out.println("PORT " + server.port());
		System.out.flush();
		Thread watcher = new Thread(() -> {
			try {
				while (System.in.read() != -1) {
					// The parent never writes; end of input means it is gone.
				}
			}
			catch (IOException ex) {
				// Treated like end of input.
			}
			System.exit(0);
		}, "parent-watcher");
		watcher.setDaemon(true);
		watcher.start();
		try {
			Thread.sleep(TimeUnit.HOURS.toMillis(1));
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		System.exit(0);
	}

}
