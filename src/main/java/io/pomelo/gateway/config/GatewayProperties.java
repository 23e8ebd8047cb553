package io.pomelo.gateway.config;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;
import org.springframework.util.unit.DataSize;

/**
 * The one configuration tree of the gateway, bound from {@code pomelo.gateway.*}.
 */
@ConfigurationProperties(GatewayProperties.PREFIX)
public class GatewayProperties {

	/**
	 * Static routes, read-only through the admin API.
	 */
	private final List<StaticRoute> routes = new ArrayList<>();

	/**
	 * Port-addressed routes: {@code <prefix><port>/} reaches {@code host:port} for allow-listed ports.
	 */
	private final List<PortRoute> portRoutes = new ArrayList<>();

	/**
	 * Relay defaults that apply to every route that does not set its own.
	 */
	private final Relay relay = new Relay();

	/**
	 * TLS on the data port from PEM files.
	 */
	private final Tls tls = new Tls();

	/**
	 * Where dynamic routes (those created through the admin API) are kept.
	 */
	private final Store store = new Store();

	/**
	 * Which backends dynamic routes may point at, so the admin API cannot become an open proxy.
	 */
	private final Targets targets = new Targets();

	/**
	 * The admin API on the management port.
	 */
	private final Admin admin = new Admin();

	/**
	 * Pomelo-level observation of relayed frames, for metrics.
	 */
	private final Pomelo pomelo = new Pomelo();

	/**
	 * Limits on what clients can make the data port hold: time, header count, sessions and handshake
	 * rate, globally and per client address.
	 */
	@NestedConfigurationProperty
	private final Limits limits = new Limits();

	/**
	 * Where the client address comes from: the TCP peer, the PROXY protocol, or X-Forwarded-For from
	 * trusted proxies.
	 */
	@NestedConfigurationProperty
	private final ClientAddressProperties clientAddress = new ClientAddressProperties();

	/**
	 * One log line per ended session.
	 */
	@NestedConfigurationProperty
	private final AccessLogProperties accessLog = new AccessLogProperties();

	/**
	 * Which WeChat mini-programs may connect, by the appid in their Referer. Off by default.
	 */
	@NestedConfigurationProperty
	private final WeChatRefererProperties wechatReferer = new WeChatRefererProperties();

	/**
	 * Routes that follow the Pomelo cluster, from its master's server list. Off by default.
	 */
	@NestedConfigurationProperty
	private final DiscoveryProperties discovery = new DiscoveryProperties();

	/**
	 * Reloading the static routes from their configuration files while the gateway runs.
	 */
	private final ConfigReload configReload = new ConfigReload();

	/** The prefix of every property of this tree. */
	public static final String PREFIX = "pomelo.gateway";

	public Limits getLimits() {
		return this.limits;
	}

	public ClientAddressProperties getClientAddress() {
		return this.clientAddress;
	}

	public AccessLogProperties getAccessLog() {
		return this.accessLog;
	}

	public WeChatRefererProperties getWechatReferer() {
		return this.wechatReferer;
	}

	public DiscoveryProperties getDiscovery() {
		return this.discovery;
	}

	public ConfigReload getConfigReload() {
		return this.configReload;
	}

	/**
	 * Reloading {@code routes} and {@code port-routes} from the configuration files they were read from
	 * (spring.config.additional-location, ./application.yml), without a restart. Every other setting
	 * still needs one; a change to it is reported, never applied.
	 */
	public static class ConfigReload {

		/**
		 * Whether to watch the configuration files and reload the routes when one changes. The explicit
		 * trigger on the management port works either way.
		 */
		private boolean watch = true;

		/**
		 * Time without further file events before a change is read, so that an editor's or kubelet's
		 * several writes are read once.
		 */
		private Duration quietPeriod = Duration.ofMillis(200);

		public boolean isWatch() {
			return this.watch;
		}

		public void setWatch(boolean watch) {
			this.watch = watch;
		}

		public Duration getQuietPeriod() {
			return this.quietPeriod;
		}

		public void setQuietPeriod(Duration quietPeriod) {
			this.quietPeriod = quietPeriod;
		}

	}

	public List<StaticRoute> getRoutes() {
		return this.routes;
	}

	public List<PortRoute> getPortRoutes() {
		return this.portRoutes;
	}

	public Relay getRelay() {
		return this.relay;
	}

	public Tls getTls() {
		return this.tls;
	}

	public Store getStore() {
		return this.store;
	}

	public Targets getTargets() {
		return this.targets;
	}

	public Admin getAdmin() {
		return this.admin;
	}

	/**
	 * Route store settings.
	 */
	public static class Store {

		/**
		 * Store kind: 'file' (embedded default, one replica) or 'redis' (shared by every replica, using
		 * spring.data.redis.*).
		 */
		private String type = "file";

