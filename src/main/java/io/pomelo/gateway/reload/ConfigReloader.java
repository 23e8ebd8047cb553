package io.pomelo.gateway.reload;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.PropertySourcesPlaceholdersResolver;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.PropertySourcesPropertyResolver;

import io.pomelo.gateway.config.PomeloGatewayProperties;
import io.pomelo.gateway.config.PortRoute;
import io.pomelo.gateway.config.RelayProperties;
import io.pomelo.gateway.config.StaticRoute;
import io.pomelo.gateway.reload.ConfigFiles.ConfigFileException;
import io.pomelo.gateway.reload.ConfigFiles.Reading;
import io.pomelo.gateway.reload.ReloadOutcome.Result;
import io.pomelo.gateway.route.ConfigRoutes;
import io.pomelo.gateway.route.FieldProblem;
import io.pomelo.gateway.route.GatewayRoute;
import io.pomelo.gateway.route.RouteSource;
import io.pomelo.gateway.route.RouteTable;

/**
 * Reads the configuration files again and, when their routes validate, swaps the config
 * routes of the {@link RouteTable} in one step. The routes are bound and checked by
 * {@link ConfigRoutes}, so a file is held to the rules and messages of start-up; unlike
 * start-up, a file that fails them changes nothing and the table in force keeps serving.
 * Only {@code routes} and {@code port-routes} are reloaded: every other setting (ports,
 * TLS files, the store, the relay defaults the routes fill in from) is read once at
 * start-up, so a change to one is reported as needing a restart and never half-applied.
 * The routes are therefore built with the relay defaults in force.
 * <p>
 * One reading at a time: the watch and the admin API's trigger may race, and the second
 * must compare against what the first applied.
 */
public final class ConfigReloader {

	private static final Log logger = LogFactory.getLog(ConfigReloader.class);

	private static final String ROUTES = PomeloGatewayProperties.PREFIX + ".routes";

	private static final String PORT_ROUTES = PomeloGatewayProperties.PREFIX + ".port-routes";

	private final ConfigFiles files;

	private final RouteTable table;

	private final RelayProperties relayInForce;

	private final ConfigurableEnvironment environment;

	private final Clock clock;

	private final List<Consumer<ReloadOutcome>> listeners = new CopyOnWriteArrayList<>();

	private final Object lock = new Object();

	// Guarded by lock.
	private Map<java.nio.file.Path, String> lastRead;

	private volatile ReloadOutcome last;

	private volatile Instant lastSuccess;

	ConfigReloader(ConfigFiles files, RouteTable table, RelayProperties relayInForce,
			ConfigurableEnvironment environment, Clock clock) {
		this.files = files;
		this.table = table;
		this.relayInForce = relayInForce;
		this.environment = environment;
		this.clock = clock;
		this.lastRead = files.contents();
		// The files validated at start-up, or the gateway would not be running.
		this.lastSuccess = clock.instant();
	}

	/** Called with every outcome but dry runs. */
	void onOutcome(Consumer<ReloadOutcome> listener) {
		this.listeners.add(listener);
	}

	/** The files that are read, highest precedence first. */
	public List<java.nio.file.Path> files() {
		return this.files.files();
	}

	/** The directories of the files, for the watch. */
	java.util.Set<java.nio.file.Path> directories() {
		return this.files.directories();
	}

	/**
	 * The last outcome that was not a dry run, or {@code null} before the first reading.
	 */
	public ReloadOutcome last() {
		return this.last;
	}

	/**
	 * When routes from the files were last in force as read: start-up or the last applied
	 * or unchanged reading.
	 */
	public Instant lastSuccess() {
		return this.lastSuccess;
	}

	/**
	 * For the watch: reads the files only when their bytes changed since the last
	 * reading.
	 */
	void reloadIfChanged() {
		synchronized (this.lock) {
			if (this.files.contents().equals(this.lastRead)) {
				return;
			}
			reload(false, "watch");
		}
	}

