package io.pomelo.gateway.route;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import tools.jackson.databind.JsonNode;

/**
 * Turns a Pomelo {@code config/servers.json} into routes: one per frontend server with a
 * clientPort, id and prefix from the server id ({@code connector-server-1} becomes
 * {@code /connector-server-1/}), target {@code ws://<clientHost or host>:<clientPort>}.
 */
public final class PomeloServersImport {

	private PomeloServersImport() {
	}

	/**
	 * The routes for one environment.
	 * @throws IllegalArgumentException with a field name when the file does not have the
	 * expected shape
	 */
	public static List<DynamicRoute> routes(JsonNode root, String env) {
		if (root == null || !root.isObject()) {
			throw new ImportShapeException("body", "must be a servers.json object keyed by environment");
		}
		JsonNode servers = root.get(env);
		if (servers == null || !servers.isObject()) {
			throw new ImportShapeException("env",
					"environment '" + env + "' is not in the file; it has " + root.propertyNames());
		}
		List<DynamicRoute> routes = new ArrayList<>();
		for (Map.Entry<String, JsonNode> type : servers.properties()) {
			if (!type.getValue().isArray()) {
				throw new ImportShapeException(env + "." + type.getKey(), "must be a list of servers");
			}
			int index = 0;
			for (JsonNode server : type.getValue()) {
				String field = env + "." + type.getKey() + "[" + index++ + "]";
				if (!server.path("frontend").asBoolean(false) || !server.hasNonNull("clientPort")) {
					continue;
				}
				String serverId = server.path("id").asString(null);
				String host = server.hasNonNull("clientHost") ? server.get("clientHost").asString()
						: server.path("host").asString(null);
				if (serverId == null || host == null) {
					throw new ImportShapeException(field, "a frontend server needs an id and a host or clientHost");
				}
				String id = serverId.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]", "-");
				routes.add(new DynamicRoute(id, "/" + id + "/",
						List.of("ws://" + host + ":" + server.get("clientPort").asInt()), null, null, null, null, null,
						null, null, null));
			}
		}
		return routes;
	}

	/**
	 * A servers.json that does not have the shape Pomelo uses.
	 */
	public static class ImportShapeException extends IllegalArgumentException {

		private final String field;

		public ImportShapeException(String field, String message) {
			super(message);
			this.field = field;
		}

		public String field() {
			return this.field;
		}

	}

}
