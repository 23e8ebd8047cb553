package io.pomelo.gateway.config;

import java.time.Duration;

/**
 * Route store settings.
 */
public class StoreProperties {

	/** The key that picks the store, for conditions. */
	public static final String TYPE = PomeloGatewayProperties.PREFIX + ".store.type";

	/**
	 * Store kind: 'file' (embedded default, one replica) or 'redis' (shared by every
	 * replica, using spring.data.redis.*).
	 */
	private Type type = Type.FILE;

	/**
	 * JSON file of the 'file' store.
	 */
	private java.nio.file.Path file = java.nio.file.Path.of("data/routes.json");

	/**
	 * Key prefix of the 'redis' store.
	 */
	private String redisKey = "pomelo-gateway:routes";

	/**
	 * How often the 'redis' store is re-read in full, as a safety net for missed change
	 * events.
	 */
	private Duration resyncPeriod = Duration.ofSeconds(30);

	public Type getType() {
		return this.type;
	}

	public void setType(Type type) {
		this.type = type;
	}

	public java.nio.file.Path getFile() {
		return this.file;
	}

	public void setFile(java.nio.file.Path file) {
		this.file = file;
	}

	public String getRedisKey() {
		return this.redisKey;
	}

	public void setRedisKey(String redisKey) {
		this.redisKey = redisKey;
	}

	public Duration getResyncPeriod() {
		return this.resyncPeriod;
	}

	public void setResyncPeriod(Duration resyncPeriod) {
		this.resyncPeriod = resyncPeriod;
	}

	/** Where dynamic routes are kept. */
	public enum Type {

		/** A JSON file: the embedded default, for one replica. */
		FILE,

		/** Redis, shared by every replica, with change events. */
		REDIS

	}

}
