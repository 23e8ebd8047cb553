package io.pomelo.gateway.relay;

import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.pomelo.gateway.relay.RelaySession.CloseOutcome;

/**
 * One line per ended session on the logger {@code pomelo.gateway.access}: who, which
 * route and backend, how long, frames and bytes each way, and who closed with which code.
 * The message is logfmt, so a plain log is greppable; each field is also a key-value
 * pair, so Spring Boot's structured logging
 * ({@code logging.structured.format.console=ecs}, for example) gives JSON fields. Off
 * unless {@code pomelo.gateway.access-log.enabled} is set: one line per session is a lot
 * of lines.
 */
final class AccessLog implements SessionListener {

	/** The logger the lines go to. */
	static final String LOGGER = "pomelo.gateway.access";

	private static final Logger logger = LoggerFactory.getLogger(LOGGER);

	@Override
	public void closed(RelaySession session) {
		if (!logger.isInfoEnabled()) {
			return;
		}
		CloseOutcome outcome = session.outcome();
		String closedBy = (outcome != null) ? outcome.side().name().toLowerCase(java.util.Locale.ROOT) : "unknown";
		int code = (outcome != null) ? outcome.code() : CloseCodes.ABNORMAL;
		long durationMillis = TimeUnit.NANOSECONDS.toMillis(session.ageNanos());
		logger.atInfo()
			.addKeyValue("session", session.id())
			.addKeyValue("client", session.clientAddress())
			.addKeyValue("route", session.routeId())
			.addKeyValue("backend", session.backend())
			.addKeyValue("duration_ms", durationMillis)
			.addKeyValue("frames_up", session.framesUp())
			.addKeyValue("bytes_up", session.bytesUp())
			.addKeyValue("frames_down", session.framesDown())
			.addKeyValue("bytes_down", session.bytesDown())
			.addKeyValue("closed_by", closedBy)
			.addKeyValue("code", code)
			.log("session={} client={} route={} backend={} duration_ms={} frames_up={} bytes_up={} frames_down={} "
					+ "bytes_down={} closed_by={} code={}", session.id(), session.clientAddress(), session.routeId(),
					session.backend(), durationMillis, session.framesUp(), session.bytesUp(), session.framesDown(),
					session.bytesDown(), closedBy, code);
	}

}
