package io.pomelo.gateway.config;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * A route from configuration: a path prefix and the backends behind it.
 */
public class StaticRoute extends RouteOptions {

	/**
	 * Backend WebSocket URIs (ws:// or wss://); several are used round-robin.
	 */
	private List<URI> targets = new ArrayList<>();

	public List<URI> getTargets() {
		return this.targets;
	}

	public void setTargets(List<URI> targets) {
		this.targets = targets;
	}

}
