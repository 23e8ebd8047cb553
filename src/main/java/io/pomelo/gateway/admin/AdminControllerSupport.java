package io.pomelo.gateway.admin;

import java.security.Principal;
import java.util.List;
import java.util.concurrent.Callable;

import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.ServerWebInputException;

import io.pomelo.gateway.store.StoreUnavailableException;

/**
 * What every admin controller shares: problem bodies for refused requests, the caller's
 * name for the audit log, and running store work off the event loop.
 */
abstract class AdminControllerSupport {

	@ExceptionHandler(AdminException.class)
	ResponseEntity<ProblemDetail> refused(AdminException ex, ServerWebExchange exchange) {
		return Problems.of(ex, exchange);
	}

	@ExceptionHandler(ServerWebInputException.class)
	ResponseEntity<ProblemDetail> unreadable(ServerWebInputException ex, ServerWebExchange exchange) {
		return Problems.unreadable(ex, exchange);
	}

	@ExceptionHandler(StoreUnavailableException.class)
	ResponseEntity<ProblemDetail> storeDown(StoreUnavailableException ex, ServerWebExchange exchange) {
		return Problems.of(HttpStatus.SERVICE_UNAVAILABLE, "Route store unavailable",
				ex.getMessage() + "; nothing was changed", List.of(), exchange);
	}

	/** Runs blocking store work on a worker thread. */
	static <T> Mono<T> blocking(Callable<T> work) {
		return Mono.fromCallable(work).subscribeOn(Schedulers.boundedElastic());
	}

	/** The authenticated user's name, for the audit log. */
	static Mono<String> user(ServerWebExchange exchange) {
		return exchange.getPrincipal().map(Principal::getName).defaultIfEmpty("anonymous");
	}

}
