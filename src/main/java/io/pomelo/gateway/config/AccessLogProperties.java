package io.pomelo.gateway.config;

/**
 * An optional access log: one structured line per session when it ends, on the logger
 * {@code pomelo.gateway.access}.
 */
public class AccessLogProperties {

	/**
	 * Whether to write one line per ended session: client address, route, backend,
	 * duration, frames and bytes each way, and who closed with which code.
	 */
	private boolean enabled;

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

}
