package io.pomelo.gateway.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.springframework.core.io.Resource;

/**
 * Where discovered routes come from. Today one kind of source: the admin console of one
 * or more Pomelo masters, which know every server of their cluster as it starts and
 * stops.
 */
public class DiscoveryProperties {

	/** The key of the {@code pomelo} group, for messages and conditions. */
	public static final String POMELO = PomeloGatewayProperties.PREFIX + ".discovery.pomelo";

	/**
	 * Pomelo masters to follow.
	 */
	private final Pomelo pomelo = new Pomelo();

	public Pomelo getPomelo() {
		return this.pomelo;
	}

	/**
	 * The Pomelo masters whose frontend servers become routes.
	 */
	public static class Pomelo {

		/**
		 * Whether to follow the Pomelo masters.
		 */
		private boolean enabled;

		/**
		 * Masters' admin console addresses as host:port (the port of the app's
		 * master.json). Each is a separate cluster; their servers are merged.
		 */
		private List<String> masters = new ArrayList<>();

		/**
		 * User of the app's config/adminUser.json to log in as.
		 */
		private String username;

		/**
		 * That user's password. Prefer password-file: whoever logs in to a master can run
		 * code on every server of the cluster.
		 */
		private String password;

		/**
		 * File whose content (trimmed) is the password, such as a mounted Kubernetes
		 * secret; read at every login, so a rotated secret is picked up.
		 */
		private Resource passwordFile;

		/**
		 * How often the server list is read; with the gateway's admin module installed in
		 * the app, changes also arrive as events between polls.
		 */
		private Duration pollInterval = Duration.ofSeconds(5);

		/**
		 * Most time a login or a request to a master may take.
		 */
		private Duration requestTimeout = Duration.ofSeconds(5);

		/**
		 * Prefix of each server's own route; {serverId} and {serverType} are replaced.
		 */
		private String serverPrefix = "/s/{serverId}/";

		/**
		 * Prefix of each server type's route, balanced over its servers; {serverType} is
		 * replaced. Empty turns per-type routes off.
		 */
		private String typePrefix = "/t/{serverType}/";

		/**
		 * Server types to route; empty means every frontend server type.
		 */
		private List<String> serverTypes = new ArrayList<>();

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public List<String> getMasters() {
			return this.masters;
		}

		public void setMasters(List<String> masters) {
			this.masters = masters;
		}

		public String getUsername() {
			return this.username;
		}

		public void setUsername(String username) {
			this.username = username;
		}

		public String getPassword() {
			return this.password;
		}

		public void setPassword(String password) {
			this.password = password;
		}

		public Resource getPasswordFile() {
			return this.passwordFile;
		}

		public void setPasswordFile(Resource passwordFile) {
			this.passwordFile = passwordFile;
		}

		public Duration getPollInterval() {
			return this.pollInterval;
		}

		public void setPollInterval(Duration pollInterval) {
			this.pollInterval = pollInterval;
		}

		public Duration getRequestTimeout() {
			return this.requestTimeout;
		}

		public void setRequestTimeout(Duration requestTimeout) {
			this.requestTimeout = requestTimeout;
		}

		public String getServerPrefix() {
			return this.serverPrefix;
		}

		public void setServerPrefix(String serverPrefix) {
			this.serverPrefix = serverPrefix;
		}

		public String getTypePrefix() {
			return this.typePrefix;
		}

		public void setTypePrefix(String typePrefix) {
			this.typePrefix = typePrefix;
		}

		public List<String> getServerTypes() {
			return this.serverTypes;
		}

		public void setServerTypes(List<String> serverTypes) {
			this.serverTypes = serverTypes;
		}

	}

}
