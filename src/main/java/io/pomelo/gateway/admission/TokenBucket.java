package io.pomelo.gateway.admission;

/**
 * A token bucket: {@code burst} tokens at most, refilled at {@code rate} per second, one
 * taken per upgrade. Thread-safe; contention is per client address only.
 */
final class TokenBucket {

	private final double ratePerNano;

	private final double burst;

	private double tokens;

	private long refilledAt;

	TokenBucket(double ratePerSecond, int burst, long nowNanos) {
		this.ratePerNano = ratePerSecond / 1e9;
		this.burst = Math.max(1, burst);
		this.tokens = this.burst;
		this.refilledAt = nowNanos;
	}

	/**
	 * Takes one token.
	 * @return 0 when a token was taken, or else the nanoseconds until one will be there
	 */
	synchronized long take(long nowNanos) {
		long elapsed = nowNanos - this.refilledAt;
		if (elapsed > 0) {
			this.tokens = Math.min(this.burst, this.tokens + elapsed * this.ratePerNano);
			this.refilledAt = nowNanos;
		}
		if (this.tokens >= 1) {
			this.tokens -= 1;
			return 0;
		}
		return (long) Math.ceil((1 - this.tokens) / this.ratePerNano);
	}

}