	/**
	 * Reads the files and applies their routes unless {@code dryRun}.
	 * @param trigger {@code watch} or the name of the admin user who asked, for the log
	 */
	public ReloadOutcome reload(boolean dryRun, String trigger) {
		synchronized (this.lock) {
			Instant at = this.clock.instant();
			Map<java.nio.file.Path, String> contents = this.files.contents();
			ReloadOutcome outcome = attempt(dryRun, trigger, at);
			if (!dryRun) {
				this.lastRead = contents;
				record(outcome);
			}
			return outcome;
		}
	}

	private ReloadOutcome attempt(boolean dryRun, String trigger, Instant at) {
		Reading reading;
		try {
			reading = this.files.read();
		}
		catch (ConfigFileException ex) {
			return refused(trigger, at, List.of(), List.of(new FieldProblem(ex.file().toString(), ex.getMessage())));
		}
		List<String> needsRestart = needsRestart(reading);
		PomeloGatewayProperties candidate = new PomeloGatewayProperties();
		copyRouteDefaults(candidate.getRelay());
		List<GatewayRoute> routes;
		try {
			Binder binder = new Binder(ConfigurationPropertySources.from(reading.sources()),
					new PropertySourcesPlaceholdersResolver(reading.sources()));
			binder.bind(ROUTES, Bindable.listOf(StaticRoute.class)).ifBound(candidate.getRoutes()::addAll);
			binder.bind(PORT_ROUTES, Bindable.listOf(PortRoute.class)).ifBound(candidate.getPortRoutes()::addAll);
			routes = ConfigRoutes.from(candidate);
		}
		catch (BindException ex) {
			String property = (ex.getProperty() != null) ? ex.getProperty().getName().toString()
					: ex.getName().toString();
			return refused(trigger, at, needsRestart, List.of(new FieldProblem(property, rootMessage(ex))));
		}
		catch (ConfigRoutes.InvalidRoutesException ex) {
			return refused(trigger, at, needsRestart, ex.problems());
		}
		List<FieldProblem> collisions = collisions(routes, candidate);
		if (!collisions.isEmpty()) {
			return refused(trigger, at, needsRestart, collisions);
		}
		RouteDiff diff = RouteDiff.between(this.table.configRoutes(), routes);
		Result result = dryRun ? Result.DRY_RUN : diff.isEmpty() ? Result.UNCHANGED : Result.APPLIED;
		if (result == Result.APPLIED) {
			try {
				this.table.replace(RouteSource.CONFIG, diff.next());
			}
			catch (IllegalArgumentException ex) {
				// A dynamic route written between the check above and now.
				return refused(trigger, at, needsRestart, List.of(new FieldProblem(ROUTES, ex.getMessage())));
			}
		}
		return new ReloadOutcome(result, trigger, diff.added(), diff.changed(), diff.removed(), needsRestart, List.of(),
				at);
	}

	private void record(ReloadOutcome outcome) {
		this.last = outcome;
		switch (outcome.result()) {
			case APPLIED -> {
				this.lastSuccess = outcome.at();
				logger.info("Routes reloaded from " + this.files.files() + " (" + outcome.trigger() + "): added "
						+ outcome.added() + ", changed " + outcome.changed() + ", removed " + outcome.removed()
						+ "; live sessions keep their backend");
			}
			case UNCHANGED -> this.lastSuccess = outcome.at();
			case REFUSED -> logger.warn("Configuration reload refused (" + outcome.trigger()
					+ "); the routes in force keep serving: " + describe(outcome.problems()));
			default -> {
			}
		}
		if (!outcome.needsRestart().isEmpty()) {
			logger.warn("Changed in " + this.files.files() + " but read only at start-up, so not applied until a "
					+ "restart: " + outcome.needsRestart());
		}
		this.listeners.forEach((listener) -> listener.accept(outcome));
	}

	private void copyRouteDefaults(RelayProperties relay) {
		relay.setIdleTimeout(this.relayInForce.getIdleTimeout());
		relay.setMaxConnections(this.relayInForce.getMaxConnections());
		relay.setMaxFramePayload(this.relayInForce.getMaxFramePayload());
		relay.setStripPrefix(this.relayInForce.isStripPrefix());
	}

