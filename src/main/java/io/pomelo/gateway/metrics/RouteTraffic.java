package io.pomelo.gateway.metrics;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.pomelo.gateway.relay.RelaySession;

/**
 * Frames and bytes of one route, read from the sessions' own counters rather than counted
 * again per frame: the totals of closed sessions plus the current counters of live ones.
 * Reading and closing share one lock, so a session moves from live to closed atomically
 * and the sums never go backwards, which Prometheus would take for a counter reset.
 */
final class RouteTraffic {

	private final Set<RelaySession> live = ConcurrentHashMap.newKeySet();

	private long closedFramesUp;

	private long closedBytesUp;

	private long closedFramesDown;

	private long closedBytesDown;

	synchronized void opened(RelaySession session) {
		this.live.add(session);
	}

	synchronized void closed(RelaySession session) {
		if (this.live.remove(session)) {
			this.closedFramesUp += session.framesUp();
			this.closedBytesUp += session.bytesUp();
			this.closedFramesDown += session.framesDown();
			this.closedBytesDown += session.bytesDown();
		}
	}

	synchronized double framesUp() {
		long total = this.closedFramesUp;
		for (RelaySession session : this.live) {
			total += session.framesUp();
		}
		return total;
	}

	synchronized double bytesUp() {
		long total = this.closedBytesUp;
		for (RelaySession session : this.live) {
			total += session.bytesUp();
		}
		return total;
	}

	synchronized double framesDown() {
		long total = this.closedFramesDown;
		for (RelaySession session : this.live) {
			total += session.framesDown();
		}
		return total;
	}

	synchronized double bytesDown() {
		long total = this.closedBytesDown;
		for (RelaySession session : this.live) {
			total += session.bytesDown();
		}
		return total;
	}

}
