package io.pomelo.gateway.pomelo;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The JSON bodies of the handshake packages.
 */
public final class Handshake {

	/** Handshake accepted. */
	public static final int OK = 200;

	/** The application's handshake hook failed. */
	public static final int FAILED = 500;

	/** The client's version was refused (older servers send 300). */
	public static final int OLD_CLIENT = 501;

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private Handshake() {
	}

	/**
	 * A client handshake body:
	 * {@code {"sys":{"type":..,"version":..,"rsa":{}},"user":{..}}}.
	 */
	public static byte[] clientHello(String type, String version, Map<String, ?> user) {
		ObjectNode root = JSON.createObjectNode();
		ObjectNode sys = root.putObject("sys");
		sys.put("type", type);
		sys.put("version", version);
		sys.putObject("rsa");
		root.set("user", JSON.valueToTree((user != null) ? user : Map.of()));
		return JSON.writeValueAsBytes(root);
	}

	/**
	 * Parses a server handshake body.
	 * @throws PomeloProtocolException when it is not JSON with a numeric {@code code}
	 */
	public static ServerHandshake parseServer(byte[] body) {
		JsonNode root;
		try {
			root = JSON.readTree(new String(body, StandardCharsets.UTF_8));
		}
		catch (RuntimeException ex) {
			throw new PomeloProtocolException("server handshake is not JSON");
		}
		JsonNode code = root.get("code");
		if (code == null || !code.isNumber()) {
			throw new PomeloProtocolException("server handshake has no numeric code");
		}
		JsonNode sys = root.path("sys");
		Map<String, Integer> dict = new LinkedHashMap<>();
		JsonNode dictNode = sys.path("dict");
		if (dictNode.isObject()) {
			for (Map.Entry<String, JsonNode> entry : dictNode.properties()) {
				dict.put(entry.getKey(), entry.getValue().asInt());
			}
		}
		return new ServerHandshake(code.asInt(), sys.path("heartbeat").asInt(0), dict,
				sys.path("useDict").asBoolean(false), sys.path("useProto").asBoolean(false));
	}

	/**
	 * What the server answered.
	 *
	 * @param code 200 when accepted, 500 or 501 when refused
	 * @param heartbeatSeconds the heartbeat interval, 0 when heartbeats are off
	 * @param dict the route dictionary, route to code; empty when the server does not use
	 * one
	 * @param useDict whether the server compresses routes with the dictionary
	 * @param useProto whether the server encodes bodies with protobuf
	 */
	public record ServerHandshake(int code, int heartbeatSeconds, Map<String, Integer> dict, boolean useDict,
			boolean useProto) {
	}

}
