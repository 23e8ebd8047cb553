package io.pomelo.gateway.admin;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import io.pomelo.gateway.config.PomeloGatewayProperties;
import io.pomelo.gateway.relay.SessionRegistry;
import io.pomelo.gateway.route.GatewayRoute;
import io.pomelo.gateway.route.DynamicRoute;
import io.pomelo.gateway.route.RouteSource;
import io.pomelo.gateway.route.RouteTable;
import io.pomelo.gateway.route.RouteLimits;
import io.pomelo.gateway.route.TargetRoute;
import io.pomelo.gateway.security.TargetPolicy;
import io.pomelo.gateway.store.FileRouteStore;
import io.pomelo.gateway.store.StoredRoute;
import io.pomelo.gateway.support.Seeded;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random sequences of valid and invalid admin operations: after every step the API's
 * view, the store (re-read from disk) and the live route table hold the same routes, and
 * a refused operation changes nothing at all.
 */
class RouteAdministrationPropertyTests {

	private static final List<String> IDS = List.of("a", "b", "c", "d");

	private static final List<String> PREFIXES = List.of("/a/", "/b/", "/c/", "/gate/", "/shared/");

	private static final List<String> TARGETS = List.of("ws://127.0.0.1:3050", "ws://127.0.0.1:3051",
			"ws://169.254.169.254:80", "http://127.0.0.1:1", "ws://10.9.9.9:3050");

	/** One admin operation; the version is either the current one or a wrong one. */
	record Op(String kind, String id, String prefix, String target, boolean rightVersion) {
	}

	@Test
	void apiStoreAndTableAlwaysAgree() {
		Seeded.check("route-administration", 60, (random) -> {
			List<Op> ops = new java.util.ArrayList<>();
			for (int i = 5 + random.nextInt(26); i > 0; i--) {
				ops.add(op(random));
			}
			try {
				agree(ops);
			}
			catch (IOException ex) {
				throw new java.io.UncheckedIOException(ex);
			}
		});
	}

	private static void agree(List<Op> ops) throws IOException {
		Path file = Files.createTempDirectory("prop-store").resolve("routes.json");
		PomeloGatewayProperties properties = new PomeloGatewayProperties();
		properties.getTargets().setAllowCidrs(List.of("127.0.0.0/8"));
		GatewayRoute gate = GatewayRoute.toTargets("gate", "/gate/", RouteSource.CONFIG,
				new RouteLimits(true, java.time.Duration.ofSeconds(120), 0, 1024),
				List.of(java.net.URI.create("ws://127.0.0.1:3014")));
		RouteTable table = new RouteTable(List.of(gate), (event) -> {
		});
		FileRouteStore store = new FileRouteStore(file);
		RouteAdministration admin = new RouteAdministration(table, store,
				new TargetPolicy(properties.getTargets(), Set::of), properties.getRelay(), new SessionRegistry(),
				java.time.Duration.ofSeconds(1));
		for (Op op : ops) {
			Map<String, String> apiBefore = apiView(admin);
			String fileBefore = Files.exists(file) ? Files.readString(file) : "";
			boolean applied = apply(admin, store, op);
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
		DynamicRoute route = new DynamicRoute(op.id(), op.prefix(), List.of(op.target()), null, null, null, null, null,
				null, null, null);
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
		return admin.list()
			.stream()
			.filter((view) -> "dynamic".equals(view.source()))
			.collect(Collectors.toMap(RouteView::id, (view) -> view.prefix() + view.targets() + "@" + view.version(),
					(a, b) -> a, TreeMap::new));
	}

	private static Map<String, String> storeView(Map<String, StoredRoute> stored) {
		return stored.values()
			.stream()
			.collect(Collectors.toMap((s) -> s.route().id(),
					(s) -> s.route().prefix() + s.route().targets() + "@" + s.version(), (a, b) -> a, TreeMap::new));
	}

	private static Map<String, String> tableView(RouteTable table) {
		return table.current()
			.routes()
			.stream()
			.filter((route) -> route.source() == RouteSource.DYNAMIC)
			.collect(Collectors.toMap(GatewayRoute::id,
					(route) -> route.prefix() + ((route instanceof TargetRoute fixed)
							? fixed.targets().stream().map(Object::toString).toList() : List.of()),
					(a, b) -> a, TreeMap::new));
	}

	private static Op op(java.util.Random random) {
		int k = random.nextInt(10);
		String kind = (k < 4) ? "create" : (k < 8) ? "update" : "delete";
		int t = random.nextInt(19);
		String target = (t < 8) ? TARGETS.get(0) : (t < 16) ? TARGETS.get(1) : TARGETS.get(t - 14);
		String id = IDS.get(random.nextInt(IDS.size()));
		String prefix = PREFIXES.get(random.nextInt(PREFIXES.size()));
		boolean rightVersion = random.nextInt(6) != 0;
		return new Op(kind, id, prefix.equals("/shared/") ? prefix : "/" + id + prefix, target, rightVersion);
	}

}
