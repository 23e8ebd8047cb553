package io.pomelo.gateway.relay;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ConfigurableApplicationContext;

import io.pomelo.gateway.PomeloGatewayApplication;
import io.pomelo.gateway.support.EchoBackend;
import io.pomelo.gateway.support.HttpProbe;
import io.pomelo.gateway.support.WsTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Shutting the gateway down (what SIGTERM does): readiness refuses traffic and new upgrades get 503 at
 * once, live sessions keep working through the drain period, then get close 1001 on both sides.
 */
class ShutdownDrainIntegrationTests {

	@Test
	void shutdownDrainsLiveSessionsWith1001() throws Exception {
		try (EchoBackend backend = EchoBackend.start()) {
			ConfigurableApplicationContext context = new SpringApplicationBuilder(PomeloGatewayApplication.class)
				.run("--spring.config.location=classpath:/application.yml", "--server.port=0",
						"--management.server.port=0", "--pomelo.gateway.routes[0].id=echo",
						"--pomelo.gateway.routes[0].prefix=/echo/", "--pomelo.gateway.routes[0].targets=" + backend.uri(),
						"--pomelo.gateway.relay.drain-period=2s");
			String port = context.getEnvironment().getProperty("local.server.port");
			URI echo = URI.create("ws://127.0.0.1:" + port + "/echo/");
			try (WsTestClient client = WsTestClient.connect(echo, null)) {
				CompletableFuture<Void> closing = CompletableFuture.runAsync(context::close);
				await().atMost(Duration.ofSeconds(5))
					.until(() -> context.getBean(ShutdownDrain.class).draining());
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

}
