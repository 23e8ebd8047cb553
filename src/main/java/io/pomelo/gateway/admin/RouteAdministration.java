package io.pomelo.gateway.admin;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.scheduler.Schedulers;

import org.springframework.http.HttpStatus;

import io.pomelo.gateway.config.RelayProperties;
import io.pomelo.gateway.relay.CloseCodes;
import io.pomelo.gateway.relay.RelaySession;
import io.pomelo.gateway.relay.SessionRegistry;
import io.pomelo.gateway.route.DeletePolicy;
import io.pomelo.gateway.route.FieldProblem;
import io.pomelo.gateway.route.GatewayRoute;
import io.pomelo.gateway.route.PortAllowList;
import io.pomelo.gateway.route.DynamicRoute;
import io.pomelo.gateway.route.DynamicRoutes;
import io.pomelo.gateway.route.RouteSnapshot;
import io.pomelo.gateway.route.RouteSource;
import io.pomelo.gateway.route.RouteTable;
import io.pomelo.gateway.security.TargetPolicy;
import io.pomelo.gateway.store.RouteChange;
import io.pomelo.gateway.store.RouteStore;
import io.pomelo.gateway.store.StoreConflictException;
import io.pomelo.gateway.store.StoredRoute;

/**
 * Changes dynamic routes. Every change is checked in full (syntax, target policy, and the
 * resulting table: ids and prefixes unique) before anything is written; then the store is
 * written, and only then the live table swapped. A refused change therefore leaves the
 * store and the table as they were. Live sessions are never touched by a change, except
 * by an explicit drain.
 */
public class RouteAdministration {

	private static final Log audit = LogFactory.getLog("pomelo.gateway.audit");

	private static final Log logger = LogFactory.getLog(RouteAdministration.class);

	private final RouteTable table;

	private final RouteStore store;

	private final TargetPolicy policy;

	private final RelayProperties defaults;

	private final SessionRegistry sessions;

	private final Duration drainGrace;

	private final Object lock = new Object();

	public RouteAdministration(RouteTable table, RouteStore store, TargetPolicy policy, RelayProperties defaults,
			SessionRegistry sessions, Duration drainGrace) {
		this.table = table;
		this.store = store;
		this.policy = policy;
		this.defaults = defaults;
		this.sessions = sessions;
		this.drainGrace = drainGrace;
	}

	/**
	 * Loads the store into the live table; called at start-up and whenever another
	 * replica changed it.
	 * @throws IllegalStateException when stored routes collide with configured ones
	 */
	public void reload(Map<String, StoredRoute> stored) {
		synchronized (this.lock) {
			List<GatewayRoute> routes = new ArrayList<>();
			for (StoredRoute route : stored.values()) {
				List<FieldProblem> errors = DynamicRoutes.validate(route.route());
				if (!errors.isEmpty()) {
					logger.error("Stored route '" + route.route().id() + "' is invalid and is not served: " + errors);
					continue;
				}
				routes.add(DynamicRoutes.toRoute(route.route(), this.defaults, RouteSource.DYNAMIC));
			}
			this.table.replaceDynamic(routes);
		}
	}

	/**
	 * Reloads from the store itself. The store is read under the lock, so a remote change
	 * that arrives while a local write is in progress can never install an older table
	 * over the one the write made.
	 */
	public void reload() {
		synchronized (this.lock) {
			reload(this.store.load());
		}
	}

	/** Every route, configured and dynamic, most specific prefix first. */
	public List<RouteView> list() {
		Map<String, StoredRoute> stored = this.store.load();
		return this.table.current().routes().stream().map((route) -> view(route, stored)).toList();
	}

	/** One route. */
	public RouteView get(String id) {
		GatewayRoute route = this.table.current().get(id);
		if (route == null) {
			throw notFound(id);
		}
		return view(route, this.store.load());
	}

	private RouteView view(GatewayRoute route, Map<String, StoredRoute> stored) {
		StoredRoute entry = (route.source() == RouteSource.DYNAMIC) ? stored.get(route.id()) : null;
		return RouteView.of(route, (entry != null) ? entry.route() : null, (entry != null) ? entry.version() : 0,
				this.sessions.ofRoute(route.id()).size());
	}

