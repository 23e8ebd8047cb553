package io.pomelo.gateway.config;

import java.util.ArrayList;
import java.util.List;

/**
 * A route whose backend port is the first path segment after the prefix.
 */
public class PortRoute extends RouteOptions {

	/**
	 * Backend host every port is reached on.
	 */
	private String host = "127.0.0.1";

	/**
	 * Backend scheme, ws or wss.
	 */
	private String scheme = "ws";

	/**
	 * Allowed backend ports: single ports and inclusive ranges such as '3050-3059'.
	 */
	private List<String> ports = new ArrayList<>();

	public String getHost() {
		return this.host;
	}

	public void setHost(String host) {
		this.host = host;
	}

	public String getScheme() {
		return this.scheme;
	}

	public void setScheme(String scheme) {
		this.scheme = scheme;
	}

	public List<String> getPorts() {
		return this.ports;
	}

	public void setPorts(List<String> ports) {
		this.ports = ports;
	}

}
