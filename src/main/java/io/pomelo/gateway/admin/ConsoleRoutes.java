package io.pomelo.gateway.admin;

import java.net.URI;

import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.Resource;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RequestPredicates;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * Serves the operator console, a static page under {@code /console/} on the management
 * port. The files hold no data and no secret, so they are served to anyone; everything
 * the page shows comes from the admin API and Actuator with the user's own credentials,
 * checked there as for any client.
 * <p>
 * They live in {@code classpath:/console/} rather than {@code /static/}, where Spring
 * Boot's resource handling would also serve them on the data port, which must answer
 * nothing but WebSocket routes.
 */
final class ConsoleRoutes {

	/** Where the console is served. */
	static final String PATH = "/console/";

	private static final Resource FILES = new ClassPathResource("console/");

	private static final Resource INDEX = new ClassPathResource("console/index.html");

	private ConsoleRoutes() {
	}

	static RouterFunction<ServerResponse> routes() {
		// Relative, so a proxy that serves the management port under a path prefix keeps
		// working.
		RouterFunction<ServerResponse> slash = RouterFunctions.route(RequestPredicates.GET("/console"),
				(request) -> ServerResponse.permanentRedirect(URI.create("console/")).build());
		RouterFunction<ServerResponse> index = RouterFunctions.route(RequestPredicates.GET(PATH),
				(request) -> ServerResponse.ok().contentType(MediaType.TEXT_HTML).bodyValue(INDEX));
		return slash.and(index).and(RouterFunctions.resources(PATH + "**", FILES));
	}

}
