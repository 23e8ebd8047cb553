package io.pomelo.gateway.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A real Pomelo 2.2.7 server (the app in {@code pomelo-app/}) on free loopback ports,
 * waiting for its {@code POMELO READY}. As {@link Fixtures} chose, it runs as a container
 * of the app's image ({@code pomelo-app/Dockerfile} on {@code node:20}, built once per
 * content hash), or by the local Node.js after a local {@code npm ci}. Closing it kills
 * every Pomelo process at once (the container, or the master's process group), since a
 * SIGTERM to the master alone leaves the gate and connectors running.
 */
public final class PomeloServer implements AutoCloseable {

	private static final Path APP = Path.of("pomelo-app").toAbsolutePath();

	/** The admin module the app registers with {@code POMELO_GATEWAY_MODULE}. */
	private static final Path DISCOVERY_MODULE = Path.of("clients/pomelo-gateway-discovery").toAbsolutePath();

	private static final Object INSTALL_LOCK = new Object();

	private final FixtureProcess process;

	private final int gatePort;

	private final List<Integer> connectorPorts;

	private final Options options;

	private final int masterPort;

	private final int rpcBase;

	private PomeloServer(FixtureProcess process, Options options, int masterPort, int gatePort,
			List<Integer> connectorPorts, int rpcBase) {
		this.process = process;
		this.options = options;
		this.masterPort = masterPort;
		this.gatePort = gatePort;
		this.connectorPorts = connectorPorts;
		this.rpcBase = rpcBase;
	}

	/** Options for a server. */
	public record Options(int connectors, int heartbeatSeconds, boolean useDict, boolean useProtobuf, String adminUser,
			String adminPassword, boolean gatewayModule) {

		/**
		 * One connector, heartbeat 10 s, no dictionary, no protobuf, no console user, no
		 * gateway module.
		 */
		public static Options defaults() {
			return new Options(1, 10, false, false, null, null, false);
		}

		public Options heartbeat(int seconds) {
			return new Options(this.connectors, seconds, this.useDict, this.useProtobuf, this.adminUser,
					this.adminPassword, this.gatewayModule);
		}

		public Options connectors(int count) {
			return new Options(count, this.heartbeatSeconds, this.useDict, this.useProtobuf, this.adminUser,
					this.adminPassword, this.gatewayModule);
		}

		/** A user of the master's admin console (config/adminUser.json). */
		public Options adminUser(String user, String password) {
			return new Options(this.connectors, this.heartbeatSeconds, this.useDict, this.useProtobuf, user, password,
					this.gatewayModule);
		}

		/** Whether the master registers the gateway's discovery admin module. */
		public Options gatewayModule(boolean on) {
			return new Options(this.connectors, this.heartbeatSeconds, this.useDict, this.useProtobuf, this.adminUser,
					this.adminPassword, on);
		}

	}

	/** Starts a server with default options. */
	public static PomeloServer start() {
		return start(Options.defaults());
	}

	/** Starts a server and waits until every client port listens. */
	public static PomeloServer start(Options options) {
		List<Integer> ports = freePorts(3 + 2 * options.connectors());
		return start(options, ports.get(0), ports.get(1), List.copyOf(ports.subList(2, 2 + options.connectors())),
				consecutiveFreePorts(options.connectors()));
	}

	/**
	 * Starts a new server on the ports this one used, as a Pomelo restarted after a crash
	 * would be. Call it once this one is closed.
	 */
	public PomeloServer restartOnSamePorts() {
		return start(this.options, this.masterPort, this.gatePort, this.connectorPorts, this.rpcBase);
	}

	private static PomeloServer start(Options options, int master, int gate, List<Integer> connectors, int rpcBase) {
		Map<String, String> env = new LinkedHashMap<>();
		env.put("POMELO_MASTER_PORT", String.valueOf(master));
		env.put("POMELO_GATE_PORT", String.valueOf(gate));
		env.put("POMELO_CONNECTOR_PORTS", connectors.stream().map(String::valueOf).collect(Collectors.joining(",")));
		env.put("POMELO_RPC_BASE_PORT", String.valueOf(rpcBase));
		env.put("POMELO_HEARTBEAT", String.valueOf(options.heartbeatSeconds()));
		env.put("POMELO_USE_DICT", String.valueOf(options.useDict()));
		env.put("POMELO_USE_PROTOBUF", String.valueOf(options.useProtobuf()));
		if (options.adminUser() != null) {
			env.put("POMELO_ADMIN_USER", options.adminUser());
			env.put("POMELO_ADMIN_PASSWORD", options.adminPassword());
		}
		env.put("POMELO_GATEWAY_MODULE", String.valueOf(options.gatewayModule()));
		FixtureProcess process = Fixtures.launch("pomelo")
			.local(PomeloServer::ensureInstalled, List.of("node", APP.resolve("start.js").toString()), APP)
			.container(PomeloServer::appImage, List.of("node", "start.js"))
			.environment(env)
			.start();
		PomeloServer server = new PomeloServer(process, options, master, gate, List.copyOf(connectors), rpcBase);
		if (!server.awaitReady(Duration.ofSeconds(60))) {
			String output = process.output();
			server.close();
			throw new IllegalStateException("Pomelo did not become ready within 60 s:\n" + output);
		}
		return server;
	}

	/** The app's image on the node image, built when the app or the base changed. */
	private static synchronized String appImage() {
		String node = Fixtures.image("node", "node:20");
		return Fixtures.built("pomelo-wx-gateway-test-app", APP.resolve("Dockerfile"),
				Map.of("pomelo-app", APP, "clients/pomelo-gateway-discovery", DISCOVERY_MODULE),
				Map.of("NODE_IMAGE", node), node);
	}

	private boolean awaitReady(Duration timeout) {
		return this.process.awaitOutput("POMELO READY", timeout) && listening(this.gatePort)
				&& this.connectorPorts.stream().allMatch(PomeloServer::listening);
	}

	/**
	 * Runs {@code npm ci} in the app folder once, when its packages are missing.
	 */
	public static void ensureInstalled() {
		synchronized (INSTALL_LOCK) {
			if (Files.isDirectory(APP.resolve("node_modules/pomelo"))) {
				return;
			}
			run(APP, Duration.ofMinutes(5), "npm", "ci", "--no-audit", "--no-fund");
		}
	}

	/**
	 * Runs a command to completion, failing with its output when it fails.
	 */
	public static void run(Path directory, Duration timeout, String... command) {
		try {
			Path output = Files.createTempFile("cmd-", ".log");
			Process process = new ProcessBuilder(command).directory(directory.toFile())
				.redirectErrorStream(true)
				.redirectOutput(output.toFile())
				.start();
			if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
				process.destroyForcibly();
				throw new IllegalStateException(String.join(" ", command) + " did not finish within " + timeout);
			}
			if (process.exitValue() != 0) {
				throw new IllegalStateException(String.join(" ", command) + " failed with " + process.exitValue()
						+ ":\n" + Files.readString(output));
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/** The master's admin console port. */
	public int masterPort() {
		return this.masterPort;
	}

	public int gatePort() {
		return this.gatePort;
	}

	public List<Integer> connectorPorts() {
		return this.connectorPorts;
	}

	/** ws:// URI of the gate. */
	public String gateUri() {
		return "ws://127.0.0.1:" + this.gatePort;
	}

	/** ws:// URI of connector i. */
	public String connectorUri(int index) {
		return "ws://127.0.0.1:" + this.connectorPorts.get(index);
	}

	/** The last lines the servers wrote, for a failure message. */
	public String errorTail(int lines) {
		List<String> all = this.process.output().lines().toList();
		return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
	}

	/**
	 * Kills one Pomelo server with SIGKILL by the pid the master's console reports for
	 * it, wherever Pomelo runs.
	 */
	public void killServer(long pid) {
		this.process.killProcess(pid);
	}

	/** Whether the servers still run. */
	public boolean isAlive() {
		return this.process.isAlive();
	}

	/**
	 * Kills every server at once with SIGKILL, as in a crash: their sockets close without
	 * WebSocket close frames.
	 */
	@Override
	public void close() {
		this.process.close();
	}

	static boolean listening(int port) {
		try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	/** Free loopback ports, distinct from each other. */
	public static List<Integer> freePorts(int count) {
		List<ServerSocket> sockets = new ArrayList<>();
		try {
			for (int i = 0; i < count; i++) {
				sockets.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
			}
			return sockets.stream().map(ServerSocket::getLocalPort).toList();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		finally {
			for (ServerSocket socket : sockets) {
				try {
					socket.close();
				}
				catch (IOException ex) {
					// Closing a probe socket cannot matter.
				}
			}
		}
	}

	private static int consecutiveFreePorts(int count) {
		for (int attempt = 0; attempt < 50; attempt++) {
			int base = freePorts(1).get(0);
			if (base + count > 65535) {
				continue;
			}
			boolean free = true;
			for (int port = base; port < base + count && free; port++) {
				try (ServerSocket probe = new ServerSocket(port, 1, InetAddress.getByName("0.0.0.0"))) {
					free = true;
				}
				catch (IOException ex) {
					free = false;
				}
			}
			if (free) {
				return base;
			}
		}
		throw new IllegalStateException("no " + count + " consecutive free ports");
	}

}
