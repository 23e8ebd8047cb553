package io.pomelo.gateway.admin;

import java.util.List;

import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.server.ServerWebExchange;

import io.pomelo.gateway.route.FieldProblem;
import io.pomelo.gateway.route.PomeloServersImport;

/**
 * {@code POST /admin/import/pomelo-servers?env=production[&dryRun=true]} with a Pomelo
 * servers.json as the body: a route for every frontend server. A dry run only reports the
 * diff; a real run applies it all or nothing. Routes missing from the file are left
 * alone.
 */
@AdminController
class ImportController extends AdminControllerSupport {

	private final RouteAdministration routes;

	ImportController(RouteAdministration routes) {
		this.routes = routes;
	}

	@PostMapping("/admin/import/pomelo-servers")
	Mono<RouteAdministration.ImportResult> importServers(@RequestParam(defaultValue = "production") String env,
			@RequestParam(defaultValue = "false") boolean dryRun, @RequestBody(required = false) JsonNode servers,
			ServerWebExchange exchange) {
		return user(exchange).flatMap((user) -> blocking(() -> {
			try {
				return this.routes.importRoutes(PomeloServersImport.routes(servers, env), dryRun, user);
			}
			catch (PomeloServersImport.ImportShapeException ex) {
				throw new AdminException(HttpStatus.UNPROCESSABLE_CONTENT, "Invalid servers.json", ex.getMessage(),
						List.of(new FieldProblem(ex.field(), ex.getMessage())));
			}
		}));
	}

}
