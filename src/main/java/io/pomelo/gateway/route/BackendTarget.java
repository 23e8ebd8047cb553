package io.pomelo.gateway.route;

import java.net.URI;

/**
 * Where one handshake goes: the backend endpoint chosen for it and the path (with the
 * client's query) to request there.
 */
public final class BackendTarget {

	private final BackendEndpoint endpoint;

	private final String requestPath;

	BackendTarget(BackendEndpoint endpoint, String requestPath) {
		this.endpoint = endpoint;
		this.requestPath = requestPath;
	}

	/** The backend to connect to. */
	public BackendEndpoint endpoint() {
		return this.endpoint;
	}

	/** The target as configured, such as {@code ws://127.0.0.1:3050}. */
	public URI base() {
		return this.endpoint.base();
	}

	/**
	 * What the request line asks for: the (possibly stripped) path and the client's
	 * query.
	 */
	public String requestPath() {
		return this.requestPath;
	}

	/** The full URI requested, for the registry and logs. */
	public URI uri() {
		URI base = this.endpoint.base();
		return URI.create(base.getScheme() + "://" + base.getRawAuthority() + this.requestPath);
	}

	@Override
	public String toString() {
		return uri().toString();
	}

}