	/**
	 * Config routes that would take the id or prefix of a route from the store or
	 * discovery.
	 */
	private List<FieldProblem> collisions(List<GatewayRoute> routes, PomeloGatewayProperties candidate) {
		List<FieldProblem> problems = new ArrayList<>();
		for (GatewayRoute other : this.table.routesBeside(RouteSource.CONFIG)) {
			for (GatewayRoute route : routes) {
				String what = route.id().equals(other.id()) ? "id '" + route.id() + "'"
						: route.prefix().equals(other.prefix()) ? "prefix " + route.prefix() : null;
				if (what != null) {
					problems.add(new FieldProblem(property(route.id(), candidate),
							"its " + what + " is taken by the " + other.source().name().toLowerCase(Locale.ROOT)
									+ " route '" + other.id() + "'; rename one of them (the "
									+ other.source().name().toLowerCase(Locale.ROOT)
									+ " route through its own source)"));
				}
			}
		}
		return problems;
	}

	private static String property(String id, PomeloGatewayProperties candidate) {
		for (int i = 0; i < candidate.getRoutes().size(); i++) {
			if (id.equals(candidate.getRoutes().get(i).getId())) {
				return ROUTES + "[" + i + "]";
			}
		}
		for (int i = 0; i < candidate.getPortRoutes().size(); i++) {
			if (id.equals(candidate.getPortRoutes().get(i).getId())) {
				return PORT_ROUTES + "[" + i + "]";
			}
		}
		return ROUTES;
	}

	/**
	 * Keys of the files, outside the routes, whose value in force would change: those
	 * need a restart.
	 */
	private List<String> needsRestart(Reading reading) {
		TreeSet<String> keys = new TreeSet<>();
		for (PropertySource<?> source : reading.stale()) {
			addKeys(source, keys);
		}
		for (PropertySource<?> source : reading.fresh()) {
			addKeys(source, keys);
		}
		PropertySourcesPropertyResolver next = new PropertySourcesPropertyResolver(reading.sources());
		next.setIgnoreUnresolvableNestedPlaceholders(true);
		List<String> changed = new ArrayList<>();
		for (String key : keys) {
			if (!reloadable(key)
					&& !Objects.equals(value(this.environment::getProperty, key), value(next::getProperty, key))) {
				changed.add(key);
			}
		}
		return changed;
	}

	private static String value(java.util.function.Function<String, String> lookup, String key) {
		try {
			return lookup.apply(key);
		}
		catch (RuntimeException ex) {
			return "(unresolvable)";
		}
	}

	private static void addKeys(PropertySource<?> source, TreeSet<String> keys) {
		if (source instanceof EnumerablePropertySource<?> enumerable) {
			keys.addAll(List.of(enumerable.getPropertyNames()));
		}
	}

	/**
	 * Whether a key is part of routes or port-routes, in any of relaxed binding's
	 * spellings.
	 */
	static boolean reloadable(String key) {
		String uniform = key.toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
		for (String prefix : new String[] { ROUTES, PomeloGatewayProperties.PREFIX + ".portroutes" }) {
			if (uniform.equals(prefix) || uniform.startsWith(prefix + "[") || uniform.startsWith(prefix + ".")) {
				return true;
			}
		}
		return false;
	}

	private ReloadOutcome refused(String trigger, Instant at, List<String> needsRestart, List<FieldProblem> problems) {
		return new ReloadOutcome(Result.REFUSED, trigger, List.of(), List.of(), List.of(), needsRestart, problems, at);
	}

	private static String rootMessage(Throwable ex) {
		Throwable root = ex;
		while (root.getCause() != null && root.getCause() != root) {
			root = root.getCause();
		}
		String message = (root.getMessage() != null) ? root.getMessage() : root.toString();
		return message.lines().findFirst().orElse(message);
	}

	static String describe(List<FieldProblem> problems) {
		return String.join("; ",
				problems.stream().map((problem) -> problem.field() + ": " + problem.message()).toList());
	}

}
