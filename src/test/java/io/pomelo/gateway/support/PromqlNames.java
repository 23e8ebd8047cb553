package io.pomelo.gateway.support;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric names a PromQL expression reads: what is left once label matchers, ranges,
 * strings, grouping clauses, functions and keywords are taken away.
 */
public final class PromqlNames {

	private static final Pattern STRINGS = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'");

	private static final Pattern MATCHERS_AND_RANGES = Pattern.compile("\\{[^}]*\\}|\\[[^\\]]*\\]");

	private static final Pattern GROUPING = Pattern
		.compile("\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");

	private static final Pattern IDENTIFIER = Pattern.compile("\\$?[a-zA-Z_:][a-zA-Z0-9_:]*");

	private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right",
			"bool", "offset", "and", "or", "unless", "inf", "nan");

	private PromqlNames() {
	}

	/** The metric names in an expression, in order of appearance. */
	public static Set<String> of(String expr) {
		String rest = STRINGS.matcher(expr).replaceAll(" ");
		rest = MATCHERS_AND_RANGES.matcher(rest).replaceAll(" ");
		rest = GROUPING.matcher(rest).replaceAll(" ");
		Set<String> names = new LinkedHashSet<>();
		Matcher matcher = IDENTIFIER.matcher(rest);
		while (matcher.find()) {
			String token = matcher.group();
			int after = matcher.end();
			while (after < rest.length() && Character.isWhitespace(rest.charAt(after))) {
				after++;
			}
			boolean function = after < rest.length() && rest.charAt(after) == '(';
			boolean partOfNumber = matcher.start() > 0 && Character.isDigit(rest.charAt(matcher.start() - 1));
			if (!function && !partOfNumber && !token.startsWith("$") && !KEYWORDS.contains(token.toLowerCase())) {
				names.add(token);
			}
		}
		return names;
	}

}
