/**
 * The route model: validated, immutable routes, the snapshot that holds them, and the
 * bridge that hands them to Spring Cloud Gateway's route lookup.
 */
package io.pomelo.gateway.route;
