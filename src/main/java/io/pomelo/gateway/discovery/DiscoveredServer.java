package io.pomelo.gateway.discovery;

import java.util.List;

import tools.jackson.databind.JsonNode;

/**
 * A frontend server of a Pomelo cluster, as its master reported it: where clients reach
 * it ({@code clientHost}, else {@code host}, and {@code clientPort}) and which process it
 * is.
 */
record DiscoveredServer(String id, String serverType, String host, int clientPort, long pid) {

	/**
	 * The server a master's {@code curServer} answer describes, if it is a frontend with
	 * a client port of one of the wanted types (all when empty); else {@code null}.
	 */
	static DiscoveredServer frontend(JsonNode info, String id, long pid, List<String> wantedTypes) {
		boolean frontend = info.path("frontend").asBoolean(false) || "true".equals(info.path("frontend").asString(""));
		int clientPort = info.path("clientPort").asInt(0);
		String type = info.path("serverType").asString("");
		String host = info.path("clientHost").asString("");
		if (host.isEmpty()) {
			host = info.path("host").asString("");
		}
		if (!frontend || clientPort <= 0 || clientPort > 65535 || id.isEmpty() || type.isEmpty() || host.isEmpty()
				|| (!wantedTypes.isEmpty() && !wantedTypes.contains(type))) {
			return null;
		}
		return new DiscoveredServer(id, type, host, clientPort, pid);
	}

}
