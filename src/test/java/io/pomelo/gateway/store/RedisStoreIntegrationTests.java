package io.pomelo.gateway.store;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import io.pomelo.gateway.route.DynamicRoute;
import io.pomelo.gateway.support.AdminClient;
import io.pomelo.gateway.support.EchoBackend;
import io.pomelo.gateway.support.GatewayInstance;
import io.pomelo.gateway.support.HttpProbe;
import io.pomelo.gateway.support.RedisServer;
import io.pomelo.gateway.support.WsTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Two gateways, A and B, in this JVM share one real Redis (Debian's redis-server, started
 * here) and one echo backend. Changes made through A's admin API serve connections on B;
 * a Redis outage leaves both serving what they had and refusing writes; after Redis
 * restarts (empty, no persistence) they converge.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedisStoreIntegrationTests {

	private static final Duration PROPAGATION = Duration.ofSeconds(1);

	static RedisServer redis;

	static EchoBackend echo;

	static GatewayInstance a;

	static GatewayInstance b;

	@BeforeAll
	static void start() {
		redis = RedisServer.startNew();
		echo = EchoBackend.start();
		a = gateway();
		b = gateway();
	}

	private static GatewayInstance gateway() {
		return GatewayInstance.start("pomelo.gateway.store.type=redis", "spring.data.redis.host=127.0.0.1",
				"spring.data.redis.port=" + redis.port());
	}

	@AfterAll
	static void stop() {
		for (AutoCloseable closeable : new AutoCloseable[] { a, b, echo, redis }) {
			try {
				if (closeable != null) {
					closeable.close();
				}
			}
			catch (Exception ex) {
				// Keep closing the others.
			}
		}
	}

	@Test
	@Order(1)
	void aRouteCreatedOnAServesConnectionsOnBWithinOneSecond() {
		assertThat(a.admin().post("/admin/routes", route("made-on-a", "/made-on-a/")).status()).isEqualTo(201);
		await().atMost(PROPAGATION)
			.pollInterval(Duration.ofMillis(10))
			.until(() -> b.admin().get("/admin/routes/made-on-a").status() == 200);
		assertEcho(b, "/made-on-a/");
		assertEcho(a, "/made-on-a/");
	}

	@Test
	@Order(2)
	void updatesAndDeletesOnAReachB() {
		AdminClient.Reply created = a.admin().post("/admin/routes", route("moving", "/moving/"));
		assertThat(created.status()).isEqualTo(201);
		await().atMost(PROPAGATION).until(() -> b.admin().get("/admin/routes/moving").status() == 200);

		AdminClient.Reply updated = a.admin().put("/admin/routes/moving", created.etag(), route("moving", "/moved/"));
		assertThat(updated.status()).isEqualTo(200);
		assertThat(updated.etag()).isEqualTo("\"2\"");
		await().atMost(PROPAGATION).until(() -> "\"2\"".equals(b.admin().get("/admin/routes/moving").etag()));
		assertEcho(b, "/moved/");
		assertThat(HttpProbe.upgrade(b.ws("/moving/"), null).status()).isEqualTo(404);

		assertThat(a.admin().delete("/admin/routes/moving", updated.etag()).status()).isEqualTo(204);
		await().atMost(PROPAGATION).until(() -> b.admin().get("/admin/routes/moving").status() == 404);
		assertThat(HttpProbe.upgrade(b.ws("/moved/"), null).status()).isEqualTo(404);
	}

	@Test
	@Order(3)
	void aStaleIfMatchOnBAfterAChangedTheRouteGets412() {
		AdminClient.Reply created = a.admin().post("/admin/routes", route("contested", "/contested/"));
		await().atMost(PROPAGATION).until(() -> b.admin().get("/admin/routes/contested").status() == 200);
		assertThat(
				a.admin().put("/admin/routes/contested", created.etag(), route("contested", "/contested-a/")).status())
			.isEqualTo(200);
		// At once, whether or not B has seen A's change yet: the version is checked
		// against Redis itself.
		AdminClient.Reply stale = b.admin()
			.put("/admin/routes/contested", created.etag(), route("contested", "/contested-b/"));
		assertThat(stale.status()).isEqualTo(412);
		await().atMost(PROPAGATION)
			.until(() -> b.admin().get("/admin/routes/contested").body().contains("\"prefix\":\"/contested-a/\""));
		assertEcho(b, "/contested-a/");
	}

	@Test
	@Order(4)
	void compareAndSetDecidesOnTheFreshTableWhicheverStoreWrites() throws Exception {
		try (Stores stores = new Stores("cas-test")) {
			RouteStore one = stores.one;
			RouteStore two = stores.two;
			one.apply(List.of(new RouteChange.Create(definition("x", "/x/"))));
			one.apply(List.of(new RouteChange.Update(definition("x", "/x1/"), 1)));
			// Two has not necessarily heard of either change; Redis decides.
			assertThatExceptionOfType(StoreConflictException.class)
				.isThrownBy(() -> two.apply(List.of(new RouteChange.Update(definition("x", "/x2/"), 1))))
				.satisfies((ex) -> assertThat(ex.kind()).isEqualTo(StoreConflictException.Kind.STALE))
				.satisfies((ex) -> assertThat(ex.currentVersion()).isEqualTo(2));
			assertThatExceptionOfType(StoreConflictException.class)
				.isThrownBy(() -> two.apply(List.of(new RouteChange.Create(definition("x", "/x3/")))))
				.satisfies((ex) -> assertThat(ex.kind()).isEqualTo(StoreConflictException.Kind.EXISTS));
			// A batch is all or nothing: the valid first change is not written when the
			// second fails.
			assertThatExceptionOfType(StoreConflictException.class).isThrownBy(() -> two
				.apply(List.of(new RouteChange.Create(definition("y", "/y/")), new RouteChange.Delete("x", 1))));
			assertThat(two.apply(List.of(new RouteChange.Update(definition("x", "/x2/"), 2))).get("x").version())
				.isEqualTo(3);
			await().atMost(PROPAGATION).until(() -> one.load().get("x").version() == 3 && one.load().size() == 1);

			// Concurrent writers on both stores: every create lands exactly once.
			ExecutorService writers = Executors.newFixedThreadPool(4);
			try {
				List<Future<?>> done = new ArrayList<>();
				for (int i = 0; i < 40; i++) {
					RouteStore store = (i % 2 == 0) ? one : two;
					String id = "c" + i;
					done.add(writers
						.submit(() -> store.apply(List.of(new RouteChange.Create(definition(id, "/" + id + "/"))))));
				}
				for (Future<?> future : done) {
					future.get();
				}
			}
			finally {
				writers.shutdownNow();
			}
			await().atMost(PROPAGATION).until(() -> one.load().size() == 41 && one.load().equals(two.load()));
			assertThat(one.load().values()).allSatisfy((route) -> assertThat(route.version()).isPositive());
		}
	}

	@Test
	@Order(5)
	void aRedisOutageKeepsBothServingRefusesWritesAndTheyConvergeAfterARestart() {
		AdminClient.Reply created = a.admin().post("/admin/routes", route("survivor", "/survivor/"));
		assertThat(created.status()).isEqualTo(201);
		await().atMost(PROPAGATION).until(() -> b.admin().get("/admin/routes/survivor").status() == 200);
		WsTestClient live = WsTestClient.connect(b.ws("/survivor/"), null);
		try {
			redis.stop();

			assertEcho(a, "/survivor/");
			assertEcho(b, "/survivor/");
			assertThat(a.admin().post("/admin/routes", route("during-outage", "/during-outage/")).status())
				.isEqualTo(503);
			assertThat(
					b.admin().put("/admin/routes/survivor", created.etag(), route("survivor", "/elsewhere/")).status())
				.isEqualTo(503);
			assertThat(a.admin().get("/admin/routes/during-outage").status()).isEqualTo(404);
			assertThat(b.admin().get("/admin/routes/survivor").body()).contains("\"prefix\":\"/survivor/\"");
			for (GatewayInstance gateway : List.of(a, b)) {
				await().atMost(Duration.ofSeconds(5))
					.until(() -> HttpProbe.get(gateway.management("/actuator/health/store"), null, Map.of())
						.status() == 503);
				// Probes see the status and why (the management port is internal); never
				// a password.
				assertThat(HttpProbe.get(gateway.management("/actuator/health/store"), null, Map.of()).body())
					.contains("\"DOWN\"")
					.contains("unreachableSince")
					.doesNotContain("password");
				AdminClient.Reply health = gateway.admin().get("/actuator/health/store");
				assertThat(health.status()).isEqualTo(503);
				assertThat(health.body()).contains("\"kind\":\"redis\"",
						"\"location\":\"redis://127.0.0.1:" + redis.port(), "\"lastSync\"", "\"unreachableSince\"",
						"\"error\"");
				// Serving the last table is the right thing to do, so readiness stays up.
				assertThat(HttpProbe.get(gateway.management("/actuator/health/readiness"), null, Map.of()).status())
					.isEqualTo(200);
			}
			live.sendText("still here");
			assertThat(live.nextFrame(Duration.ofSeconds(5)).text()).isEqualTo("still here");

			redis.start();

			long restarted = System.nanoTime();
			for (GatewayInstance gateway : List.of(a, b)) {
				await().atMost(Duration.ofSeconds(10))
					.until(() -> HttpProbe.get(gateway.management("/actuator/health/store"), null, Map.of())
						.status() == 200);
			}
			System.out.printf("Both stores healthy %d ms after Redis restarted%n",
					(System.nanoTime() - restarted) / 1_000_000);
			AdminClient.Reply after = a.admin().post("/admin/routes", route("after-restart", "/after-restart/"));
			assertThat(after.status()).isEqualTo(201);
			await().atMost(Duration.ofSeconds(3))
				.until(() -> b.admin().get("/admin/routes/after-restart").status() == 200);
			assertEcho(b, "/after-restart/");
			// Redis came back empty; the replicas refilled it from memory, and the
			// refused write left no trace.
			assertEcho(b, "/survivor/");
			assertThat(b.admin().get("/admin/routes/survivor").etag()).isEqualTo(created.etag());
			assertThat(b.admin().get("/admin/routes/during-outage").status()).isEqualTo(404);
			// Same routes, same versions (live session counts are per replica: the live
			// client is on B).
			assertThat(withoutSessions(a.admin().get("/admin/routes").body()))
				.isEqualTo(withoutSessions(b.admin().get("/admin/routes").body()));
			live.sendText("after the restart");
			assertThat(live.nextFrame(Duration.ofSeconds(5)).text()).isEqualTo("after the restart");
		}
		finally {
			live.close();
		}
	}

	private static String withoutSessions(String routes) {
		return routes.replaceAll("\"activeSessions\":\\d+", "");
	}

	private static void assertEcho(GatewayInstance gateway, String path) {
		try (WsTestClient client = WsTestClient.connect(gateway.ws(path), null)) {
			client.sendText("hello " + path);
			assertThat(client.nextFrame(Duration.ofSeconds(5)).text()).isEqualTo("hello " + path);
		}
	}

	private static String route(String id, String prefix) {
		return "{\"id\":\"" + id + "\",\"prefix\":\"" + prefix + "\",\"targets\":[\"" + echo.uri() + "\"]}";
	}

	private static DynamicRoute definition(String id, String prefix) {
		return new DynamicRoute(id, prefix, List.of("ws://127.0.0.1:1"), null, null, null, null, null, null, null,
				null);
	}

	/**
	 * Two bare stores on the test's Redis under their own key, as two replicas would use
	 * it.
	 */
	private static final class Stores implements AutoCloseable {

		final LettuceConnectionFactory connections = new LettuceConnectionFactory(
				new RedisStandaloneConfiguration("127.0.0.1", redis.port()));

		final RedisRouteStore one;

		final RedisRouteStore two;

		Stores(String key) {
			this.connections.afterPropertiesSet();
			this.connections.start();
			this.one = new RedisRouteStore(this.connections, key, Duration.ofSeconds(30), Duration.ofSeconds(2), key);
			this.two = new RedisRouteStore(this.connections, key, Duration.ofSeconds(30), Duration.ofSeconds(2), key);
		}

		@Override
		public void close() {
			this.one.close();
			this.two.close();
			this.connections.destroy();
		}

	}

}
