package io.pomelo.gateway.helm;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback HTTP server that answers every request with one status, for running the helm
 * test pod's script: 101 as a WebSocket backend through the gateway does (and then holds
 * the connection, as a live session would), anything else as a complete response.
 */
final class FakeUpgradeServer implements AutoCloseable {

	private final ServerSocket server;

	private final int status;

	private final List<String> requests = new CopyOnWriteArrayList<>();

	private final List<Socket> accepted = new CopyOnWriteArrayList<>();

	private final Thread acceptor;

	FakeUpgradeServer(int status) throws IOException {
		this.status = status;
		this.server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
		this.acceptor = new Thread(this::accept, "fake-upgrade-server");
		this.acceptor.setDaemon(true);
		this.acceptor.start();
	}

	int port() {
		return this.server.getLocalPort();
	}

	List<String> requests() {
		return this.requests;
	}

	private void accept() {
		try {
			while (!this.server.isClosed()) {
				Socket socket = this.server.accept();
				this.accepted.add(socket);
				answer(socket);
			}
		}
		catch (SocketException ex) {
			// Closed by close().
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private void answer(Socket socket) throws IOException {
		InputStream in = socket.getInputStream();
		StringBuilder request = new StringBuilder();
		while (!request.toString().endsWith("\r\n\r\n")) {
			int read = in.read();
			if (read < 0) {
				return;
			}
			request.append((char) read);
		}
		this.requests.add(request.toString());
		OutputStream out = socket.getOutputStream();
		if (this.status == 101) {
			out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
					+ "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n")
				.getBytes(StandardCharsets.US_ASCII));
			out.flush();
		}
		else {
			out.write(("HTTP/1.1 " + this.status + " Status\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
				.getBytes(StandardCharsets.US_ASCII));
			out.flush();
			socket.close();
		}
	}

	@Override
	public void close() throws IOException {
		this.server.close();
		for (Socket socket : this.accepted) {
			socket.close();
		}
	}

}