	/** Creates a dynamic route. */
	public RouteView create(DynamicRoute route, String user) {
		synchronized (this.lock) {
			check(route);
			if (this.table.current().get(route.id()) != null) {
				throw conflict(route.id(),
						readOnly(route.id()) ? "comes from configuration or discovery and is read-only"
								: "already exists; change it with PUT /admin/routes/" + route.id());
			}
			Map<String, StoredRoute> after = commit(List.of(new RouteChange.Create(route)));
			audit.info("user=" + user + " action=create route=" + route.id() + " version=0->1");
			return get(after, route.id());
		}
	}

	/** Replaces a dynamic route whose version is still {@code ifMatch}. */
	public RouteView update(String id, DynamicRoute route, long ifMatch, String user) {
		synchronized (this.lock) {
			if (route != null && route.id() != null && !route.id().equals(id)) {
				throw AdminException
					.invalid(List.of(new FieldProblem("id", "must equal the id in the path, '" + id + "'")));
			}
			DynamicRoute withId = (route != null) ? route.withId(id) : null;
			requireDynamic(id);
			check(withId);
			Map<String, StoredRoute> after = commit(List.of(new RouteChange.Update(withId, ifMatch)));
			audit.info("user=" + user + " action=update route=" + id + " version=" + ifMatch + "->"
					+ after.get(id).version());
			return get(after, id);
		}
	}

