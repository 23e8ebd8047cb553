package io.pomelo.gateway.discovery;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import tools.jackson.databind.JsonNode;

import org.springframework.util.StreamUtils;

import io.pomelo.gateway.config.DiscoveryProperties;
import io.pomelo.gateway.route.RouteSource;
import io.pomelo.gateway.route.RouteTable;
import io.pomelo.gateway.route.TargetRoute;

/**
 * Follows the frontend servers of one or more Pomelo clusters through their masters'
 * admin consoles and keeps the route table's discovered routes in step with them.
 * <p>
 * Every poll interval it asks each master for its servers. With the gateway's admin
 * module installed in the Pomelo app ({@code gatewayDiscovery}), one request returns
 * every server with its start arguments and the module also announces servers as they
 * come and go, which triggers a poll at once. Without it, discovery uses what every
 * Pomelo master has: {@code __console__ list} for the servers and
 * {@code watchServer get curServer} for the client port of each server it has not seen
 * before (by id and pid), so that a steady cluster costs one request per poll.
 * <p>
 * A master that cannot be reached, or refuses the login, keeps its last known servers:
 * the table is never emptied because discovery failed, only because a master said a
 * server is gone. All work runs on one thread of its own; network I/O runs on one Netty
 * event loop of its own.
 */
public final class PomeloDiscovery implements AutoCloseable {

	private static final Log logger = LogFactory.getLog(PomeloDiscovery.class);

	static final String MODULE = "gatewayDiscovery";

	private final DiscoveryProperties.Pomelo properties;

	private final RouteTable table;

	private final DiscoveredRoutes routes;

	private final DiscoveryMeters meters;

	private final List<Master> masters = new ArrayList<>();

	private final EventLoopGroup io = new MultiThreadIoEventLoopGroup(1,
			new DefaultThreadFactory("pomelo-discovery-io", true), NioIoHandler.newFactory());

	private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor((task) -> {
		Thread thread = new Thread(task, "pomelo-discovery");
		thread.setDaemon(true);
		return thread;
	});

	// A poll asked for by an event, not yet run: events in a burst share one poll.
	private final AtomicBoolean pollQueued = new AtomicBoolean();

	private volatile List<TargetRoute> published = List.of();

	private volatile List<String> problems = List.of();

	PomeloDiscovery(DiscoveryProperties.Pomelo properties, RouteTable table, DiscoveredRoutes routes,
			DiscoveryMeters meters) {
		this.properties = properties;
		this.table = table;
		this.routes = routes;
		this.meters = meters;
		for (String address : properties.getMasters()) {
			this.masters.add(new Master(address));
		}
	}

	/** Polls now, then every poll interval. */
	void start() {
		long period = this.properties.getPollInterval().toMillis();
		this.worker.scheduleWithFixedDelay(this::pollSafely, 0, period, TimeUnit.MILLISECONDS);
	}

	/**
	 * The state of each master, for health: address, servers, last success, last error.
	 */
	List<MasterStatus> status() {
		return this.masters.stream().map(Master::status).toList();
	}

	/** Routes discovery serves now, and servers it left out with why. */
	List<TargetRoute> routes() {
		return this.published;
	}

	List<String> problems() {
		return this.problems;
	}

	/** What health and the admin API tell about one master. */
	record MasterStatus(String address, boolean reachable, int servers, Instant lastSuccess, String lastError,
			boolean events) {
	}

	@Override
	public void close() {
		this.worker.shutdownNow();
		for (Master master : this.masters) {
			master.disconnect();
		}
		this.io.shutdownGracefully(0, 1, TimeUnit.SECONDS);
	}

	private void pollSafely() {
		this.pollQueued.set(false);
		try {
			poll();
		}
		catch (RuntimeException ex) {
			logger.error("Pomelo discovery poll failed", ex);
		}
	}

	/** Asks for a poll soon: a module announced a change. */
	private void pollSoon() {
		if (this.pollQueued.compareAndSet(false, true)) {
			this.worker.execute(this::pollSafely);
		}
	}

