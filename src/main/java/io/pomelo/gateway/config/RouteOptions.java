package io.pomelo.gateway.config;

import java.time.Duration;

import org.springframework.util.unit.DataSize;

/**
 * What every kind of route has: an id, a path prefix and options where {@code null} means
 * "use the relay default".
 */
public class RouteOptions {

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
	 * Time without a frame in either direction after which the session is closed with
	 * 1001.
	 */
	private Duration idleTimeout;

	/**
	 * Most live sessions on this route; further upgrades get 503. 0 means no limit.
	 */
	private Integer maxConnections;

	/**
	 * Largest frame payload accepted from either side; a larger frame closes the session
	 * with 1009.
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
