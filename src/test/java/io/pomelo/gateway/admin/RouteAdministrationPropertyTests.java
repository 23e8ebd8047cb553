package io.pomelo.gateway.admin;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

import io.pomelo.gateway.config.GatewayProperties;
import io.pomelo.gateway.relay.SessionRegistry;
import io.pomelo.gateway.route.GatewayRoute;
import io.pomelo.gateway.route.RouteDefinition;
import io.pomelo.gateway.route.RouteSource;
import io.pomelo.gateway.route.RouteTable;
import io.pomelo.gateway.route.RouteLimits;
import io.pomelo.gateway.security.TargetPolicy;
import io.pomelo.gateway.store.FileRouteStore;
import io.pomelo.gateway.store.StoredRoute;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random sequences of valid and invalid admin operations: after every step the API's view, the store
 * (re-read from disk) and the live route table hold the same routes, and a refused operation changes
 * nothing at all.
 */
class RouteAdministrationPropertyTests {

	private static final List<String> IDS = List.of("a", "b", "c", "d");

	private static final List<String> PREFIXES = List.of("/a/", "/b/", "/c/", "/gate/", "/shared/");

	private static final List<String> TARGETS = List.of("ws://127.0.0.1:3050", "ws://127.0.0.1:3051",
			"ws://169.254.169.254:80", "http://127.0.0.1:1", "ws://10.9.9.9:3050");

	/** One admin operation; the version is either the current one or a wrong one. */
	record Op(String kind, String id, String prefix, String target, boolean rightVersion) {
	}

	@Property(tries = 60)
	void apiStoreAndTableAlwaysAgree(@ForAll @Size(min = 5, max = 30) List<@net.jqwik.api.From("ops") Op> ops)
			throws IOException {
		Path file = Files.createTempDirectory("prop-store").resolve("routes.json");
		GatewayProperties properties = new GatewayProperties();
		properties.getTargets().setAllowCidrs(List.of("127.0.0.0/8"));
		GatewayRoute gate = GatewayRoute.toTargets("gate", "/gate/", RouteSource.CONFIG,
				new RouteLimits(true, java.time.Duration.ofSeconds(120), 0, 1024), List.of(java.net.URI.create("ws://127.0.0.1:3014")));
		RouteTable table = new RouteTable(List.of(gate), (event) -> {
		});
		FileRouteStore store = new FileRouteStore(file);
		RouteAdministration admin = new RouteAdministration(table, store, new TargetPolicy(properties.getTargets(), Set::of),
				properties.getRelay(), new SessionRegistry(), java.time.Duration.ofSeconds(1));
		for (Op op : ops) {
			Map<String, String> apiBefore = apiView(admin);
			String fileBefore = Files.exists(file) ? Files.readString(file) : "";
			boolean applied = apply(admin, store, op);
			net.jqwik.api.statistics.Statistics.collect(op.kind(), applied ? "applied" : "refused");
			if (!applied) {
				assertThat(apiView(admin)).as("a refused %s changes nothing", op).isEqualTo(apiBefore);
				assertThat(Files.exists(file) ? Files.readString(file) : "").isEqualTo(fileBefore);
			}
			Map<String, String> api = apiView(admin);
			assertThat(storeView(new FileRouteStore(file).load())).isEqualTo(api);
			Map<String, String> apiWithoutVersions = new TreeMap<>();
			api.forEach((id, value) -> apiWithoutVersions.put(id, value.substring(0, value.lastIndexOf('@'))));
			assertThat(tableView(table)).isEqualTo(apiWithoutVersions);
		}
	}

	private static boolean apply(RouteAdministration admin, FileRouteStore store, Op op) {
		StoredRoute current = store.load().get(op.id());
		long version = (current == null) ? 1 : (op.rightVersion() ? current.version() : current.version() + 5);
		RouteDefinition route = new RouteDefinition(op.id(), op.prefix(), List.of(op.target()), null, null, null, null,
				null, null, null, null);
		try {
			switch (op.kind()) {
				case "create" -> admin.create(route, "prop");
				case "update" -> admin.update(op.id(), route, version, "prop");
				default -> admin.delete(op.id(), version, "prop");
			}
			return true;
		}
		catch (AdminException ex) {
			return false;
		}
	}

	private static Map<String, String> apiView(RouteAdministration admin) {
		return admin.list().stream().filter((view) -> "dynamic".equals(view.source()))
			.collect(Collectors.toMap(RouteView::id, (view) -> view.prefix() + view.targets() + "@" + view.version(),
					(a, b) -> a, TreeMap::new));
	}

	private static Map<String, String> storeView(Map<String, StoredRoute> stored) {
		return stored.values().stream().collect(Collectors.toMap((s) -> s.route().id(),
				(s) -> s.route().prefix() + s.route().targets() + "@" + s.version(), (a, b) -> a, TreeMap::new));
	}

	private static Map<String, String> tableView(RouteTable table) {
		return table.current().routes().stream().filter((route) -> route.source() == RouteSource.DYNAMIC)
			.collect(Collectors.toMap(GatewayRoute::id, (route) -> route.prefix() + route.targets().stream()
				.map(Object::toString).toList(), (a, b) -> a, TreeMap::new));
	}

	@Provide
	Arbitrary<Op> ops() {
		Arbitrary<String> kinds = Arbitraries.frequency(net.jqwik.api.Tuple.of(4, "create"),
				net.jqwik.api.Tuple.of(4, "update"), net.jqwik.api.Tuple.of(2, "delete"));
		Arbitrary<String> targets = Arbitraries.frequency(net.jqwik.api.Tuple.of(8, TARGETS.get(0)),
				net.jqwik.api.Tuple.of(8, TARGETS.get(1)), net.jqwik.api.Tuple.of(1, TARGETS.get(2)),
				net.jqwik.api.Tuple.of(1, TARGETS.get(3)), net.jqwik.api.Tuple.of(1, TARGETS.get(4)));
		Arbitrary<Boolean> rightVersion = Arbitraries.frequency(net.jqwik.api.Tuple.of(5, true),
				net.jqwik.api.Tuple.of(1, false));
		return Combinators.combine(kinds, Arbitraries.of(IDS), Arbitraries.of(PREFIXES), targets, rightVersion)
			.as((kind, id, prefix, target, right) -> new Op(kind, id, prefix.equals("/shared/") ? prefix : "/" + id + prefix,
					target, right));
	}

}
