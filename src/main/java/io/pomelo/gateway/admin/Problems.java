package io.pomelo.gateway.admin;

import java.net.URI;
import java.util.List;
import java.util.Map;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.ServerWebInputException;

import io.pomelo.gateway.route.FieldProblem;

/**
 * Builds RFC 9457 problem bodies on Spring's {@link ProblemDetail}, with an
 * {@code errors} extension naming each rejected field.
 */
final class Problems {

	static final MediaType PROBLEM_JSON = MediaType.APPLICATION_PROBLEM_JSON;

	private Problems() {
	}

	static ResponseEntity<ProblemDetail> of(AdminException ex, ServerWebExchange exchange) {
		return of(ex.status(), ex.title(), ex.getMessage(), ex.errors(), exchange);
	}

	static ResponseEntity<ProblemDetail> of(HttpStatus status, String title, String detail, List<FieldProblem> errors,
			ServerWebExchange exchange) {
		ProblemDetail body = ProblemDetail.forStatusAndDetail(status, detail);
		body.setTitle(title);
		body.setInstance(URI.create(exchange.getRequest().getPath().value()));
		if (!errors.isEmpty()) {
			body.setProperty("errors",
					errors.stream()
						.map((error) -> Map.of("field", error.field(), "message", error.message()))
						.toList());
		}
		return ResponseEntity.status(status).contentType(PROBLEM_JSON).body(body);
	}

	/**
	 * A body that could not be read at all: malformed JSON or a value of the wrong type.
	 * The field is named when the parser knows it.
	 */
	static ResponseEntity<ProblemDetail> unreadable(ServerWebInputException ex, ServerWebExchange exchange) {
		String field = "body";
		Throwable cause = ex.getMostSpecificCause();
		if (cause instanceof tools.jackson.databind.exc.MismatchedInputException mismatch
				&& !mismatch.getPath().isEmpty()) {
			field = mismatch.getPath()
				.stream()
				.map((ref) -> (ref.getPropertyName() != null) ? ref.getPropertyName() : "[" + ref.getIndex() + "]")
				.reduce((a, b) -> b.startsWith("[") ? a + b : a + "." + b)
				.orElse("body");
		}
		String message = (cause != null && cause.getMessage() != null)
				? cause.getMessage().lines().findFirst().orElse("") : ex.getReason();
		return of(HttpStatus.BAD_REQUEST, "Unreadable request", "the request body could not be read: " + message,
				List.of(new FieldProblem(field, "has the wrong type or format")), exchange);
	}

}
