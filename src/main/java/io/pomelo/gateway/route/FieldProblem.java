package io.pomelo.gateway.route;

/**
 * One rejected field of a route, as reported in a problem body.
 *
 * @param field the field's name as the admin API and configuration spell it, such as
 * {@code targets[0]}
 * @param message what is wrong with it
 */
public record FieldProblem(String field, String message) {
}
