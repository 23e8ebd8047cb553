package io.pomelo.gateway.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Redis on a free loopback port, without persistence: the {@code redis:7} image or
 * Debian's {@code redis-server}, as {@link Fixtures} chose (the package is installed with
 * apt-get when it is missing). {@link #stop()} and {@link #start()} take it down and
 * bring it back on the same port, empty, as a Redis restart without persistence would;
 * {@link #close()} kills it for good.
 */
public final class RedisServer implements AutoCloseable {

	private static final Path BINARY = Path.of("/usr/bin/redis-server");

	private final int port;

	private FixtureProcess process;

	private RedisServer(int port) {
		this.port = port;
	}

	/** Starts Redis on a free port, installing it first if needed. */
	public static RedisServer startNew() {
		RedisServer server = new RedisServer(PomeloServer.freePorts(1).get(0));
		server.start();
		return server;
	}

	/** Starts the server (again) on its port and waits until it answers PING. */
	public synchronized void start() {
		if (this.process != null && this.process.isAlive()) {
			return;
		}
		List<String> arguments = List.of("--port", String.valueOf(this.port), "--bind", "127.0.0.1", "--save", "",
				"--appendonly", "no", "--daemonize", "no");
		List<String> local = new ArrayList<>(List.of(BINARY.toString()));
		local.addAll(arguments);
		List<String> container = new ArrayList<>(List.of("redis-server"));
		container.addAll(arguments);
		this.process = Fixtures.launch("redis")
			.local(() -> DebianPackages.ensureInstalled("redis-server", BINARY), local, Path.of("/"))
			.container(() -> Fixtures.image("redis", "redis:7"), container)
			.start();
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
		while (System.nanoTime() < deadline) {
			if (ping()) {
				return;
			}
			if (!this.process.isAlive()) {
				break;
			}
			sleep(50);
		}
		String output = this.process.output();
		stop();
		throw new IllegalStateException("redis did not answer on port " + this.port + " within 15 s:\n" + output);
	}

	/**
	 * Kills the server (SIGKILL, as in a crash) and waits until it is gone; the port
	 * stays reserved for start().
	 */
	public synchronized void stop() {
		if (this.process == null) {
			return;
		}
		this.process.close();
		this.process = null;
	}

	/** Whether the server answers PING now. */
	public boolean ping() {
		try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), this.port)) {
			socket.setSoTimeout(1000);
			OutputStream out = socket.getOutputStream();
			out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
			out.flush();
			InputStream in = socket.getInputStream();
			byte[] reply = new byte[7];
			int read = in.readNBytes(reply, 0, 7);
			return new String(reply, 0, read, StandardCharsets.US_ASCII).startsWith("+PONG");
		}
		catch (IOException ex) {
			return false;
		}
	}

	public int port() {
		return this.port;
	}

	private static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	@Override
	public synchronized void close() {
		stop();
	}

}
