package io.pomelo.gateway.config;

import java.time.Duration;

/**
 * Reloading {@code routes} and {@code port-routes} from the configuration files they were
 * read from (spring.config.additional-location, ./application.yml), without a restart.
 * Every other setting still needs one; a change to it is reported, never applied.
 */
public class ConfigReloadProperties {

	/**
	 * Whether to watch the configuration files and reload the routes when one changes.
	 * The explicit trigger on the management port works either way.
	 */
	private boolean watch = true;

	/**
	 * Time without further file events before a change is read, so that an editor's or
	 * kubelet's several writes are read once.
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
