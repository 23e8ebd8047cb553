package io.pomelo.gateway.config;

import java.time.Duration;

/**
 * What one client, and all of them together, can make the data port hold: time to finish
 * TLS and the upgrade request, header count, sessions, connections still in their
 * handshake, and handshakes per second per client address. Every refusal is counted in a
 * metric with its reason.
 */
public class Limits {

	/**
	 * Time from TCP accept to a finished TLS handshake; beyond it the connection is
	 * closed.
	 */
	private Duration tlsHandshakeTimeout = Duration.ofSeconds(10);

	/**
	 * Time from a finished TLS handshake (or the TCP accept without TLS) to the last
	 * header of the upgrade request; beyond it the client gets 408 and the connection is
	 * closed. This is what stops a client that sends its headers one byte at a time
	 * (slowloris).
	 */
	private Duration requestTimeout = Duration.ofSeconds(10);

	/**
	 * Time a non-WebSocket HTTP connection may stay open between requests. The data port
	 * closes every connection it answers with an error itself; this applies to requests
	 * it hands to Spring Cloud Gateway's own routes.
	 */
	private Duration keepAliveTimeout = Duration.ofSeconds(15);

	/**
	 * Most header fields in an upgrade request; beyond it 431. Their total size is
	 * bounded by server.max-http-request-header-size.
	 */
	private int maxHeaderCount = 100;

	/**
	 * Most sessions on the gateway, handshakes in progress included; beyond it 503. 0
	 * derives it from the process's open-file limit: each session holds two sockets.
	 */
	private int maxSessions = 0;

	/**
	 * Most client connections still in TLS, the upgrade request or the backend handshake
	 * at once; beyond it new connections are closed at accept, before any TLS work. It
	 * bounds the memory of handshakes in progress (about 10 KB each, so 170 MB at the
	 * default), and must stay above a reconnect storm: at 4,096, 9,488 wss players
	 * reconnecting at once saw 3,253 refused.
	 */
	private int maxPendingConnections = 16384;

	/**
	 * Limits per client address (an IPv4 address, or an IPv6 prefix).
	 */
	private final PerAddress perAddress = new PerAddress();

	public Duration getTlsHandshakeTimeout() {
		return this.tlsHandshakeTimeout;
	}

	public void setTlsHandshakeTimeout(Duration tlsHandshakeTimeout) {
		this.tlsHandshakeTimeout = tlsHandshakeTimeout;
	}

	public Duration getRequestTimeout() {
		return this.requestTimeout;
	}

	public void setRequestTimeout(Duration requestTimeout) {
		this.requestTimeout = requestTimeout;
	}

	public Duration getKeepAliveTimeout() {
		return this.keepAliveTimeout;
	}

	public void setKeepAliveTimeout(Duration keepAliveTimeout) {
		this.keepAliveTimeout = keepAliveTimeout;
	}

	public int getMaxHeaderCount() {
		return this.maxHeaderCount;
	}

	public void setMaxHeaderCount(int maxHeaderCount) {
		this.maxHeaderCount = maxHeaderCount;
	}

	public int getMaxSessions() {
		return this.maxSessions;
	}

	public void setMaxSessions(int maxSessions) {
		this.maxSessions = maxSessions;
	}

	public int getMaxPendingConnections() {
		return this.maxPendingConnections;
	}

	public void setMaxPendingConnections(int maxPendingConnections) {
		this.maxPendingConnections = maxPendingConnections;
	}

	public PerAddress getPerAddress() {
		return this.perAddress;
	}

	/**
	 * Limits keyed by client address. Players behind one carrier-grade NAT share an
	 * address, so the defaults stop one abusive source without refusing a crowd of real
	 * players.
	 */
	public static class PerAddress {

		/**
		 * Most connections from one address still in TLS or the upgrade request; beyond
		 * it new ones are closed at accept, before any TLS work. 0 means no limit.
		 */
		private int maxPending = 128;

		/**
		 * Most sessions from one address, handshakes in progress included; beyond it 429.
		 * 0 means no limit.
		 */
		private int maxSessions = 1000;

		/**
		 * Upgrades per second one address may make on average (a token bucket); beyond it
		 * 429 with Retry-After. 0 means no limit.
		 */
		private double handshakeRate = 50;

		/**
		 * Upgrades one address may make at once before the rate applies (the bucket's
		 * size).
		 */
		private int handshakeBurst = 200;

		/**
		 * Most addresses whose handshake rate is remembered; the least recently seen is
		 * forgotten first, which bounds the limiter's memory whatever the number of
		 * source addresses.
		 */
		private int tableSize = 65_536;

		/**
		 * Prefix length that groups IPv6 addresses into one key: one customer usually
		 * holds a whole /64.
		 */
		private int ipv6PrefixLength = 64;

		public int getMaxPending() {
			return this.maxPending;
		}

		public void setMaxPending(int maxPending) {
			this.maxPending = maxPending;
		}

		public int getMaxSessions() {
			return this.maxSessions;
		}

		public void setMaxSessions(int maxSessions) {
			this.maxSessions = maxSessions;
		}

		public double getHandshakeRate() {
			return this.handshakeRate;
		}

		public void setHandshakeRate(double handshakeRate) {
			this.handshakeRate = handshakeRate;
		}

		public int getHandshakeBurst() {
			return this.handshakeBurst;
		}

		public void setHandshakeBurst(int handshakeBurst) {
			this.handshakeBurst = handshakeBurst;
		}

		public int getTableSize() {
			return this.tableSize;
		}

		public void setTableSize(int tableSize) {
			this.tableSize = tableSize;
		}

		public int getIpv6PrefixLength() {
			return this.ipv6PrefixLength;
		}

		public void setIpv6PrefixLength(int ipv6PrefixLength) {
			this.ipv6PrefixLength = ipv6PrefixLength;
		}

	}

}
