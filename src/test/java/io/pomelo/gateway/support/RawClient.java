package io.pomelo.gateway.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * A client that writes exactly the bytes a test gives it, over plain TCP or TLS, from any
 * loopback source address: for malformed upgrades, slow senders, PROXY protocol headers
 * and clients that leave in the middle of a request.
 */
public final class RawClient implements AutoCloseable {

	private static final SSLContext TLS = trustingTestCertificate();

	private final Socket socket;

	private final InputStream in;

	private final OutputStream out;

	private RawClient(Socket socket) throws IOException {
		this.socket = socket;
		this.in = socket.getInputStream();
		this.out = socket.getOutputStream();
	}

	/** Connects over plain TCP from 127.0.0.1. */
	public static RawClient plain(int port) {
		return connect(port, false, "127.0.0.1");
	}

	/** Connects over TLS (trusting the test certificate) from 127.0.0.1. */
	public static RawClient tls(int port) {
		return connect(port, true, "127.0.0.1");
	}

	/**
	 * Connects from a given loopback source address, such as 127.0.0.7, so that one test
	 * can be many clients as the per-address limits see them.
	 */
	public static RawClient connect(int port, boolean tls, String sourceAddress) {
		return connect(port, tls, sourceAddress, new byte[0]);
	}

	/**
	 * Connects and writes a preamble on the TCP connection before anything else, TLS
	 * included: a PROXY protocol header, as a load balancer sends it.
	 */
	public static RawClient connect(int port, boolean tls, String sourceAddress, byte[] preamble) {
		try {
			Socket socket = new Socket();
			socket.bind(new InetSocketAddress(InetAddress.getByName(sourceAddress), 0));
			socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
			socket.setSoTimeout(10_000);
			if (preamble.length > 0) {
				socket.getOutputStream().write(preamble);
				socket.getOutputStream().flush();
			}
			if (tls) {
				SSLSocket secure = (SSLSocket) TLS.getSocketFactory().createSocket(socket, "localhost", port, true);
				secure.setUseClientMode(true);
				return new RawClient(secure);
			}
			return new RawClient(socket);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** Finishes the TLS handshake now (it otherwise happens on the first write). */
	public RawClient handshake() {
		try {
			((SSLSocket) this.socket).startHandshake();
			return this;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** Writes bytes as they are. */
	public RawClient send(byte[] bytes) {
		try {
			this.out.write(bytes);
			this.out.flush();
			return this;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** Writes text as ISO-8859-1 bytes; use {@code \r\n} for line ends. */
	public RawClient send(String text) {
		return send(text.getBytes(StandardCharsets.ISO_8859_1));
	}

	/**
	 * Reads one HTTP response head and its Content-Length body.
	 * @throws UncheckedIOException when the connection ends before a response head
	 */
	public Response response(Duration timeout) {
		try {
			this.socket.setSoTimeout((int) timeout.toMillis());
			ByteArrayOutputStream head = new ByteArrayOutputStream();
			int matched = 0;
			while (matched < 4) {
				int b = this.in.read();
				if (b < 0) {
					throw new IOException("connection closed after " + head.size() + " bytes: " + head);
				}
				head.write(b);
				matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : ((b == '\r') ? 1 : 0);
			}
			String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
			int status = Integer.parseInt(lines[0].split(" ")[1]);
			Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
			for (int i = 1; i < lines.length; i++) {
				int colon = lines[i].indexOf(':');
				if (colon > 0) {
					headers.put(lines[i].substring(0, colon).trim(), lines[i].substring(colon + 1).trim());
				}
			}
			int length = Integer.parseInt(headers.getOrDefault("Content-Length", "0"));
			byte[] body = this.in.readNBytes(length);
			return new Response(status, headers, new String(body, StandardCharsets.UTF_8));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Whether the server closes the connection within the timeout: reads and discards
	 * until end of stream (true), a reset (true) or the timeout (false).
	 */
	public boolean closedWithin(Duration timeout) {
		try {
			this.socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
			byte[] buffer = new byte[4096];
			long deadline = System.nanoTime() + timeout.toNanos();
			while (System.nanoTime() < deadline) {
				if (this.in.read(buffer) < 0) {
					return true;
				}
			}
			return false;
		}
		catch (SocketTimeoutException ex) {
			return false;
		}
		catch (IOException ex) {
			return true;
		}
	}

	/** Closes at once, with a reset rather than a FIN. */
	public void abort() {
		try {
			this.socket.setSoLinger(true, 0);
			this.socket.close();
		}
		catch (IOException ex) {
			// already gone
		}
	}

	@Override
	public void close() {
		try {
			this.socket.close();
		}
		catch (IOException ex) {
			// already gone
		}
	}

	/** An HTTP response as read off the wire. */
	public record Response(int status, Map<String, String> headers, String body) {
	}

	/**
	 * The opening handshake of a valid upgrade to a path, with extra header lines (each
	 * ending in CRLF).
	 */
	public static String upgrade(String path, String extraHeaders) {
		return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
				+ "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" + extraHeaders
				+ "\r\n";
	}

	private static SSLContext trustingTestCertificate() {
		try (InputStream pem = RawClient.class.getResourceAsStream("/tls/cert.pem")) {
			KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
			store.load(null, null);
			store.setCertificateEntry("test", CertificateFactory.getInstance("X.509").generateCertificate(pem));
			TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
			trust.init(store);
			SSLContext context = SSLContext.getInstance("TLS");
			context.init(null, trust.getTrustManagers(), null);
			return context;
		}
		catch (Exception ex) {
			throw new IllegalStateException("cannot trust the test certificate", ex);
		}
	}

}
