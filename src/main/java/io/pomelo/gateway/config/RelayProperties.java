package io.pomelo.gateway.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.netty.util.ResourceLeakDetector;

import org.springframework.util.unit.DataSize;

/**
 * Relay defaults.
 */
public class RelayProperties {

	/**
	 * Time allowed for the TCP connect to a backend.
	 */
	private Duration connectTimeout = Duration.ofSeconds(3);

	/**
	 * Time allowed for the whole backend WebSocket handshake, connect included.
	 */
	private Duration handshakeTimeout = Duration.ofSeconds(5);

	/**
	 * Default idle timeout; longer than Pomelo's own 90 s idle limit so that a silent
	 * gate connection is never closed by the gateway first.
	 */
	private Duration idleTimeout = Duration.ofSeconds(120);

	/**
	 * On shutdown, time between refusing new upgrades and closing the remaining sessions
	 * with 1001; keep it below the pod's termination grace period.
	 */
	private Duration drainPeriod = Duration.ofSeconds(10);

	/**
	 * Time the gateway waits, after it sent or forwarded a close frame, for the close
	 * handshake to finish before it closes both sockets itself.
	 */
	private Duration closeGrace = Duration.ofSeconds(5);

	/**
	 * WebSocket extensions whose offer goes through to the backend, which then decides
	 * (RFC 6455 9.1). The tunnel passes frames byte for byte, so an extension works end
	 * to end only if the gateway knows how it uses the reserved bits: permessage-deflate
	 * (RFC 7692) sets RSV1 on the first frame of a compressed message. Any other name
	 * here is forwarded, and its frames then fail as protocol errors if they set a
	 * reserved bit.
	 */
	private List<String> extensions = new ArrayList<>(List.of("permessage-deflate"));

	/**
	 * How often sessions are checked against their idle timeout; a session closes at most
	 * this much later than its timeout.
	 */
	private Duration idleSweepPeriod = Duration.ofSeconds(1);

	/**
	 * Default largest frame payload; a Pomelo package can carry up to 16 MiB - 1.
	 */
	private DataSize maxFramePayload = DataSize.ofMegabytes(16);

	/**
	 * Default most live sessions per route. 0 means no limit.
	 */
	private int maxConnections = 0;

	/**
	 * Whether to remove the route prefix from the backend path by default.
	 */
	private boolean stripPrefix = true;

	/**
	 * Event loops (threads) that carry all network I/O. Defaults to the number of
	 * available processors: one loop per core keeps each loop's batch of ready sockets
	 * large and its wake-ups few, which measured cheaper per message than Reactor Netty's
	 * default of at least 4. Read once, at startup; the JVM system property
	 * reactor.netty.ioWorkerCount, when set, wins.
	 */
	private Integer eventLoops;

	/**
	 * Netty's buffer leak detection level: disabled, simple, advanced or paranoid. Read
	 * once, at startup; the JVM system property io.netty.leakDetection.level, when set,
	 * wins.
	 */
	private ResourceLeakDetector.Level leakDetection = ResourceLeakDetector.Level.DISABLED;

	public ResourceLeakDetector.Level getLeakDetection() {
		return this.leakDetection;
	}

	public void setLeakDetection(ResourceLeakDetector.Level leakDetection) {
		this.leakDetection = leakDetection;
	}

	public Integer getEventLoops() {
		return this.eventLoops;
	}

	public void setEventLoops(Integer eventLoops) {
		this.eventLoops = eventLoops;
	}

	public Duration getConnectTimeout() {
		return this.connectTimeout;
	}

	public void setConnectTimeout(Duration connectTimeout) {
		this.connectTimeout = connectTimeout;
	}

	public Duration getHandshakeTimeout() {
		return this.handshakeTimeout;
	}

	public void setHandshakeTimeout(Duration handshakeTimeout) {
		this.handshakeTimeout = handshakeTimeout;
	}

	public Duration getIdleTimeout() {
		return this.idleTimeout;
	}

	public void setIdleTimeout(Duration idleTimeout) {
		this.idleTimeout = idleTimeout;
	}

	public DataSize getMaxFramePayload() {
		return this.maxFramePayload;
	}

	public void setMaxFramePayload(DataSize maxFramePayload) {
		this.maxFramePayload = maxFramePayload;
	}

	public Duration getDrainPeriod() {
		return this.drainPeriod;
	}

	public void setDrainPeriod(Duration drainPeriod) {
		this.drainPeriod = drainPeriod;
	}

	public List<String> getExtensions() {
		return this.extensions;
	}

	public void setExtensions(List<String> extensions) {
		this.extensions = extensions;
	}

	public Duration getCloseGrace() {
		return this.closeGrace;
	}

	public void setCloseGrace(Duration closeGrace) {
		this.closeGrace = closeGrace;
	}

	public Duration getIdleSweepPeriod() {
		return this.idleSweepPeriod;
	}

	public void setIdleSweepPeriod(Duration idleSweepPeriod) {
		this.idleSweepPeriod = idleSweepPeriod;
	}

	public int getMaxConnections() {
		return this.maxConnections;
	}

	public void setMaxConnections(int maxConnections) {
		this.maxConnections = maxConnections;
	}

	public boolean isStripPrefix() {
		return this.stripPrefix;
	}

	public void setStripPrefix(boolean stripPrefix) {
		this.stripPrefix = stripPrefix;
	}

}
