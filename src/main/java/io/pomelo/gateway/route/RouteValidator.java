package io.pomelo.gateway.route;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The syntactic rules every route obeys, wherever it comes from. Each broken rule is
 * reported with the name of its field so that configuration errors and admin API problem
 * bodies can say exactly what is wrong.
 */
public final class RouteValidator {

	private static final Pattern ID = Pattern.compile("[a-z0-9]([a-z0-9._-]{0,62}[a-z0-9])?");

	private static final Pattern PREFIX_CHARS = Pattern.compile("[A-Za-z0-9/._~-]+");

	private RouteValidator() {
	}

	/**
	 * Checks a route id: 1 to 64 lowercase letters, digits, '.', '_' or '-', starting and
	 * ending with a letter or digit.
	 */
	public static void checkId(String id, List<FieldProblem> errors) {
		if (id == null || id.isBlank()) {
			errors.add(new FieldProblem("id", "must not be empty"));
		}
		else if (!ID.matcher(id).matches()) {
			errors.add(new FieldProblem("id",
					"must be 1-64 lowercase letters, digits, '.', '_' or '-', starting and ending with a letter or digit"));
		}
	}

	/**
	 * Checks a path prefix: it starts and ends with '/', has no '..', no '//', no query
	 * and no characters outside the unreserved set.
	 */
	public static void checkPrefix(String prefix, List<FieldProblem> errors) {
		if (prefix == null || prefix.isEmpty()) {
			errors.add(new FieldProblem("prefix", "must not be empty"));
			return;
		}
		if (!prefix.startsWith("/") || !prefix.endsWith("/") || prefix.length() < 3) {
			errors.add(new FieldProblem("prefix", "must start and end with '/' and name a path, such as '/gate/'"));
		}
		else if (prefix.contains("..")) {
			errors.add(new FieldProblem("prefix", "must not contain '..'"));
		}
		else if (prefix.contains("//")) {
			errors.add(new FieldProblem("prefix", "must not contain '//'"));
		}
		else if (prefix.contains("?") || prefix.contains("#")) {
			errors.add(new FieldProblem("prefix", "must not contain a query or fragment"));
		}
		else if (!PREFIX_CHARS.matcher(prefix).matches()) {
			errors.add(new FieldProblem("prefix", "may only contain letters, digits, '/', '.', '_', '~' and '-'"));
		}
	}

	/**
	 * Checks a list of targets: at least one, each a ws:// or wss:// URI with a host and
	 * no user info, query or fragment.
	 */
	public static void checkTargets(List<URI> targets, List<FieldProblem> errors) {
		if (targets == null || targets.isEmpty()) {
			errors.add(new FieldProblem("targets", "must list at least one ws:// or wss:// target"));
			return;
		}
		for (int i = 0; i < targets.size(); i++) {
			checkTarget(targets.get(i), "targets[" + i + "]", errors);
		}
	}

	static void checkTarget(URI target, String field, List<FieldProblem> errors) {
		if (target == null) {
			errors.add(new FieldProblem(field, "must not be empty"));
			return;
		}
		String scheme = target.getScheme();
		if (!"ws".equalsIgnoreCase(scheme) && !"wss".equalsIgnoreCase(scheme)) {
			errors.add(new FieldProblem(field, "scheme must be ws or wss, not " + (scheme == null ? "none" : scheme)));
		}
		else if (target.getHost() == null) {
			errors.add(new FieldProblem(field, "must name a host, such as ws://10.0.0.5:3014"));
		}
		else if (target.getRawUserInfo() != null || target.getRawQuery() != null || target.getRawFragment() != null) {
			errors.add(new FieldProblem(field, "must not carry user info, a query or a fragment"));
		}
	}

	/**
	 * Checks the backend of a port-addressed route.
	 */
	public static void checkPortBackend(String scheme, String host, List<String> ports, List<FieldProblem> errors) {
		if (!"ws".equals(scheme) && !"wss".equals(scheme)) {
			errors.add(new FieldProblem("scheme", "must be ws or wss"));
		}
		if (host == null || host.isBlank()) {
			errors.add(new FieldProblem("host", "must not be empty"));
		}
		else {
			try {
				URI uri = URI
					.create("ws://" + (host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host) + ":1");
				if (uri.getHost() == null) {
					errors.add(new FieldProblem("host", "is not a host name or address"));
				}
			}
			catch (IllegalArgumentException ex) {
				errors.add(new FieldProblem("host", "is not a host name or address"));
			}
		}
		try {
			PortAllowList.parse(ports);
		}
		catch (IllegalArgumentException ex) {
			errors.add(new FieldProblem("ports", ex.getMessage()));
		}
	}

	/**
	 * Checks numeric limits; {@code null} means "use the default" and is always valid.
	 */
	public static void checkLimits(java.time.Duration idleTimeout, Integer maxConnections, Long maxFramePayload,
			List<FieldProblem> errors) {
		if (idleTimeout != null && (idleTimeout.isNegative() || idleTimeout.isZero())) {
			errors.add(new FieldProblem("idleTimeout", "must be strictly positive"));
		}
		if (maxConnections != null && maxConnections < 0) {
			errors.add(new FieldProblem("maxConnections", "must be 0 (no limit) or positive"));
		}
		if (maxFramePayload != null && (maxFramePayload < 1 || maxFramePayload > Integer.MAX_VALUE)) {
			errors.add(new FieldProblem("maxFramePayload", "must be between 1 byte and 2 GiB"));
		}
	}

	/**
	 * Collects errors into a fresh list.
	 */
	public static List<FieldProblem> errors() {
		return new ArrayList<>();
	}

}
