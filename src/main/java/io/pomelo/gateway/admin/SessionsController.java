package io.pomelo.gateway.admin;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;

import io.pomelo.gateway.relay.CloseCodes;
import io.pomelo.gateway.relay.RelaySession;
import io.pomelo.gateway.relay.SessionRegistry;
import io.pomelo.gateway.route.FieldProblem;

/**
 * {@code /admin/sessions}: the live relayed connections, read from the session registry,
 * and closing one. A closed session's client and backend both get the close code, 4000
 * "closed by operator" unless the request names another (1000, or 3000-4999).
 */
@AdminController
class SessionsController extends AdminControllerSupport {

	/** The close code an operator's close sends by default. */
	static final int CLOSED_BY_OPERATOR = 4000;

	private final SessionRegistry registry;

	SessionsController(SessionRegistry registry) {
		this.registry = registry;
	}

	/**
	 * One live session.
	 *
	 * @param id session id
	 * @param route route id
	 * @param client client address and port as the gateway saw them
	 * @param backend the backend URI the session is connected to
	 * @param openedAt when both handshakes completed
	 * @param framesUp frames from the client to the backend
	 * @param bytesUp payload bytes from the client to the backend
	 * @param framesDown frames from the backend to the client
	 * @param bytesDown payload bytes from the backend to the client
	 */
	record SessionView(String id, String route, String client, String backend, Instant openedAt, long framesUp,
			long bytesUp, long framesDown, long bytesDown) {

		static SessionView of(RelaySession session) {
			return new SessionView(session.id(), session.routeId(), session.clientAddress(),
					session.backend().toString(), session.openedAt(), session.framesUp(), session.bytesUp(),
					session.framesDown(), session.bytesDown());
		}

	}

	@GetMapping("/admin/sessions")
	List<SessionView> list(@RequestParam(required = false) String route) {
		List<RelaySession> sessions = (route != null) ? this.registry.ofRoute(route) : List.copyOf(this.registry.all());
		return sessions.stream()
			.sorted(Comparator.comparingLong(RelaySession::openedNanos))
			.map(SessionView::of)
			.toList();
	}

	@DeleteMapping("/admin/sessions/{id}")
	ResponseEntity<Void> close(@PathVariable String id, @RequestParam(defaultValue = "" + CLOSED_BY_OPERATOR) int code,
			@RequestParam(defaultValue = "closed by operator") String reason) {
		if (code != CloseCodes.NORMAL && (code < 3000 || code > 4999)) {
			throw new AdminException(HttpStatus.BAD_REQUEST, "Invalid close code", "code must be 1000 or 3000-4999",
					List.of(new FieldProblem("code", "must be 1000 or 3000-4999")));
		}
		if (reason.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 123) {
			throw new AdminException(HttpStatus.BAD_REQUEST, "Invalid close reason", "reason must fit in 123 bytes",
					List.of(new FieldProblem("reason", "must be at most 123 bytes of UTF-8")));
		}
		RelaySession session = this.registry.get(id);
		if (session == null) {
			throw new AdminException(HttpStatus.NOT_FOUND, "No such session", "session '" + id + "' is not live");
		}
		session.close(code, reason);
		return ResponseEntity.noContent().build();
	}

}
