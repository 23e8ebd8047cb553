package io.pomelo.gateway.relay;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import io.netty.util.ResourceLeakDetector;

import org.junit.jupiter.api.Test;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ConfigurableApplicationContext;

import io.pomelo.gateway.PomeloGatewayApplication;
import io.pomelo.gateway.support.EchoBackend;
import io.pomelo.gateway.support.GatewayProcess;
import io.pomelo.gateway.support.PomeloCrowd;
import io.pomelo.gateway.support.HttpProbe;
import io.pomelo.gateway.support.WsTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Shutting the gateway down (what SIGTERM does): readiness refuses traffic and new
 * upgrades get 503 at once, live sessions keep working through the drain period, then get
 * close 1001 on both sides.
 */
class ShutdownDrainIntegrationTests {

	@Test
	void shutdownDrainsLiveSessionsWith1001() throws Exception {
		try (EchoBackend backend = EchoBackend.start()) {
			ConfigurableApplicationContext context = new SpringApplicationBuilder(PomeloGatewayApplication.class).run(
					"--spring.config.location=classpath:/application.yml", "--server.port=0",
					"--management.server.port=0", "--pomelo.gateway.routes[0].id=echo",
					"--pomelo.gateway.routes[0].prefix=/echo/", "--pomelo.gateway.routes[0].targets=" + backend.uri(),
					"--pomelo.gateway.relay.drain-period=2s");
			String port = context.getEnvironment().getProperty("local.server.port");
			URI echo = URI.create("ws://127.0.0.1:" + port + "/echo/");
			try (WsTestClient client = WsTestClient.connect(echo, null)) {
				CompletableFuture<Void> closing = CompletableFuture.runAsync(context::close);
				await().atMost(Duration.ofSeconds(5)).until(() -> context.getBean(ShutdownDrain.class).draining());
				assertThat(context.getBean(ApplicationAvailability.class).getReadinessState())
					.isEqualTo(ReadinessState.REFUSING_TRAFFIC);
				HttpProbe.Response refused = HttpProbe.upgrade(echo, null);
				assertThat(refused.status()).isEqualTo(503);
				assertThat(refused.headers()).containsEntry("X-Pomelo-Gateway-Error", "shutting_down");
				client.sendText("still relayed while draining");
				assertThat(client.nextFrame(Duration.ofSeconds(2)).text()).isEqualTo("still relayed while draining");
				WsTestClient.Close close = client.awaitClose(Duration.ofSeconds(10));
				assertThat(close.code()).isEqualTo(1001);
				assertThat(close.reason()).isEqualTo("server shutting down");
				assertThat(backend.nextClose(Duration.ofSeconds(5)).code()).isEqualTo(1001);
				closing.get(30, java.util.concurrent.TimeUnit.SECONDS);
			}
		}
	}

	@Test
	void sigtermWithTwoThousandSessionsGivesEveryPlayer1001WithinTheDrainPeriodAndExitsCleanly() {
		// The players and the backend live in this JVM; the paranoid leak tracker would
		// make them, not the
		// gateway process under test, the slow part of 2,000 close handshakes.
		ResourceLeakDetector.Level tracking = ResourceLeakDetector.getLevel();
		ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
		try {
			drainTwoThousand();
		}
		finally {
			ResourceLeakDetector.setLevel(tracking);
		}
	}

	private void drainTwoThousand() {
		try (EchoBackend backend = EchoBackend.start();
				GatewayProcess gateway = GatewayProcess.start("pomelo.gateway.routes[0].id=echo",
						"pomelo.gateway.routes[0].prefix=/echo/", "pomelo.gateway.routes[0].targets=" + backend.uri(),
						"pomelo.gateway.routes[1].id=idle", "pomelo.gateway.routes[1].prefix=/idle/",
						"pomelo.gateway.routes[1].targets=" + backend.uri(), "pomelo.gateway.routes[1].idle-timeout=1s",
						"pomelo.gateway.relay.drain-period=3s",
						// Every player here comes from 127.0.0.1.
						"pomelo.gateway.limits.per-address.max-sessions=0",
						"pomelo.gateway.limits.per-address.handshake-rate=0")) {
			// A gateway in production has closed sessions on its own account before (idle
			// ones, at least); a
			// fresh process has not, so the same path runs 2,000 times first and the
			// figure is not the JIT's.
			try (PomeloCrowd idle = PomeloCrowd.connect(URI.create("ws://127.0.0.1:" + gateway.dataPort() + "/idle/"),
					null, 2000, Duration.ofSeconds(60))) {
				await().atMost(Duration.ofSeconds(30)).until(() -> idle.endings().size() == 2000);
				assertThat(idle.endingCodes()).containsOnlyKeys(1001);
			}
			URI uri = URI.create("ws://127.0.0.1:" + gateway.dataPort() + "/echo/");
			try (PomeloCrowd crowd = PomeloCrowd.connect(uri, null, 2000, Duration.ofSeconds(60))) {
				long terminatedAt = System.nanoTime();
				gateway.terminate();
				await().atMost(Duration.ofSeconds(30)).until(() -> crowd.endings().size() == 2000);
				assertThat(crowd.endingCodes()).as("how the 2,000 sessions ended").containsOnlyKeys(1001);
				long last = crowd.endings().stream().mapToLong(PomeloCrowd.Ending::atNanos).max().orElseThrow();
				long lastMillis = java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(last - terminatedAt);
				System.out
					.println("SIGTERM under 2000 sessions with a 3 s drain: the last 1001 after " + lastMillis + " ms");
				assertThat(lastMillis).as("ms from SIGTERM to the last 1001").isBetween(3000L, 4000L);
				int exit = gateway.awaitExit(Duration.ofSeconds(30));
				assertThat(exit).as("exit code; output:\n" + gateway.output()).isIn(0, 143);
			}
		}
	}

}
