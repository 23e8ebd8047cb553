package io.pomelo.gateway.support;

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
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A backend that misbehaves on purpose, on a free loopback port: it accepts TCP and then
 * either never answers the upgrade, or answers a valid 101 and then neither reads nor
 * writes again. It counts what it accepted and sees when the gateway closes each socket.
 */
public final class StubBackend implements AutoCloseable {

	/** What the backend does after accepting. */
	public enum Behaviour {

		/** Reads the request and never answers it. */
		NEVER_ANSWERS,

		/** Answers a valid 101, then stops reading and writing. */
		STALLS_AFTER_101

	}

	private final ServerSocket server;

	private final Behaviour behaviour;

	private final AtomicInteger accepted = new AtomicInteger();

	private final AtomicInteger closedByGateway = new AtomicInteger();

	private final List<Socket> sockets = new CopyOnWriteArrayList<>();

	private final Thread acceptor;

	private StubBackend(Behaviour behaviour) throws IOException {
		this.behaviour = behaviour;
		this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
		// Small buffers, so that a stalled backend pushes back on the gateway after
		// little data.
		this.server.setReceiveBufferSize(16 * 1024);
		this.acceptor = new Thread(this::accept, "stub-backend");
		this.acceptor.setDaemon(true);
		this.acceptor.start();
	}

	public static StubBackend start(Behaviour behaviour) {
		try {
			return new StubBackend(behaviour);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	public String uri() {
		return "ws://127.0.0.1:" + this.server.getLocalPort();
	}

	/** Connections accepted so far. */
	public int accepted() {
		return this.accepted.get();
	}

	/**
	 * Accepted connections that the gateway has since closed (seen as end of stream or a
	 * reset).
	 */
	public int closedByGateway() {
		return this.closedByGateway.get();
	}

	private void accept() {
		while (!this.server.isClosed()) {
			try {
				Socket socket = this.server.accept();
				this.accepted.incrementAndGet();
				this.sockets.add(socket);
				Thread handler = new Thread(() -> handle(socket), "stub-backend-connection");
				handler.setDaemon(true);
				handler.start();
			}
			catch (IOException ex) {
				return;
			}
		}
	}

	private void handle(Socket socket) {
		try {
			InputStream in = socket.getInputStream();
			String request = readHead(in);
			if (this.behaviour == Behaviour.STALLS_AFTER_101) {
				String key = request.lines()
					.filter((line) -> line.toLowerCase().startsWith("sec-websocket-key:"))
					.findFirst()
					.map((line) -> line.substring(line.indexOf(':') + 1).trim())
					.orElseThrow();
				OutputStream out = socket.getOutputStream();
				out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
						+ "Sec-WebSocket-Accept: " + accept(key) + "\r\n\r\n")
					.getBytes(StandardCharsets.US_ASCII));
				out.flush();
				// Stalled: nothing is read any more until the gateway closes the socket,
				// which a
				// blocked read cannot notice, so wait for the close through a zero-byte
				// probe below.
				while (!socket.isClosed()) {
					Thread.sleep(100);
					if (socket.getInputStream().available() < 0) {
						break;
					}
					if (gatewayClosed(socket)) {
						break;
					}
				}
			}
			else {
				while (in.read() >= 0) {
					// Keeps the connection; nothing is ever answered.
				}
				this.closedByGateway.incrementAndGet();
			}
		}
		catch (IOException ex) {
			this.closedByGateway.incrementAndGet();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	// A stalled backend does not read, so the only way to see the gateway's close is to
	// try.
	private boolean gatewayClosed(Socket socket) {
		try {
			socket.getOutputStream().write(new byte[0]);
			socket.sendUrgentData(0);
			return false;
		}
		catch (IOException ex) {
			this.closedByGateway.incrementAndGet();
			return true;
		}
	}

	private static String readHead(InputStream in) throws IOException {
		StringBuilder head = new StringBuilder();
		int matched = 0;
		while (matched < 4) {
			int b = in.read();
			if (b < 0) {
				throw new IOException("closed before the request ended");
			}
			head.append((char) b);
			matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : ((b == '\r') ? 1 : 0);
		}
		return head.toString();
	}

	private static String accept(String key) {
		try {
			MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
			byte[] digest = sha1
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
			for (Socket socket : this.sockets) {
				socket.close();
			}
		}
		catch (IOException ex) {
			// closing anyway
		}
	}

}