		/**
		 * JSON file of the 'file' store.
		 */
		private java.nio.file.Path file = java.nio.file.Path.of("data/routes.json");

		/**
		 * Key prefix of the 'redis' store.
		 */
		private String redisKey = "pomelo-gateway:routes";

		/**
		 * How often the 'redis' store is re-read in full, as a safety net for missed change events.
		 */
		private Duration resyncPeriod = Duration.ofSeconds(30);

		public String getType() {
			return this.type;
		}

		public void setType(String type) {
			this.type = type;
		}

		public java.nio.file.Path getFile() {
			return this.file;
		}

		public void setFile(java.nio.file.Path file) {
			this.file = file;
		}

		public String getRedisKey() {
			return this.redisKey;
		}

		public void setRedisKey(String redisKey) {
			this.redisKey = redisKey;
		}

		public Duration getResyncPeriod() {
			return this.resyncPeriod;
		}

		public void setResyncPeriod(Duration resyncPeriod) {
			this.resyncPeriod = resyncPeriod;
		}

	}

	/**
	 * The target policy for dynamic routes. A target host must be listed by name in allow-hosts, or every
	 * address it resolves to must fall in allow-cidrs; its port must be in allow-ports. Loopback and
	 * link-local addresses (169.254.0.0/16, cloud metadata) are refused unless a CIDR lists them.
	 */
	public static class Targets {

		/**
		 * Address ranges backends may be in, such as '10.0.0.0/8'.
		 */
		private List<String> allowCidrs = new ArrayList<>();

		/**
		 * Host names backends may have, matched exactly.
		 */
		private List<String> allowHosts = new ArrayList<>();

		/**
		 * Ports and ranges backends may listen on.
		 */
		private List<String> allowPorts = new ArrayList<>(List.of("1-65535"));

		public List<String> getAllowCidrs() {
			return this.allowCidrs;
		}

		public void setAllowCidrs(List<String> allowCidrs) {
			this.allowCidrs = allowCidrs;
		}

		public List<String> getAllowHosts() {
			return this.allowHosts;
		}

		public void setAllowHosts(List<String> allowHosts) {
			this.allowHosts = allowHosts;
		}

		public List<String> getAllowPorts() {
			return this.allowPorts;
		}

		public void setAllowPorts(List<String> allowPorts) {
			this.allowPorts = allowPorts;
		}

	}

	/**
	 * Admin API settings.
	 */
	public static class Admin {

		/**
		 * Users of the admin API. With none, the admin API is disabled.
		 */
		private List<User> users = new ArrayList<>();

		/**
		 * Time live sessions of a route deleted with on-delete 'drain' keep before they get close 1001.
		 */
		private Duration drainGrace = Duration.ofSeconds(10);

		public List<User> getUsers() {
			return this.users;
		}

		public void setUsers(List<User> users) {
			this.users = users;
		}

		public Duration getDrainGrace() {
			return this.drainGrace;
		}

		public void setDrainGrace(Duration drainGrace) {
			this.drainGrace = drainGrace;
		}

	}

	/**
	 * An admin API user.
	 */
	public static class User {

		/**
		 * User name.
		 */
		private String name;

		/**
		 * BCrypt hash of the password, such as '{bcrypt}$2a$10$...' or '$2a$10$...'.
		 */
		private String password;

		/**
		 * Role: 'viewer' (read) or 'admin' (read and write).
		 */
		private String role = "viewer";

		public String getName() {
			return this.name;
		}

		public void setName(String name) {
			this.name = name;
		}

		public String getPassword() {
			return this.password;
		}

		public void setPassword(String password) {
			this.password = password;
		}

		public String getRole() {
			return this.role;
		}

		public void setRole(String role) {
			this.role = role;
		}

		@Override
		public String toString() {
			// Never print the hash.
			return "User[" + this.name + ", " + this.role + "]";
		}

	}

	public Pomelo getPomelo() {
		return this.pomelo;
	}

	/**
	 * What every kind of route has: an id, a path prefix and options where {@code null} means "use the
	 * relay default".
	 */
	public static class RouteOptions {

		/**
		 * Route id, used in metrics tags and the admin API.
		 */
		private String id;

		/**
		 * Path prefix that starts and ends with '/', such as '/gate/'.
		 */
		private String prefix;

		/**
		 * Whether to remove the route prefix from the path sent to the backend.
		 */
		private Boolean stripPrefix;

		/**
		 * Time without a frame in either direction after which the session is closed with 1001.
		 */
		private Duration idleTimeout;

		/**
		 * Most live sessions on this route; further upgrades get 503. 0 means no limit.
		 */
		private Integer maxConnections;

		/**
		 * Largest frame payload accepted from either side; a larger frame closes the session with 1009.
		 */
		private DataSize maxFramePayload;

