package io.pomelo.gateway.store;

/**
 * A change whose precondition does not hold in the store: nothing was written.
 */
public class StoreConflictException extends RuntimeException {

	/** Which precondition failed. */
	public enum Kind {

		/** A created route already exists. */
		EXISTS,

		/** An updated or deleted route does not exist. */
		MISSING,

		/** The route changed since the version the caller saw. */
		STALE

	}

	private final Kind kind;

	private final String routeId;

	private final long currentVersion;

	public StoreConflictException(Kind kind, String routeId, long currentVersion) {
		super("route '" + routeId + "': " + switch (kind) {
			case EXISTS -> "already exists";
			case MISSING -> "does not exist";
			case STALE -> "was changed since; its version is now " + currentVersion;
		});
		this.kind = kind;
		this.routeId = routeId;
		this.currentVersion = currentVersion;
	}

	public Kind kind() {
		return this.kind;
	}

	public String routeId() {
		return this.routeId;
	}

	public long currentVersion() {
		return this.currentVersion;
	}

}
