package io.pomelo.gateway.discovery;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import tools.jackson.databind.JsonNode;

/**
 * A console connection of the test's own to a Pomelo master, for what an operator would
 * do with {@code pomelo add} or {@code pomelo list}.
 */
final class TestConsole {

	interface Call {

		CompletableFuture<JsonNode> call(MasterConsole console);

	}

	private TestConsole() {
	}

	/** One request on a fresh logged-in connection. */
	static JsonNode request(int masterPort, String user, String password, Call call) throws Exception {
		EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
		try (MasterConsole console = MasterConsole
			.open(group, "127.0.0.1", masterPort, user, md5(password), Duration.ofSeconds(10), (notification) -> {
			})
			.get(15, TimeUnit.SECONDS)) {
			return call.call(console).get(15, TimeUnit.SECONDS);
		}
		finally {
			group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
		}
	}

	/** Adds a frontend connector to the cluster, as {@code pomelo add} does. */
	static JsonNode addConnector(int masterPort, String user, String password, String id, int rpcPort, int clientPort)
			throws Exception {
		// 'add' is one of the console's privileged signals: it names the client, whose
		// user needs level 1.
		return request(masterPort, user, password, (master) -> master.request("__console__",
				java.util.Map.of("signal", "add", "clientId", master.clientId(), "args",
						java.util.List.of("id=" + id, "host=127.0.0.1", "port=" + rpcPort, "clientHost=127.0.0.1",
								"clientPort=" + clientPort, "frontend=true", "serverType=connector")),
				Duration.ofSeconds(10)));
	}

	/** The pid of a server, from the console's list. */
	static long pid(int masterPort, String user, String password, String serverId) throws Exception {
		return request(masterPort, user, password,
				(master) -> master.request("__console__", java.util.Map.of("signal", "list"), Duration.ofSeconds(10)))
			.path("msg")
			.path(serverId)
			.path("pid")
			.asLong();
	}

	static String md5(String text) throws Exception {
		return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.UTF_8)));
	}

}