		public String getId() {
			return this.id;
		}

		public void setId(String id) {
			this.id = id;
		}

		public String getPrefix() {
			return this.prefix;
		}

		public void setPrefix(String prefix) {
			this.prefix = prefix;
		}

		public Boolean getStripPrefix() {
			return this.stripPrefix;
		}

		public void setStripPrefix(Boolean stripPrefix) {
			this.stripPrefix = stripPrefix;
		}

		public Duration getIdleTimeout() {
			return this.idleTimeout;
		}

		public void setIdleTimeout(Duration idleTimeout) {
			this.idleTimeout = idleTimeout;
		}

		public Integer getMaxConnections() {
			return this.maxConnections;
		}

		public void setMaxConnections(Integer maxConnections) {
			this.maxConnections = maxConnections;
		}

		public DataSize getMaxFramePayload() {
			return this.maxFramePayload;
		}

		public void setMaxFramePayload(DataSize maxFramePayload) {
			this.maxFramePayload = maxFramePayload;
		}

	}

	/**
	 * A route from configuration: a path prefix and the backends behind it.
	 */
	public static class StaticRoute extends RouteOptions {

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

	/**
	 * A route whose backend port is the first path segment after the prefix.
	 */
	public static class PortRoute extends RouteOptions {

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

	/**
	 * Relay defaults.
	 */
	public static class Relay {

		/**
		 * Time allowed for the TCP connect to a backend.
		 */
		private Duration connectTimeout = Duration.ofSeconds(3);

		/**
		 * Time allowed for the whole backend WebSocket handshake, connect included.
		 */
		private Duration handshakeTimeout = Duration.ofSeconds(5);

		/**
		 * Default idle timeout; longer than Pomelo's own 90 s idle limit so that a silent gate
		 * connection is never closed by the gateway first.
		 */
		private Duration idleTimeout = Duration.ofSeconds(120);

		/**
		 * On shutdown, time between refusing new upgrades and closing the remaining sessions with 1001;
		 * keep it below the pod's termination grace period.
		 */
		private Duration drainPeriod = Duration.ofSeconds(10);

		/**
		 * Time the gateway waits, after it sent or forwarded a close frame, for the close handshake to
		 * finish before it closes both sockets itself.
		 */
		private Duration closeGrace = Duration.ofSeconds(5);

		/**
		 * WebSocket extensions whose offer goes through to the backend, which then decides (RFC 6455 9.1).
		 * The tunnel passes frames byte for byte, so an extension works end to end only if the gateway
		 * knows how it uses the reserved bits: permessage-deflate (RFC 7692) sets RSV1 on the first frame
		 * of a compressed message. Any other name here is forwarded, and its frames then fail as protocol
		 * errors if they set a reserved bit.
		 */
		private List<String> extensions = new ArrayList<>(List.of("permessage-deflate"));

		/**
		 * How often sessions are checked against their idle timeout; a session closes at most this much
		 * later than its timeout.
		 */
		private Duration idleSweepPeriod = Duration.ofSeconds(1);

		/**
		 * Default largest frame payload; a Pomelo package can carry up to 16 MiB - 1.
		 */
		private DataSize maxFramePayload = DataSize.ofMegabytes(16);

		/**
		 * Default most live sessions per route. 0 means no limit.
		 */
		private int maxConnections = 0;

		/**
		 * Whether to remove the route prefix from the backend path by default.
		 */
		private boolean stripPrefix = true;

		/**
		 * Event loops (threads) that carry all network I/O. Defaults to the number of available
		 * processors: one loop per core keeps each loop's batch of ready sockets large and its wake-ups
		 * few, which measured cheaper per message than Reactor Netty's default of at least 4. Read once,
		 * at startup; the JVM system property reactor.netty.ioWorkerCount, when set, wins.
		 */
		private Integer eventLoops;

		/**
		 * Netty's buffer leak detection level: disabled, simple, advanced or paranoid. Read once, at
		 * startup; the JVM system property io.netty.leakDetection.level, when set, wins.
		 */
		private String leakDetection = "disabled";

		public String getLeakDetection() {
			return this.leakDetection;
		}

		public void setLeakDetection(String leakDetection) {
			this.leakDetection = leakDetection;
		}

		public Integer getEventLoops() {
			return this.eventLoops;
		}

		public void setEventLoops(Integer eventLoops) {
			this.eventLoops = eventLoops;
		}

		public Duration getConnectTimeout() {
			return this.connectTimeout;
		}

		public void setConnectTimeout(Duration connectTimeout) {
			this.connectTimeout = connectTimeout;
		}

		public Duration getHandshakeTimeout() {
			return this.handshakeTimeout;
		}

