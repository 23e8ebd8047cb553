package io.pomelo.gateway.reload;

import java.time.Instant;
import java.util.List;

import io.pomelo.gateway.route.FieldProblem;

/**
 * What one reading of the configuration files did to the route table. It is the admin
 * API's answer, the {@code config} health component's detail and the log line, so an
 * operator reads the same words in each.
 *
 * @param result what happened
 * @param trigger what asked for the reading: {@code watch} or the admin user's name
 * @param added ids of config routes that are new
 * @param changed ids of config routes whose prefix, targets or options changed
 * @param removed ids of config routes that are gone; their live sessions keep their
 * backend
 * @param needsRestart properties that changed in the files but are read only at start-up,
 * so were not applied
 * @param problems why the files were refused, one per property; empty unless refused
 * @param at when the files were read
 */
public record ReloadOutcome(Result result, String trigger, List<String> added, List<String> changed,
		List<String> removed, List<String> needsRestart, List<FieldProblem> problems, Instant at) {

	/** What a reading did. */
	public enum Result {

		/** The route table now holds the new config routes. */
		APPLIED,

		/** The config routes in the files are those in force. */
		UNCHANGED,

		/**
		 * The files did not validate or collided with other routes; the table was kept.
		 */
		REFUSED,

		/** The files were read and compared only, as asked. */
		DRY_RUN;

		/** The metric tag and JSON spelling. */
		public String tag() {
			return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
		}

	}

	/** Whether the route table was left as it was because of a problem. */
	public boolean refused() {
		return this.result == Result.REFUSED;
	}

}
