package io.pomelo.gateway.admin;

import java.util.List;

import org.springframework.http.HttpStatus;

import io.pomelo.gateway.route.FieldProblem;

/**
 * A refused admin request, turned into an RFC 9457 problem body.
 */
public class AdminException extends RuntimeException {

	private final HttpStatus status;

	private final String title;

	private final List<FieldProblem> errors;

	public AdminException(HttpStatus status, String title, String detail, List<FieldProblem> errors) {
		super(detail);
		this.status = status;
		this.title = title;
		this.errors = List.copyOf(errors);
	}

	public AdminException(HttpStatus status, String title, String detail) {
		this(status, title, detail, List.of());
	}

	/** An invalid request body: 400 with every field that is wrong. */
	public static AdminException invalid(List<FieldProblem> errors) {
		return new AdminException(HttpStatus.BAD_REQUEST, "Invalid route",
				errors.size() + " field(s) are invalid: " + errors.get(0).field() + " " + errors.get(0).message(),
				errors);
	}

	public HttpStatus status() {
		return this.status;
	}

	public String title() {
		return this.title;
	}

	public List<FieldProblem> errors() {
		return this.errors;
	}

}