		public void setHandshakeTimeout(Duration handshakeTimeout) {
			this.handshakeTimeout = handshakeTimeout;
		}

		public Duration getIdleTimeout() {
			return this.idleTimeout;
		}

		public void setIdleTimeout(Duration idleTimeout) {
			this.idleTimeout = idleTimeout;
		}

		public DataSize getMaxFramePayload() {
			return this.maxFramePayload;
		}

		public void setMaxFramePayload(DataSize maxFramePayload) {
			this.maxFramePayload = maxFramePayload;
		}

		public Duration getDrainPeriod() {
			return this.drainPeriod;
		}

		public void setDrainPeriod(Duration drainPeriod) {
			this.drainPeriod = drainPeriod;
		}

		public List<String> getExtensions() {
			return this.extensions;
		}

		public void setExtensions(List<String> extensions) {
			this.extensions = extensions;
		}

		public Duration getCloseGrace() {
			return this.closeGrace;
		}

		public void setCloseGrace(Duration closeGrace) {
			this.closeGrace = closeGrace;
		}

		public Duration getIdleSweepPeriod() {
			return this.idleSweepPeriod;
		}

		public void setIdleSweepPeriod(Duration idleSweepPeriod) {
			this.idleSweepPeriod = idleSweepPeriod;
		}

		public int getMaxConnections() {
			return this.maxConnections;
		}

		public void setMaxConnections(int maxConnections) {
			this.maxConnections = maxConnections;
		}

		public boolean isStripPrefix() {
			return this.stripPrefix;
		}

		public void setStripPrefix(boolean stripPrefix) {
			this.stripPrefix = stripPrefix;
		}

	}

	/**
	 * TLS on the data port. When both files are set the gateway registers them as the SSL bundle
	 * {@code pomelo-data}, reloaded when the files change.
	 */
	public static class Tls {

		/**
		 * PEM certificate chain, as in nginx's ssl_certificate (for example 'file:/etc/tls/tls.crt').
		 */
		private String certificate;

		/**
		 * PEM private key, as in nginx's ssl_certificate_key.
		 */
		private String privateKey;

		/**
		 * Password of an encrypted private key.
		 */
		private String privateKeyPassword;

		public String getCertificate() {
			return this.certificate;
		}

		public void setCertificate(String certificate) {
			this.certificate = certificate;
		}

		public String getPrivateKey() {
			return this.privateKey;
		}

		public void setPrivateKey(String privateKey) {
			this.privateKey = privateKey;
		}

		public String getPrivateKeyPassword() {
			return this.privateKeyPassword;
		}

		public void setPrivateKeyPassword(String privateKeyPassword) {
			this.privateKeyPassword = privateKeyPassword;
		}

	}

	/**
	 * Pomelo-level observation: package and message headers are read in place from relayed frames to
	 * count packages, kicks and handshake codes and to time requests by Pomelo route.
	 */
	public static class Pomelo {

		/**
		 * Whether to read Pomelo headers of relayed frames for metrics.
		 */
		private boolean observe = true;

		/**
		 * Most distinct Pomelo routes tagged in request metrics; later routes are counted under '_other'.
		 */
		private int maxRoutes = 200;

		/**
		 * Most requests per connection awaiting their response; beyond it the oldest is forgotten.
		 */
		private int maxInFlightRequests = 1024;

		/**
		 * Whether to inflate messages compressed with permessage-deflate to read their Pomelo headers.
		 * Off, they are relayed and counted as opaque: inflating costs CPU for every compressed byte and
		 * about 40 KB of native memory per direction of each compressed session (docs/metrics.md has the
		 * measured figures).
		 */
		private boolean inflate = false;

		/**
		 * Most bytes one compressed message may inflate to; past it the observer stops inflating that
		 * direction of the session, which bounds what a deflate bomb costs.
		 */
		private DataSize maxInflatedMessage = DataSize.ofMegabytes(1);

		public boolean isInflate() {
			return this.inflate;
		}

		public void setInflate(boolean inflate) {
			this.inflate = inflate;
		}

		public DataSize getMaxInflatedMessage() {
			return this.maxInflatedMessage;
		}

		public void setMaxInflatedMessage(DataSize maxInflatedMessage) {
			this.maxInflatedMessage = maxInflatedMessage;
		}

		public boolean isObserve() {
			return this.observe;
		}

		public void setObserve(boolean observe) {
			this.observe = observe;
		}

		public int getMaxRoutes() {
			return this.maxRoutes;
		}

		public void setMaxRoutes(int maxRoutes) {
			this.maxRoutes = maxRoutes;
		}

		public int getMaxInFlightRequests() {
			return this.maxInFlightRequests;
		}

		public void setMaxInFlightRequests(int maxInFlightRequests) {
			this.maxInFlightRequests = maxInFlightRequests;
		}

	}

}
