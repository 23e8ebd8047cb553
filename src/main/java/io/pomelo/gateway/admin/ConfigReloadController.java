package io.pomelo.gateway.admin;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.server.ServerWebExchange;

import io.pomelo.gateway.reload.ConfigReloader;
import io.pomelo.gateway.reload.ReloadOutcome;

/**
 * {@code POST /admin/config/reload}: reads the configuration files now and applies their
 * routes, for operators who switched the watch off or want the answer in hand;
 * {@code ?dryRun=true} only compares. It answers what changed, or a problem body naming
 * each property that was refused (the table in force keeps serving). It is an admin API
 * operation rather than an Actuator endpoint so that it shares the API's roles, audit log
 * and problem bodies.
 */
@AdminController
@RequestMapping("/admin/config")
class ConfigReloadController extends AdminControllerSupport {

	private static final Log logger = LogFactory.getLog(ConfigReloadController.class);

	private final ConfigReloader reloader;

	ConfigReloadController(ConfigReloader reloader) {
		this.reloader = reloader;
	}

	@PostMapping("/reload")
	Mono<ResponseEntity<?>> reload(@RequestParam(defaultValue = "false") boolean dryRun, ServerWebExchange exchange) {
		return user(exchange).flatMap((user) -> blocking(() -> {
			ReloadOutcome outcome = this.reloader.reload(dryRun, user);
			logger.info("audit: " + user + " reloaded the configuration" + (dryRun ? " (dry run)" : "") + ": "
					+ outcome.result().tag());
			if (outcome.refused()) {
				return Problems.of(HttpStatus.UNPROCESSABLE_CONTENT, "Configuration refused",
						"the configuration files do not validate; the routes in force keep serving", outcome.problems(),
						exchange);
			}
			return ResponseEntity.ok(new Answer(outcome.result().tag(), outcome.added(), outcome.changed(),
					outcome.removed(), outcome.needsRestart()));
		}));
	}

	/**
	 * What a reading did.
	 *
	 * @param result {@code applied}, {@code unchanged} or {@code dry-run}
	 * @param added ids of new config routes
	 * @param changed ids of config routes that changed
	 * @param removed ids of config routes that are gone; their live sessions keep their
	 * backend
	 * @param needsRestart properties that changed but are read only at start-up, so were
	 * not applied
	 */
	record Answer(String result, java.util.List<String> added, java.util.List<String> changed,
			java.util.List<String> removed, java.util.List<String> needsRestart) {
	}

}
