package io.pomelo.gateway.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A real Redis (Debian's {@code redis-server}) on a free loopback port, without
 * persistence. It installs the package with apt-get when the binary is missing.
 * {@link #stop()} and {@link #start()} take it down and bring it back on the same port,
 * empty, as a Redis restart without persistence would; {@link #close()} kills it for
 * good.
 * <p>
 * This machine kind has no Docker engine, so there is no Testcontainers path.
 */
public final class RedisServer implements AutoCloseable {

	private static final Path BINARY = Path.of("/usr/bin/redis-server");

	private final int port;

	private final Path log;

	private Process process;

	private RedisServer(int port) {
		this.port = port;
		try {
			this.log = Files.createTempFile("redis-", ".log");
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** Installs Redis if needed and starts it on a free port. */
	public static RedisServer startNew() {
		ensureInstalled();
		RedisServer server = new RedisServer(PomeloServer.freePorts(1).get(0));
		// Killed even when the test JVM ends without reaching close().
		Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "redis-server-reaper"));
		server.start();
		return server;
	}

	/** Installs redis-server with apt-get when it is missing. */
	public static void ensureInstalled() {
		DebianPackages.ensureInstalled("redis-server", BINARY);
	}

	/** Starts the server (again) on its port and waits until it answers PING. */
	public synchronized void start() {
		if (this.process != null && this.process.isAlive()) {
			return;
		}
		try {
			this.process = new ProcessBuilder(BINARY.toString(), "--port", String.valueOf(this.port), "--bind",
					"127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no")
				.redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.appendTo(this.log.toFile()))
				.start();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
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
		String output = readLog();
		stop();
		throw new IllegalStateException(
				"redis-server did not answer on port " + this.port + " within 15 s:\n" + output);
	}

	/**
	 * Kills the server (SIGKILL, as in a crash) and waits until it is gone; the port
	 * stays reserved for start().
	 */
	public synchronized void stop() {
		if (this.process == null) {
			return;
		}
		this.process.destroyForcibly();
		try {
			if (!this.process.waitFor(10, TimeUnit.SECONDS)) {
				throw new IllegalStateException("redis-server " + this.process.pid() + " did not die within 10 s");
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
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

	private String readLog() {
		try {
			return Files.readString(this.log);
		}
		catch (IOException ex) {
			return "(no log: " + ex.getMessage() + ")";
		}
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
		try {
			Files.deleteIfExists(this.log);
		}
		catch (IOException ex) {
			// A leftover temp log is harmless.
		}
	}

}
