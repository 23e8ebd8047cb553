package io.pomelo.gateway.reload;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;

import io.pomelo.gateway.support.AdminClient;
import io.pomelo.gateway.support.ConfigMapDirectory;
import io.pomelo.gateway.support.GatewayInstance;
import io.pomelo.gateway.support.HttpProbe;
import io.pomelo.gateway.support.Meters;
import io.pomelo.gateway.support.PomeloServer;
import io.pomelo.gateway.support.PomeloTestClient;
import io.pomelo.gateway.support.WsTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Routes in a directory laid out as kubelet mounts a ConfigMap, changed while real Pomelo
 * players keep echoing through the gateway: the routes follow the file (a removed route
 * keeps its live player), a file that does not validate changes nothing, and no player is
 * ever disconnected. The time from each swap to the gateway serving it is printed.
 */
class ConfigReloadIntegrationTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	private static final String VIEWER_PASSWORD = "viewer-" + Long.toHexString(System.nanoTime());

	private static final PomeloServer pomelo = PomeloServer.start();

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	@AfterAll
	static void stopPomelo() {
		pomelo.close();
	}

	@Test
	void swappedConfigMapAddsChangesAndRemovesRoutesRefusesABrokenFileAndNeverDropsAPlayer(@TempDir Path temp) {
		ConfigMapDirectory config = ConfigMapDirectory.create(temp, "application.yml",
				routes(route("conn", "/conn/", null)));
		try (GatewayInstance gateway = GatewayInstance.start(
				"spring.config.additional-location=file:" + config.root() + "/",
				"pomelo.gateway.store.file=" + temp.resolve("routes.json"));
				PomeloTestClient player = PomeloTestClient.over(WsTestClient.connect(gateway.ws("/conn/"), null))) {
			player.handshake();
			Echoer echoer = new Echoer(player);
			echoer.start();
			echoer.awaitMore(5);

			// 1. A new route, which then serves a new player.
			long swapped = System.nanoTime();
			config.update(routes(route("conn", "/conn/", null), route("conn2", "/conn2/", null)));
			await().atMost(WAIT).pollInterval(Duration.ofMillis(10)).ignoreExceptions().until(() -> {
				try (PomeloTestClient second = PomeloTestClient
					.over(WsTestClient.connect(gateway.ws("/conn2/"), null))) {
					second.handshake();
					return second.request("connector.entryHandler.echo", Map.of("route", "conn2"))
						.get("msg")
						.get("route")
						.asString()
						.equals("conn2");
				}
			});
			System.out.printf("config reload: swap to /conn2/ serving a new player: %d ms%n", millisSince(swapped));
			echoer.awaitMore(5);
			PomeloTestClient onConn2 = PomeloTestClient.over(WsTestClient.connect(gateway.ws("/conn2/"), null));
			onConn2.handshake();
			Echoer echoerOnConn2 = new Echoer(onConn2);
			echoerOnConn2.start();
			echoerOnConn2.awaitMore(5);

			// 2. A changed idle timeout: new sessions on /conn/ get it; the echoing
			// player stays.
			swapped = System.nanoTime();
			config.update(routes(route("conn", "/conn/", "2s"), route("conn2", "/conn2/", null)));
			await().atMost(WAIT)
				.pollInterval(Duration.ofMillis(10))
				.until(() -> gateway.admin().get("/admin/routes/conn").body().contains("\"idleTimeout\":\"PT2S\""));
			System.out.printf("config reload: swap to the changed idle timeout in force: %d ms%n",
					millisSince(swapped));
			try (WsTestClient idle = WsTestClient.connect(gateway.ws("/conn/"), null)) {
				WsTestClient.Close close = idle.awaitClose(WAIT);
				assertThat(close.code()).as("a new idle session on /conn/ under the new 2 s timeout").isEqualTo(1001);
			}
			echoer.awaitMore(5);

			// 3. A file that does not validate: refused, the table as it was, health says
			// why.
			String before = gateway.admin().get("/admin/routes").body();
			swapped = System.nanoTime();
			config.update(routes(route("conn", "/conn/", "2s"), route("conn2", "conn2", null)));
			await().atMost(WAIT)
				.pollInterval(Duration.ofMillis(10))
				.until(() -> health(gateway).contains("\"lastResult\":\"refused\""));
			System.out.printf("config reload: swap to a broken file refused: %d ms%n", millisSince(swapped));
			String health = health(gateway);
			assertThat(health).contains("pomelo.gateway.routes[1].prefix").contains("\"status\":\"UP\"");
			assertThat(gateway.admin().get("/admin/routes").body()).isEqualTo(before);
			try (PomeloTestClient third = PomeloTestClient.over(WsTestClient.connect(gateway.ws("/conn2/"), null))) {
				third.handshake();
				assertThat(third.request("connector.entryHandler.echo", Map.of("still", "served")).get("code").asInt())
					.isEqualTo(200);
			}
			MeterRegistry meters = gateway.context().getBean(MeterRegistry.class);
			assertThat(Meters.count(meters, "pomelo.gateway.config.reloads", "result", "refused")).isEqualTo(1);
			assertThat(Meters.count(meters, "pomelo.gateway.config.reloads", "result", "applied")).isEqualTo(2);
			assertThat(get(gateway, "/actuator/prometheus")).contains("pomelo_gateway_config_reloads_total{")
				.contains("pomelo_gateway_config_last_success_seconds");
			echoer.awaitMore(5);

			// 4. /conn2/ removed: no new player gets in; the one on it keeps its backend
			// (delete policy KEEP).
			swapped = System.nanoTime();
			config.update(routes(route("conn", "/conn/", "2s")));
			await().atMost(WAIT)
				.pollInterval(Duration.ofMillis(10))
				.until(() -> HttpProbe.upgrade(URI.create("http://127.0.0.1:" + gateway.dataPort() + "/conn2/"), null)
					.status() == 404);
			System.out.printf("config reload: swap to /conn2/ removed (404 for a new player): %d ms%n",
					millisSince(swapped));
			echoerOnConn2.awaitMore(5);
			echoer.awaitMore(5);
			echoerOnConn2.stop();
			assertThat(echoerOnConn2.failure.get()).as("the player on the removed route").isNull();
			assertThat(onConn2.ws().isOpen()).as("the player on the removed route").isTrue();
			onConn2.close();

			echoer.stop();
			assertThat(echoer.failure.get()).as("the echoing player's failure").isNull();
			assertThat(player.ws().isOpen()).as("the player's first connection").isTrue();
			System.out.printf("config reload: the player exchanged %d echoes over one connection across four swaps%n",
					echoer.echoes.get());
		}
	}

	@Test
	void explicitTriggerNeedsAdminShowsADryRunAndRefusesACollisionWithADynamicRoute(@TempDir Path temp) {
		ConfigMapDirectory config = ConfigMapDirectory.create(temp, "application.yml",
				routes(route("conn", "/conn/", null)));
		String viewerHash = new BCryptPasswordEncoder(4).encode(VIEWER_PASSWORD);
		try (GatewayInstance gateway = GatewayInstance.start(
				"spring.config.additional-location=file:" + config.root() + "/",
				"pomelo.gateway.store.file=" + temp.resolve("routes.json"), "pomelo.gateway.config-reload.watch=false",
				"pomelo.gateway.admin.users[1].name=viewer", "pomelo.gateway.admin.users[1].password=" + viewerHash,
				"pomelo.gateway.admin.users[1].role=viewer")) {
			AdminClient admin = gateway.admin();
			AdminClient viewer = new AdminClient(gateway.managementPort(), "viewer", VIEWER_PASSWORD);
			config.update(routes(route("conn", "/conn/", null), route("conn3", "/conn3/", null)));

			assertThat(anonymousPost(gateway, "/admin/config/reload")).as("anonymous").isEqualTo(401);
			assertThat(viewer.post("/admin/config/reload", "").status()).as("viewer").isEqualTo(403);

			AdminClient.Reply dryRun = admin.post("/admin/config/reload?dryRun=true", "");
			assertThat(dryRun.status()).isEqualTo(200);
			JsonNode diff = PomeloTestClient.json(dryRun.body());
			assertThat(diff.get("result").asString()).isEqualTo("dry-run");
			assertThat(diff.get("added").toString()).isEqualTo("[\"conn3\"]");
			assertThat(admin.get("/admin/routes/conn3").status()).as("conn3 after a dry run").isEqualTo(404);

			AdminClient.Reply applied = admin.post("/admin/config/reload", "");
			assertThat(applied.status()).as(applied.body()).isEqualTo(200);
			assertThat(PomeloTestClient.json(applied.body()).get("result").asString()).isEqualTo("applied");
			assertThat(admin.get("/admin/routes/conn3").body()).contains("\"source\":\"config\"");
			assertThat(PomeloTestClient.json(admin.post("/admin/config/reload", "").body()).get("result").asString())
				.isEqualTo("unchanged");

			// A dynamic route, then a file whose new route takes its prefix: refused, the
			// conflict named.
			assertThat(
					admin
						.post("/admin/routes",
								"{\"id\":\"dyn\",\"prefix\":\"/dyn/\",\"targets\":[\"" + pomelo.connectorUri(0)
										+ "\"]}")
						.status())
				.isEqualTo(201);
			String before = admin.get("/admin/routes").body();
			config.update(routes(route("conn", "/conn/", null), route("conn3", "/conn3/", null),
					route("clash", "/dyn/", null)));
			AdminClient.Reply refused = admin.post("/admin/config/reload", "");
			assertThat(refused.status()).isEqualTo(422);
			JsonNode problem = PomeloTestClient.json(refused.body());
			assertThat(problem.get("title").asString()).isEqualTo("Configuration refused");
			assertThat(problem.get("errors").get(0).get("field").asString()).isEqualTo("pomelo.gateway.routes[2]");
			assertThat(problem.get("errors").get(0).get("message").asString()).contains("prefix /dyn/",
					"dynamic route 'dyn'");
			assertThat(admin.get("/admin/routes").body()).isEqualTo(before);

			// A setting read only at start-up is reported, never applied.
			config.update(routes(route("conn", "/conn/", null), route("conn3", "/conn3/", null))
					+ "    relay:\n      idle-timeout: 7s\n");
			JsonNode restart = PomeloTestClient.json(admin.post("/admin/config/reload", "").body());
			assertThat(restart.get("needsRestart").toString()).contains("pomelo.gateway.relay.idle-timeout");
			assertThat(admin.get("/admin/routes/conn").body()).contains("\"idleTimeout\":\"PT2M\"");
		}
	}

	private static String routes(String... routes) {
		return "pomelo:\n  gateway:\n    routes:\n" + String.join("", routes);
	}

	private static String route(String id, String prefix, String idleTimeout) {
		return "      - id: " + id + "\n        prefix: " + prefix + "\n        targets: [" + pomelo.connectorUri(0)
				+ "]\n" + ((idleTimeout != null) ? "        idle-timeout: " + idleTimeout + "\n" : "");
	}

	private static long millisSince(long nanos) {
		return Duration.ofNanos(System.nanoTime() - nanos).toMillis();
	}

	private String health(GatewayInstance gateway) {
		return get(gateway, "/actuator/health/config");
	}

	private String get(GatewayInstance gateway, String path) {
		try {
			return this.http
				.send(HttpRequest.newBuilder(gateway.management(path)).timeout(Duration.ofSeconds(10)).build(),
						HttpResponse.BodyHandlers.ofString())
				.body();
		}
		catch (IOException | InterruptedException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private int anonymousPost(GatewayInstance gateway, String path) {
		try {
			return this.http
				.send(HttpRequest.newBuilder(gateway.management(path))
					.timeout(Duration.ofSeconds(10))
					.POST(HttpRequest.BodyPublishers.noBody())
					.build(), HttpResponse.BodyHandlers.discarding())
				.statusCode();
		}
		catch (IOException | InterruptedException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * One player echoing without pause on its own thread, until stopped or something
	 * fails.
	 */
	private static final class Echoer {

		private final PomeloTestClient player;

		private final AtomicInteger echoes = new AtomicInteger();

		private final AtomicReference<Throwable> failure = new AtomicReference<>();

		private final AtomicBoolean stopped = new AtomicBoolean();

		private final Thread thread;

		Echoer(PomeloTestClient player) {
			this.player = player;
			this.thread = new Thread(this::run, "echoing-player");
		}

		void start() {
			this.thread.start();
		}

		private void run() {
			int n = 0;
			while (!this.stopped.get()) {
				try {
					JsonNode echo = this.player.request("connector.entryHandler.echo", Map.of("n", n),
							Duration.ofSeconds(10));
					if (echo.get("msg").get("n").asInt() != n) {
						throw new AssertionError("echo " + n + " came back as " + echo);
					}
					this.echoes.incrementAndGet();
					n++;
					Thread.sleep(10);
				}
				catch (Throwable ex) {
					if (!this.stopped.get()) {
						this.failure.set(ex);
					}
					return;
				}
			}
		}

		void awaitMore(int count) {
			int target = this.echoes.get() + count;
			await().atMost(WAIT).until(() -> this.failure.get() != null || this.echoes.get() >= target);
			assertThat(this.failure.get()).as("the echoing player's failure").isNull();
		}

		void stop() {
			this.stopped.set(true);
			try {
				this.thread.join(WAIT.toMillis());
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}

	}

}
