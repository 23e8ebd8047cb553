package io.pomelo.gateway.admin;

import org.springframework.http.HttpStatus;

/**
 * Reads the route version from an If-Match header.
 */
final class IfMatch {

	private IfMatch() {
	}

	/**
	 * The version in {@code "3"} (or {@code W/"3"} or {@code 3}).
	 * @throws AdminException 428 when the header is missing, 412 when it names no version
	 */
	static long version(String header) {
		if (header == null || header.isBlank()) {
			throw new AdminException(HttpStatus.PRECONDITION_REQUIRED, "If-Match required",
					"send the route's ETag in If-Match; GET /admin/routes/{id} returns it");
		}
		String value = header.trim();
		if (value.startsWith("W/")) {
			value = value.substring(2);
		}
		value = value.replace("\"", "");
		try {
			return Long.parseLong(value);
		}
		catch (NumberFormatException ex) {
			throw new AdminException(HttpStatus.PRECONDITION_FAILED, "Stale version",
					"If-Match '" + header + "' is not a version of this route");
		}
	}

}
