package io.pomelo.gateway.discovery;

import java.net.URI;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.pomelo.gateway.route.GatewayRoute;
import io.pomelo.gateway.route.RouteLimits;
import io.pomelo.gateway.route.RouteSource;
import io.pomelo.gateway.route.TargetRoute;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Servers to routes: one per server, one balanced per type; what the target policy
 * refuses, what would be an invalid route and what collides with another source's route
 * is left out and named.
 */
class DiscoveredRoutesTests {

	private static final RouteLimits LIMITS = new RouteLimits(true, Duration.ofMinutes(2), 0, 1 << 20);

	private final DiscoveredRoutes routes = new DiscoveredRoutes("/s/{serverId}/", "/t/{serverType}/", LIMITS,
			(target) -> target.getHost().startsWith("10.") ? null : "address " + target.getHost() + " is not allowed");

	@Test
	void eachServerGetsItsOwnRouteAndEachTypeOneBalancedOverItsServers() {
		DiscoveredRoutes.Result result = this.routes.build(List.of(server("gate-server-1", "gate", "10.0.0.1", 3014),
				server("connector-server-2", "connector", "10.0.0.3", 3051),
				server("connector-server-1", "connector", "10.0.0.2", 3050)), List.of());
		assertThat(result.problems()).isEmpty();
		assertThat(result.routes()).extracting(GatewayRoute::id)
			.containsExactly("s-connector-server-1", "s-connector-server-2", "s-gate-server-1", "t-connector",
					"t-gate");
		TargetRoute type = result.routes()
			.stream()
			.filter((r) -> r.id().equals("t-connector"))
			.findFirst()
			.orElseThrow();
		assertThat(type.prefix()).isEqualTo("/t/connector/");
		assertThat(type.targets()).containsExactly(URI.create("ws://10.0.0.2:3050"), URI.create("ws://10.0.0.3:3051"));
		assertThat(result.routes()).allSatisfy((route) -> assertThat(route.source()).isEqualTo(RouteSource.DISCOVERY));
	}

	@Test
	void refusedTargetsInvalidIdsAndCollisionsAreLeftOutAndNamed() {
		GatewayRoute configured = GatewayRoute.toTargets("gate", "/t/gate/", RouteSource.CONFIG, LIMITS,
				List.of(URI.create("ws://10.0.0.9:3014")));
		DiscoveredRoutes.Result result = this.routes.build(List.of(server("gate-server-1", "gate", "10.0.0.1", 3014),
				server("connector-server-1", "connector", "127.0.0.1", 3050),
				server("Bad Id", "connector", "10.0.0.4", 3052)), List.of(configured));
		assertThat(result.routes()).extracting(GatewayRoute::id).containsExactly("s-gate-server-1", "t-connector");
		assertThat(result.problems()).anySatisfy((p) -> assertThat(p).contains("connector-server-1", "not allowed"))
			.anySatisfy((p) -> assertThat(p).contains("Bad Id", "invalid"))
			.anySatisfy((p) -> assertThat(p).contains("server type gate", "collides"));
	}

	@Test
	void anEmptyTypePrefixTurnsTypeRoutesOff() {
		DiscoveredRoutes serversOnly = new DiscoveredRoutes("/pomelo/{serverType}/{serverId}/", "", LIMITS,
				(target) -> null);
		DiscoveredRoutes.Result result = serversOnly
			.build(List.of(server("connector-server-1", "connector", "10.0.0.2", 3050)), List.of());
		assertThat(result.routes()).extracting(GatewayRoute::prefix)
			.containsExactly("/pomelo/connector/connector-server-1/");
	}

	private static DiscoveredServer server(String id, String type, String host, int port) {
		return new DiscoveredServer(id, type, host, port, 100);
	}

}
