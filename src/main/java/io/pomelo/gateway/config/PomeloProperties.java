package io.pomelo.gateway.config;

import org.springframework.util.unit.DataSize;

/**
 * Pomelo-level observation: package and message headers are read in place from relayed
 * frames to count packages, kicks and handshake codes and to time requests by Pomelo
 * route.
 */
public class PomeloProperties {

	/**
	 * Whether to read Pomelo headers of relayed frames for metrics.
	 */
	private boolean observe = true;

	/**
	 * Most distinct Pomelo routes tagged in request metrics; later routes are counted
	 * under '_other'.
	 */
	private int maxRoutes = 200;

	/**
	 * Most requests per connection awaiting their response; beyond it the oldest is
	 * forgotten.
	 */
	private int maxInFlightRequests = 1024;

	/**
	 * Whether to inflate messages compressed with permessage-deflate to read their Pomelo
	 * headers. Off, they are relayed and counted as opaque: inflating costs CPU for every
	 * compressed byte and about 40 KB of native memory per direction of each compressed
	 * session (docs/metrics.md has the measured figures).
	 */
	private boolean inflate = false;

	/**
	 * Most bytes one compressed message may inflate to; past it the observer stops
	 * inflating that direction of the session, which bounds what a deflate bomb costs.
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
