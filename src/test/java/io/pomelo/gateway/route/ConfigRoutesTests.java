package io.pomelo.gateway.route;

import java.net.URI;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.util.unit.DataSize;

import io.pomelo.gateway.config.PomeloGatewayProperties;
import io.pomelo.gateway.config.PortRoute;
import io.pomelo.gateway.config.StaticRoute;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

class ConfigRoutesTests {

	private static StaticRoute route(String id, String prefix, String target) {
		StaticRoute route = new StaticRoute();
		route.setId(id);
		route.setPrefix(prefix);
		route.setTargets(List.of(URI.create(target)));
		return route;
	}

	@Test
	void routesGetTheRelayDefaultsUnlessTheySetTheirOwn() {
		PomeloGatewayProperties properties = new PomeloGatewayProperties();
		properties.getRoutes().add(route("gate", "/gate/", "ws://127.0.0.1:3014"));
		StaticRoute conn = route("conn", "/conn/", "ws://127.0.0.1:3050");
		conn.setStripPrefix(false);
		conn.setIdleTimeout(Duration.ofSeconds(30));
		conn.setMaxFramePayload(DataSize.ofKilobytes(64));
		conn.setMaxConnections(100);
		properties.getRoutes().add(conn);
		List<GatewayRoute> routes = ConfigRoutes.from(properties);
		assertThat(routes.get(0).limits())
			.isEqualTo(new RouteLimits(true, Duration.ofSeconds(120), 0, 16 * 1024 * 1024));
		assertThat(routes.get(1).limits()).isEqualTo(new RouteLimits(false, Duration.ofSeconds(30), 100, 64 * 1024));
		assertThat(routes).allMatch((route) -> route.source() == RouteSource.CONFIG);
	}

	@Test
	void everyBrokenPropertyIsNamedInOneStartupError() {
		PomeloGatewayProperties properties = new PomeloGatewayProperties();
		properties.getRoutes().add(route("gate", "gate", "http://127.0.0.1:3014"));
		PortRoute ports = new PortRoute();
		ports.setId("ws");
		ports.setPrefix("/ws/");
		ports.setPorts(List.of("30x"));
		properties.getPortRoutes().add(ports);
		assertThatIllegalStateException().isThrownBy(() -> ConfigRoutes.from(properties))
			.withMessageContaining("pomelo.gateway.routes[0].prefix: must start and end with '/'")
			.withMessageContaining("pomelo.gateway.routes[0].targets[0]: scheme must be ws or wss, not http")
			.withMessageContaining("pomelo.gateway.port-routes[0].ports: '30x' is not a port");
	}

	@Test
	void duplicatePrefixesStopStartup() {
		PomeloGatewayProperties properties = new PomeloGatewayProperties();
		properties.getRoutes().add(route("a", "/game/", "ws://127.0.0.1:1"));
		properties.getRoutes().add(route("b", "/game/", "ws://127.0.0.1:2"));
		assertThatIllegalStateException().isThrownBy(() -> ConfigRoutes.from(properties))
			.withMessageContaining("both use prefix /game/");
	}

}
