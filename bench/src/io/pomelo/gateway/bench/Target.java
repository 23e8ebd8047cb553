package io.pomelo.gateway.bench;

import java.util.List;
import java.util.function.Supplier;

import reactor.netty.http.client.HttpClient;

/**
 * One way to the echo backend (a path of the table), and the processes whose CPU and memory are the
 * proxy's: none for the direct path. The pids are a supplier because nginx's workers can change.
 */
record Target(String name, HttpClient client, String uri, Supplier<List<Long>> proxyPids) {

	/** Proxy CPU in seconds between two readings; NaN for the direct path, which has no proxy. */
	double cpuSeconds(long ticksBefore, long ticksAfter) {
		return this.proxyPids.get().isEmpty() ? Double.NaN : (ticksAfter - ticksBefore) / (double) Os.TICKS_PER_SECOND;
	}

	long cpuTicks() throws java.io.IOException {
		return Os.cpuTicks(this.proxyPids.get());
	}

}