	private void poll() {
		for (Master master : this.masters) {
			master.poll();
		}
		Map<String, DiscoveredServer> all = new LinkedHashMap<>();
		for (Master master : this.masters) {
			master.servers.forEach(all::putIfAbsent);
		}
		DiscoveredRoutes.Result result = this.routes.build(all.values(),
				this.table.routesBeside(RouteSource.DISCOVERY));
		this.meters.servers(all.size());
		if (!result.problems().equals(this.problems)) {
			result.problems().forEach((problem) -> logger.warn("Pomelo discovery leaves out " + problem));
			this.problems = List.copyOf(result.problems());
		}
		if (!sameRoutes(result.routes(), this.published)) {
			try {
				this.table.replace(RouteSource.DISCOVERY, result.routes());
				this.published = List.copyOf(result.routes());
				logger.info("Pomelo discovery serves " + describe(result.routes()));
			}
			catch (IllegalArgumentException ex) {
				// A route of another source appeared between build and replace; the next
				// poll sorts it out.
				logger.warn("Pomelo discovery could not apply its routes: " + ex.getMessage());
			}
		}
	}

	private static boolean sameRoutes(List<TargetRoute> a, List<TargetRoute> b) {
		return describe(a).equals(describe(b));
	}

	private static String describe(List<TargetRoute> routes) {
		return routes.stream()
			.map((route) -> route.id() + " " + route.prefix() + " -> " + route.targets())
			.toList()
			.toString();
	}

