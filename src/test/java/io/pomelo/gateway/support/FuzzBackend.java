package io.pomelo.gateway.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A WebSocket backend whose every byte after its 101 is the test's: it sends what the
 * test gives it and records everything it receives until the gateway closes the socket.
 */
public final class FuzzBackend implements AutoCloseable {

	/** One connection: what to send once upgraded, and what came in. */
	public record Script(byte[] toSend, CompletableFuture<byte[]> received) {
	}

	private final ServerSocket server;

	private final Map<String, Script> scripts = new ConcurrentHashMap<>();

	private final AtomicInteger open = new AtomicInteger();

	private FuzzBackend() throws IOException {
		this.server = new ServerSocket(0, 100, InetAddress.getLoopbackAddress());
		Thread acceptor = new Thread(this::accept, "fuzz-backend");
		acceptor.setDaemon(true);
		acceptor.start();
	}

	public static FuzzBackend start() {
		try {
			return new FuzzBackend();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	public String uri() {
		return "ws://127.0.0.1:" + this.server.getLocalPort();
	}

	/** Connections not yet closed by the gateway. */
	public int openConnections() {
		return this.open.get();
	}

	/**
	 * What the connection whose request path ends in {@code /<name>} does.
	 * @return what that connection will have received when the gateway closes it
	 */
	public CompletableFuture<byte[]> script(String name, byte[] toSend) {
		CompletableFuture<byte[]> received = new CompletableFuture<>();
		this.scripts.put(name, new Script(toSend, received));
		return received;
	}

	private void accept() {
		while (!this.server.isClosed()) {
			try {
				Socket socket = this.server.accept();
				this.open.incrementAndGet();
				Thread handler = new Thread(() -> handle(socket), "fuzz-backend-connection");
				handler.setDaemon(true);
				handler.start();
			}
			catch (IOException ex) {
				return;
			}
		}
	}

	private void handle(Socket socket) {
		Script script = null;
		ByteArrayOutputStream received = new ByteArrayOutputStream();
		try (socket) {
			socket.setSoTimeout(30_000);
			InputStream in = socket.getInputStream();
			String head = readHead(in);
			String path = head.substring(head.indexOf(' ') + 1, head.indexOf(' ', head.indexOf(' ') + 1));
			script = this.scripts.remove(path.substring(path.lastIndexOf('/') + 1));
			if (script == null) {
				throw new IOException("no script for " + path);
			}
			String key = key(head);
			OutputStream out = socket.getOutputStream();
			out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
					+ "Sec-WebSocket-Accept: " + accept(key) + "\r\n\r\n")
				.getBytes(StandardCharsets.US_ASCII));
			out.flush();
			byte[] toSend = script.toSend();
			Thread writer = new Thread(() -> {
				try {
					out.write(toSend);
					out.flush();
				}
				catch (IOException ex) {
					// The gateway closed the socket first.
				}
			}, "fuzz-backend-writer");
			writer.setDaemon(true);
			writer.start();
			byte[] buffer = new byte[8192];
			for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
				received.write(buffer, 0, n);
			}
		}
		catch (IOException ex) {
			// A reset ends the recording like an end of stream.
		}
		finally {
			this.open.decrementAndGet();
			if (script != null) {
				script.received().complete(received.toByteArray());
			}
		}
	}

	private static String readHead(InputStream in) throws IOException {
		StringBuilder head = new StringBuilder();
		while (!head.toString().endsWith("\r\n\r\n")) {
			int b = in.read();
			if (b < 0) {
				throw new IOException("closed before the upgrade request ended");
			}
			head.append((char) b);
		}
		return head.toString();
	}

	private static String key(String head) throws IOException {
		return head.lines()
			.filter((line) -> line.toLowerCase().startsWith("sec-websocket-key:"))
			.findFirst()
			.map((line) -> line.substring(line.indexOf(':') + 1).trim())
			.orElseThrow(() -> new IOException("no key"));
	}

	private static String accept(String key) {
		try {
			byte[] digest = MessageDigest.getInstance("SHA-1")
				.digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII));
			return Base64.getEncoder().encodeToString(digest);
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	@Override
	public void close() {
		try {
			this.server.close();
		}
		catch (IOException ex) {
			// closing anyway
		}
	}

}
