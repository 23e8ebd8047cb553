package io.pomelo.gateway.route;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class GatewayRouteTests {

	private static RouteLimits limits(boolean strip) {
		return new RouteLimits(strip, Duration.ofSeconds(120), 0, 16 * 1024 * 1024);
	}

	@Test
	void targetRouteStripsThePrefixAndKeepsTheQuery() {
		GatewayRoute gate = GatewayRoute.toTargets("gate", "/gate/", RouteSource.CONFIG, limits(true),
				List.of(URI.create("ws://10.0.0.5:3014")));
		assertThat(gate.resolve("/gate/", null).uri()).isEqualTo(URI.create("ws://10.0.0.5:3014/"));
		assertThat(gate.resolve("/gate", null).uri()).isEqualTo(URI.create("ws://10.0.0.5:3014/"));
		assertThat(gate.resolve("/gate/a/b", "x=1&y=2").uri()).isEqualTo(URI.create("ws://10.0.0.5:3014/a/b?x=1&y=2"));
		assertThat(gate.resolve("/gatex/", null)).isNull();
		assertThat(gate.resolve("/conn/", null)).isNull();
	}

	@Test
	void targetRouteCanKeepThePrefixAndJoinsATargetBasePath() {
		GatewayRoute keep = GatewayRoute.toTargets("keep", "/conn/", RouteSource.CONFIG, limits(false),
				List.of(URI.create("wss://game.internal:3050/base/")));
		assertThat(keep.resolve("/conn/x", null).uri()).isEqualTo(URI.create("wss://game.internal:3050/base/conn/x"));
	}

	@Test
	void severalTargetsAreUsedRoundRobin() {
		GatewayRoute route = GatewayRoute.toTargets("conn", "/conn/", RouteSource.CONFIG, limits(true),
				List.of(URI.create("ws://a:1"), URI.create("ws://b:2")));
		List<String> hosts = new ArrayList<>();
		for (int i = 0; i < 4; i++) {
			hosts.add(route.resolve("/conn/", null).base().getHost());
		}
		assertThat(hosts).containsExactly("a", "b", "a", "b");
	}

	@Test
	void portRouteReachesOnlyAllowListedPorts() {
		GatewayRoute ports = GatewayRoute.toPorts("ws", "/ws/", RouteSource.CONFIG, limits(true), "ws", "127.0.0.1",
				PortAllowList.parse(List.of("3014", "3050-3059")));
		assertThat(ports.resolve("/ws/3051/", null).uri()).isEqualTo(URI.create("ws://127.0.0.1:3051/"));
		assertThat(ports.resolve("/ws/3014", "a=b").uri()).isEqualTo(URI.create("ws://127.0.0.1:3014/?a=b"));
		assertThat(ports.resolve("/ws/3059/deep/path", null).uri())
			.isEqualTo(URI.create("ws://127.0.0.1:3059/deep/path"));
		assertThat(ports.resolve("/ws/3060/", null)).isNull();
		assertThat(ports.resolve("/ws/22/", null)).isNull();
		assertThat(ports.resolve("/ws/abc/", null)).isNull();
		assertThat(ports.resolve("/ws/99999/", null)).isNull();
		assertThat(ports.resolve("/ws/", null)).isNull();
	}

	@Test
	void portAllowListRejectsNonsenseWithItsEntry() {
		assertThatIllegalArgumentException().isThrownBy(() -> PortAllowList.parse(List.of("3050-30x")))
			.withMessageContaining("'3050-30x'");
		assertThatIllegalArgumentException().isThrownBy(() -> PortAllowList.parse(List.of("3059-3050")))
			.withMessageContaining("empty range");
		assertThatIllegalArgumentException().isThrownBy(() -> PortAllowList.parse(List.of("70000")));
		assertThatIllegalArgumentException().isThrownBy(() -> PortAllowList.parse(List.of()));
	}

	@Test
	void snapshotPutsTheMostSpecificPrefixFirstAndRefusesDuplicates() {
		GatewayRoute outer = GatewayRoute.toTargets("outer", "/game/", RouteSource.CONFIG, limits(true),
				List.of(URI.create("ws://a:1")));
		GatewayRoute inner = GatewayRoute.toTargets("inner", "/game/conn/", RouteSource.CONFIG, limits(true),
				List.of(URI.create("ws://b:2")));
		assertThat(RouteSnapshot.of(1, List.of(outer, inner)).routes()).extracting(GatewayRoute::id)
			.containsExactly("inner", "outer");
		GatewayRoute samePrefix = GatewayRoute.toTargets("other", "/game/", RouteSource.CONFIG, limits(true),
				List.of(URI.create("ws://c:3")));
		assertThatIllegalArgumentException().isThrownBy(() -> RouteSnapshot.of(1, List.of(outer, samePrefix)))
			.withMessageContaining("both use prefix /game/");
	}

}
