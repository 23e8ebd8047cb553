package io.pomelo.gateway.discovery;

import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * What discovery did: logins and polls by result, servers seen, and when a poll last
 * succeeded.
 */
final class DiscoveryMeters {

	private final Counter loginsOk;

	private final Counter loginsFailed;

	private final Counter pollsOk;

	private final Counter pollsFailed;

	private final AtomicLong servers = new AtomicLong();

	private final AtomicLong lastSuccess = new AtomicLong();

	DiscoveryMeters(MeterRegistry registry) {
		this.loginsOk = login(registry, "success");
		this.loginsFailed = login(registry, "failure");
		this.pollsOk = poll(registry, "success");
		this.pollsFailed = poll(registry, "failure");
		Gauge.builder("pomelo.gateway.discovery.servers", this.servers, AtomicLong::get)
			.description("Frontend servers the Pomelo masters reported, as last seen")
			.register(registry);
		Gauge.builder("pomelo.gateway.discovery.last.success", this.lastSuccess, AtomicLong::get)
			.description("When a poll of every master last succeeded, in seconds since the epoch (0: never)")
			.baseUnit("seconds")
			.register(registry);
	}

	private static Counter login(MeterRegistry registry, String result) {
		return Counter.builder("pomelo.gateway.discovery.logins")
			.description("Logins to a Pomelo master's admin console, by result")
			.tag("result", result)
			.register(registry);
	}

	private static Counter poll(MeterRegistry registry, String result) {
		return Counter.builder("pomelo.gateway.discovery.polls")
			.description("Server list reads from a Pomelo master, by result")
			.tag("result", result)
			.register(registry);
	}

	void login(boolean ok) {
		(ok ? this.loginsOk : this.loginsFailed).increment();
	}

	void poll(boolean ok) {
		(ok ? this.pollsOk : this.pollsFailed).increment();
		if (ok) {
			this.lastSuccess.set(System.currentTimeMillis() / 1000);
		}
	}

	void servers(int count) {
		this.servers.set(count);
	}

}