	/**
	 * Deletes a dynamic route whose version is still {@code ifMatch}, then drains it if
	 * it says so.
	 */
	public void delete(String id, long ifMatch, String user) {
		synchronized (this.lock) {
			requireDynamic(id);
			StoredRoute before = this.store.load().get(id);
			List<RelaySession> live = this.sessions.ofRoute(id);
			commit(List.of(new RouteChange.Delete(id, ifMatch)));
			audit.info("user=" + user + " action=delete route=" + id + " version=" + ifMatch + "->deleted");
			if (before != null && before.route().deletePolicy() == DeletePolicy.DRAIN && !live.isEmpty()) {
				// The sessions are captured now, so a route created later under the same
				// id is never drained.
				Schedulers.parallel()
					.schedule(() -> live.forEach((session) -> session.close(CloseCodes.GOING_AWAY, "route deleted")),
							this.drainGrace.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
			}
		}
	}

	/**
	 * Applies routes from a servers.json import all or nothing, or only reports what
	 * would change.
	 */
	public ImportResult importRoutes(List<DynamicRoute> routes, boolean dryRun, String user) {
		synchronized (this.lock) {
			List<FieldProblem> errors = new ArrayList<>();
			for (int i = 0; i < routes.size(); i++) {
				for (FieldProblem error : problems(routes.get(i))) {
					errors
						.add(new FieldProblem("servers[" + routes.get(i).id() + "]." + error.field(), error.message()));
				}
			}
			if (!errors.isEmpty()) {
				throw new AdminException(HttpStatus.UNPROCESSABLE_CONTENT, "Invalid servers.json",
						"the import would create invalid routes; nothing was applied", errors);
			}
			Map<String, StoredRoute> stored = this.store.load();
			List<String> added = new ArrayList<>();
			List<String> changed = new ArrayList<>();
			List<String> unchanged = new ArrayList<>();
			List<RouteChange> changes = new ArrayList<>();
			for (DynamicRoute route : routes) {
				if (readOnly(route.id())) {
					throw conflict(route.id(), "comes from configuration or discovery; the import would replace it");
				}
				StoredRoute existing = stored.get(route.id());
				if (existing == null) {
					added.add(route.id());
					changes.add(new RouteChange.Upsert(route));
				}
				else if (!existing.route().equals(route)) {
					changed.add(route.id());
					changes.add(new RouteChange.Upsert(route));
				}
				else {
					unchanged.add(route.id());
				}
			}
			if (!dryRun && !changes.isEmpty()) {
				commit(changes);
				audit.info("user=" + user + " action=import added=" + added + " changed=" + changed);
			}
			return new ImportResult(dryRun, added, changed, unchanged);
		}
	}

	/**
	 * What an import adds, changes and leaves alone.
	 *
	 * @param dryRun whether nothing was applied
	 * @param added ids of new routes
	 * @param changed ids of routes whose definition changes
	 * @param unchanged ids of routes that stay as they are
	 */
	public record ImportResult(boolean dryRun, List<String> added, List<String> changed, List<String> unchanged) {
	}

	private void check(DynamicRoute route) {
		List<FieldProblem> syntax = DynamicRoutes.validate(route);
		if (!syntax.isEmpty()) {
			throw AdminException.invalid(syntax);
		}
		List<FieldProblem> policy = policyProblems(route);
		if (!policy.isEmpty()) {
			throw new AdminException(HttpStatus.UNPROCESSABLE_CONTENT, "Target not allowed",
					policy.get(0).field() + " " + policy.get(0).message(), policy);
		}
	}

	private List<FieldProblem> problems(DynamicRoute route) {
		List<FieldProblem> errors = DynamicRoutes.validate(route);
		return errors.isEmpty() ? policyProblems(route) : errors;
	}

	private List<FieldProblem> policyProblems(DynamicRoute route) {
		List<FieldProblem> errors = new ArrayList<>();
		if (route.portAddressed()) {
			String problem = this.policy.checkPortRange(route.host(), PortAllowList.parse(route.ports()));
			if (problem != null) {
				errors.add(new FieldProblem("ports", problem));
			}
		}
		else {
			List<URI> targets = DynamicRoutes.targets(route);
			for (int i = 0; i < targets.size(); i++) {
				String problem = this.policy.check(targets.get(i));
				if (problem != null) {
					errors.add(new FieldProblem("targets[" + i + "]", problem));
				}
			}
		}
		return errors;
	}

	/**
	 * Checks the table the changes would produce, writes the store, then swaps the table.
	 */
	private Map<String, StoredRoute> commit(List<RouteChange> changes) {
		Map<String, StoredRoute> candidate;
		try {
			candidate = io.pomelo.gateway.store.RouteChanges.apply(this.store.load(), changes);
		}
		catch (StoreConflictException ex) {
			throw storeConflict(ex);
		}
		List<GatewayRoute> routes = candidate.values()
			.stream()
			.map((stored) -> DynamicRoutes.toRoute(stored.route(), this.defaults, RouteSource.DYNAMIC))
			.toList();
		List<GatewayRoute> all = new ArrayList<>(this.table.routesBeside(RouteSource.DYNAMIC));
		all.addAll(routes);
		try {
			RouteSnapshot.of(0, all);
		}
		catch (IllegalArgumentException ex) {
			throw new AdminException(HttpStatus.CONFLICT, "Route conflict", ex.getMessage(),
					List.of(new FieldProblem("prefix", ex.getMessage())));
		}
		Map<String, StoredRoute> after;
		try {
			after = this.store.apply(changes);
		}
		catch (StoreConflictException ex) {
			throw storeConflict(ex);
		}
		reload(after);
		return after;
	}

	private RouteView get(Map<String, StoredRoute> stored, String id) {
		return view(this.table.current().get(id), stored);
	}

	private boolean readOnly(String id) {
		GatewayRoute route = this.table.current().get(id);
		return route != null && route.source() != RouteSource.DYNAMIC;
	}

	private void requireDynamic(String id) {
		GatewayRoute route = this.table.current().get(id);
		if (route == null) {
			throw notFound(id);
		}
		if (route.source() == RouteSource.CONFIG) {
			throw conflict(id, "comes from configuration (pomelo.gateway.routes or port-routes) and is read-only "
					+ "through the admin API; change the configuration instead");
		}
		if (route.source() == RouteSource.DISCOVERY) {
			throw conflict(id, "is discovered from the Pomelo master and is read-only through the admin API; it "
					+ "follows the cluster");
		}
	}

	private static AdminException notFound(String id) {
		return new AdminException(HttpStatus.NOT_FOUND, "No such route", "route '" + id + "' does not exist");
	}

	private static AdminException conflict(String id, String why) {
		return new AdminException(HttpStatus.CONFLICT, "Route conflict", "route '" + id + "' " + why,
				List.of(new FieldProblem("id", why)));
	}

	private static AdminException storeConflict(StoreConflictException ex) {
		return switch (ex.kind()) {
			case STALE -> new AdminException(HttpStatus.PRECONDITION_FAILED, "Stale version",
					ex.getMessage() + "; GET it again and retry with its ETag");
			case MISSING -> notFound(ex.routeId());
			case EXISTS -> conflict(ex.routeId(), "already exists");
		};
	}

	/** The live store, for health. */
	public RouteStore store() {
		return this.store;
	}

}
