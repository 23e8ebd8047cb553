package io.pomelo.gateway.admin;

import java.util.List;

import reactor.core.publisher.Mono;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.server.ServerWebExchange;

import io.pomelo.gateway.route.DynamicRoute;

/**
 * {@code /admin/routes}: list, create, read, replace and delete routes. A route's version
 * is its ETag; PUT and DELETE require it in If-Match, so two operators cannot overwrite
 * each other.
 */
@AdminController
@RequestMapping("/admin/routes")
class RoutesController extends AdminControllerSupport {

	private final RouteAdministration routes;

	RoutesController(RouteAdministration routes) {
		this.routes = routes;
	}

	@GetMapping
	Mono<List<RouteView>> list() {
		return blocking(this.routes::list);
	}

	@GetMapping("/{id}")
	Mono<ResponseEntity<RouteView>> get(@PathVariable String id) {
		return blocking(() -> tagged(HttpStatus.OK, this.routes.get(id)));
	}

	@PostMapping
	Mono<ResponseEntity<RouteView>> create(@RequestBody(required = false) DynamicRoute route,
			ServerWebExchange exchange) {
		return user(exchange).flatMap((user) -> blocking(() -> {
			RouteView created = this.routes.create(route, user);
			return ResponseEntity.status(HttpStatus.CREATED)
				.eTag(etag(created))
				.header(HttpHeaders.LOCATION, "/admin/routes/" + created.id())
				.body(created);
		}));
	}

	@PutMapping("/{id}")
	Mono<ResponseEntity<RouteView>> replace(@PathVariable String id,
			@RequestHeader(name = HttpHeaders.IF_MATCH, required = false) String ifMatch,
			@RequestBody(required = false) DynamicRoute route, ServerWebExchange exchange) {
		return user(exchange).flatMap((user) -> blocking(() -> {
			long version = IfMatch.version(ifMatch);
			return tagged(HttpStatus.OK, this.routes.update(id, route, version, user));
		}));
	}

	@DeleteMapping("/{id}")
	Mono<ResponseEntity<Void>> delete(@PathVariable String id,
			@RequestHeader(name = HttpHeaders.IF_MATCH, required = false) String ifMatch, ServerWebExchange exchange) {
		return user(exchange).flatMap((user) -> blocking(() -> {
			this.routes.delete(id, IfMatch.version(ifMatch), user);
			return ResponseEntity.noContent().build();
		}));
	}

	private static ResponseEntity<RouteView> tagged(HttpStatus status, RouteView view) {
		ResponseEntity.BodyBuilder builder = ResponseEntity.status(status);
		if (view.version() > 0) {
			builder.eTag(etag(view));
		}
		return builder.body(view);
	}

	private static String etag(RouteView view) {
		return "\"" + view.version() + "\"";
	}

}
