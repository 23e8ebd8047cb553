package io.pomelo.gateway.route;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;

import io.netty.util.NetUtil;

/**
 * One backend as the relay connects to it, worked out once per target rather than per
 * handshake: where to connect, whether with TLS, and what the request's Host header and
 * base path are.
 */
public final class BackendEndpoint {

	private final URI base;

	private final String host;

	private final int port;

	private final boolean secure;

	private final String hostHeader;

	private final String basePath;

	private final InetAddress literal;

	private BackendEndpoint(URI base, String host, int port, boolean secure, String basePath) {
		this.base = base;
		this.host = host;
		this.port = port;
		this.secure = secure;
		boolean v6 = host.indexOf(':') >= 0;
		String authorityHost = v6 ? "[" + host + "]" : host;
		this.hostHeader = authorityHost + ":" + port;
		this.basePath = basePath;
		this.literal = NetUtil.createInetAddressFromIpAddressString(host);
	}

	/**
	 * The endpoint of a target URI such as {@code ws://10.0.0.5:3050} or
	 * {@code wss://game:443/base}.
	 */
	static BackendEndpoint of(URI target) {
		boolean secure = "wss".equalsIgnoreCase(target.getScheme());
		String host = target.getHost();
		if (host.startsWith("[") && host.endsWith("]")) {
			host = host.substring(1, host.length() - 1);
		}
		int port = (target.getPort() > 0) ? target.getPort() : (secure ? 443 : 80);
		String path = target.getRawPath();
		String basePath = (path == null || path.isEmpty() || "/".equals(path)) ? ""
				: (path.endsWith("/") ? path.substring(0, path.length() - 1) : path);
		return new BackendEndpoint(target, host, port, secure, basePath);
	}

	/** The endpoint of a port-addressed route for one allowed port. */
	static BackendEndpoint of(String scheme, String host, int port) {
		String authority = (host.indexOf(':') >= 0 && !host.startsWith("[")) ? "[" + host + "]" : host;
		return of(URI.create(scheme + "://" + authority + ":" + port));
	}

	/** The target as configured. */
	public URI base() {
		return this.base;
	}

	public String host() {
		return this.host;
	}

	public int port() {
		return this.port;
	}

	/** Whether the backend speaks wss://. */
	public boolean secure() {
		return this.secure;
	}

	/** The Host header the backend gets: host and port, as RFC 6455 4.1 asks. */
	public String hostHeader() {
		return this.hostHeader;
	}

	/** Path of the target URI without a trailing slash, or the empty string. */
	String basePath() {
		return this.basePath;
	}

	/**
	 * Where to connect: resolved already for an IP literal, or unresolved for a name,
	 * which the connecting side resolves without blocking.
	 */
	public InetSocketAddress socketAddress() {
		return (this.literal != null) ? new InetSocketAddress(this.literal, this.port)
				: InetSocketAddress.createUnresolved(this.host, this.port);
	}

}
