package io.pomelo.gateway.config;

import java.util.ArrayList;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;

/**
 * The one configuration tree of the gateway, bound from {@code pomelo.gateway.*}.
 */
@ConfigurationProperties(PomeloGatewayProperties.PREFIX)
public class PomeloGatewayProperties {

	/**
	 * Static routes, read-only through the admin API.
	 */
	private final List<StaticRoute> routes = new ArrayList<>();

	/**
	 * Port-addressed routes: {@code <prefix><port>/} reaches {@code host:port} for
	 * allow-listed ports.
	 */
	private final List<PortRoute> portRoutes = new ArrayList<>();

	/**
	 * Relay defaults that apply to every route that does not set its own.
	 */
	@NestedConfigurationProperty
	private final RelayProperties relay = new RelayProperties();

	/**
	 * TLS on the data port from PEM files.
	 */
	@NestedConfigurationProperty
	private final TlsProperties tls = new TlsProperties();

	/**
	 * Where dynamic routes (those created through the admin API) are kept.
	 */
	@NestedConfigurationProperty
	private final StoreProperties store = new StoreProperties();

	/**
	 * Which backends dynamic routes may point at, so the admin API cannot become an open
	 * proxy.
	 */
	@NestedConfigurationProperty
	private final TargetsProperties targets = new TargetsProperties();

	/**
	 * The admin API on the management port.
	 */
	@NestedConfigurationProperty
	private final AdminProperties admin = new AdminProperties();

	/**
	 * Pomelo-level observation of relayed frames, for metrics.
	 */
	@NestedConfigurationProperty
	private final PomeloProperties pomelo = new PomeloProperties();

	/**
	 * Limits on what clients can make the data port hold: time, header count, sessions
	 * and handshake rate, globally and per client address.
	 */
	@NestedConfigurationProperty
	private final Limits limits = new Limits();

	/**
	 * Where the client address comes from: the TCP peer, the PROXY protocol, or
	 * X-Forwarded-For from trusted proxies.
	 */
	@NestedConfigurationProperty
	private final ClientAddressProperties clientAddress = new ClientAddressProperties();

	/**
	 * One log line per ended session.
	 */
	@NestedConfigurationProperty
	private final AccessLogProperties accessLog = new AccessLogProperties();

	/**
	 * Which WeChat mini-programs may connect, by the appid in their Referer. Off by
	 * default.
	 */
	@NestedConfigurationProperty
	private final WeChatRefererProperties wechatReferer = new WeChatRefererProperties();

	/**
	 * Routes that follow the Pomelo cluster, from its master's server list. Off by
	 * default.
	 */
	@NestedConfigurationProperty
	private final DiscoveryProperties discovery = new DiscoveryProperties();

	/**
	 * Reloading the static routes from their configuration files while the gateway runs.
	 */
	@NestedConfigurationProperty
	private final ConfigReloadProperties configReload = new ConfigReloadProperties();

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

	public ConfigReloadProperties getConfigReload() {
		return this.configReload;
	}

	public List<StaticRoute> getRoutes() {
		return this.routes;
	}

	public List<PortRoute> getPortRoutes() {
		return this.portRoutes;
	}

	public RelayProperties getRelay() {
		return this.relay;
	}

	public TlsProperties getTls() {
		return this.tls;
	}

	public StoreProperties getStore() {
		return this.store;
	}

	public TargetsProperties getTargets() {
		return this.targets;
	}

	public AdminProperties getAdmin() {
		return this.admin;
	}

	public PomeloProperties getPomelo() {
		return this.pomelo;
	}

}