	private String passwordMd5() {
		String password = this.properties.getPassword();
		if (this.properties.getPasswordFile() != null) {
			try {
				password = StreamUtils
					.copyToString(this.properties.getPasswordFile().getInputStream(), StandardCharsets.UTF_8)
					.trim();
			}
			catch (IOException ex) {
				throw new IllegalStateException(
						"cannot read " + DiscoveryProperties.POMELO + ".password-file: " + ex.getMessage(), ex);
			}
		}
		try {
			byte[] digest = MessageDigest.getInstance("MD5")
				.digest(((password != null) ? password : "").getBytes(StandardCharsets.UTF_8));
			return HexFormat.of().formatHex(digest);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * One master: its connection, the servers it last reported, and what went wrong last.
	 */
	private final class Master {

		private final String address;

		private final String host;

		private final int port;

		private MasterConsole console;

		// Whether this connection's master has the gateway's admin module.
		private boolean module;

		private volatile Map<String, DiscoveredServer> servers = Map.of();

		// Start arguments of servers already seen, by id and pid: they do not change
		// while a process lives.
		private final Map<String, DiscoveredServer> known = new LinkedHashMap<>();

		private volatile Instant lastSuccess;

		private volatile String lastError = "not polled yet";

		Master(String address) {
			int colon = address.lastIndexOf(':');
			if (colon <= 0 || colon == address.length() - 1) {
				throw new IllegalStateException(DiscoveryProperties.POMELO + ".masters: '" + address
						+ "' must be host:port, the port of the app's master.json");
			}
			this.address = address;
			this.host = address.substring(0, colon).replace("[", "").replace("]", "");
			this.port = Integer.parseInt(address.substring(colon + 1));
		}

		MasterStatus status() {
			MasterConsole console = this.console;
			return new MasterStatus(this.address, this.lastError == null, this.servers.size(), this.lastSuccess,
					this.lastError, console != null && this.module);
		}

		void poll() {
			try {
				connect();
				Map<String, DiscoveredServer> servers = this.module ? fromModule() : fromConsole();
				this.servers = Map.copyOf(servers);
				this.lastSuccess = Instant.now();
				if (this.lastError != null) {
					logger.info("Pomelo master " + this.address + " reached: " + servers.size() + " frontend servers");
				}
				this.lastError = null;
				PomeloDiscovery.this.meters.poll(true);
			}
			catch (RuntimeException ex) {
				String why = reason(ex);
				if (!why.equals(this.lastError)) {
					logger.error("Pomelo discovery: " + why + "; keeping the " + this.servers.size()
							+ " servers last seen from " + this.address);
				}
				this.lastError = why;
				PomeloDiscovery.this.meters.poll(false);
				disconnect();
			}
		}

		private void connect() {
			if (this.console != null && this.console.isOpen()) {
				return;
			}
			disconnect();
			Duration timeout = PomeloDiscovery.this.properties.getRequestTimeout();
			try {
				this.console = await(
						MasterConsole.open(PomeloDiscovery.this.io, this.host, this.port,
								PomeloDiscovery.this.properties.getUsername(), passwordMd5(), timeout, this::notified),
						timeout);
				PomeloDiscovery.this.meters.login(true);
			}
			catch (RuntimeException ex) {
				PomeloDiscovery.this.meters.login(false);
				throw ex;
			}
			this.module = subscribe();
		}

		/**
		 * Whether the master has the gateway's module; if so, this connection gets its
		 * change events.
		 */
		private boolean subscribe() {
			try {
				request(MODULE, Map.of("action", "subscribe", "clientId", this.console.clientId()));
				return true;
			}
			catch (RuntimeException ex) {
				return false;
			}
		}

		private void notified(JsonNode body) {
			if (body.has("event")) {
				pollSoon();
			}
		}

		private Map<String, DiscoveredServer> fromModule() {
			JsonNode answer = request(MODULE, Map.of("action", "servers"));
			Map<String, DiscoveredServer> servers = new LinkedHashMap<>();
			for (JsonNode info : answer.path("servers")) {
				DiscoveredServer server = DiscoveredServer.frontend(info, info.path("id").asString(""),
						info.path("pid").asLong(0), PomeloDiscovery.this.properties.getServerTypes());
				if (server != null) {
					servers.put(server.id(), server);
				}
			}
			return servers;
		}

		private Map<String, DiscoveredServer> fromConsole() {
			JsonNode list = request("__console__", Map.of("signal", "list")).path("msg");
			Map<String, DiscoveredServer> servers = new LinkedHashMap<>();
			Map<String, DiscoveredServer> known = new LinkedHashMap<>();
			for (Map.Entry<String, JsonNode> entry : list.properties()) {
				String id = entry.getKey();
				long pid = entry.getValue().path("pid").asLong(0);
				String key = id + "/" + pid;
				DiscoveredServer server = this.known.get(key);
				if (server == null && !this.known.containsKey(key)) {
					JsonNode info = request("watchServer", Map.of("comd", "get", "context", id, "param", "curServer"));
					server = DiscoveredServer.frontend(info, id, pid, PomeloDiscovery.this.properties.getServerTypes());
				}
				known.put(key, server);
				if (server != null) {
					servers.put(id, server);
				}
			}
			this.known.clear();
			this.known.putAll(known);
			return servers;
		}

		private JsonNode request(String moduleId, Map<String, Object> body) {
			Duration timeout = PomeloDiscovery.this.properties.getRequestTimeout();
			return await(this.console.request(moduleId, body, timeout), timeout);
		}

		void disconnect() {
			if (this.console != null) {
				this.console.close();
				this.console = null;
			}
			this.module = false;
		}

		private <T> T await(java.util.concurrent.CompletableFuture<T> future, Duration timeout) {
			try {
				// The future has its own timeout; this one only guards against a bug
				// leaving it open.
				return future.get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
			}
			catch (ExecutionException ex) {
				throw (ex.getCause() instanceof RuntimeException runtime) ? runtime
						: new IllegalStateException(ex.getCause());
			}
			catch (TimeoutException ex) {
				future.cancel(true);
				throw new IllegalStateException("master " + this.address + " did not answer within " + timeout);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException("interrupted");
			}
		}

		private static String reason(RuntimeException ex) {
			return (ex.getMessage() != null) ? ex.getMessage() : ex.getClass().getSimpleName();
		}

	}

}
