package io.pomelo.gateway.relay;

import java.time.Duration;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import reactor.netty.NettyPipeline;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.server.HttpServer;

import org.springframework.boot.reactor.netty.NettyServerCustomizer;

import io.pomelo.gateway.admission.AdmissionControl;
import io.pomelo.gateway.admission.ClientAddressResolver;
import io.pomelo.gateway.admission.ClientConnection;
import io.pomelo.gateway.admission.ClientEvents;
import io.pomelo.gateway.admission.ConnectionGate;
import io.pomelo.gateway.config.Limits;
import io.pomelo.gateway.config.SessionTicketKeys;

/**
 * Puts the gateway's own handlers into every connection of the data port's server: the
 * {@link ConnectionGate} in front of TLS, and the {@link UpgradeHandler} right behind the
 * HTTP decoder. Spring Boot keeps what it does well (the port, the TLS bundle and its
 * reloads, shutdown), while a WebSocket upgrade never reaches the generic WebFlux
 * exchange.
 */
final class DataPortCustomizer implements NettyServerCustomizer {

	private final Relay relay;

	private final AdmissionControl admission;

	private final ClientAddressResolver resolver;

	private final ClientEvents events;

	private final Duration tlsTimeout;

	private final Duration requestTimeout;

	private final Duration keepAliveTimeout;

	private final TicketKeyInstaller ticketKeyInstaller;

	DataPortCustomizer(Relay relay, AdmissionControl admission, ClientAddressResolver resolver, ClientEvents events,
			Limits limits, SessionTicketKeys ticketKeys) {
		this.relay = relay;
		this.admission = admission;
		this.resolver = resolver;
		this.events = events;
		this.tlsTimeout = limits.getTlsHandshakeTimeout();
		this.requestTimeout = limits.getRequestTimeout();
		this.keepAliveTimeout = limits.getKeepAliveTimeout();
		this.ticketKeyInstaller = (ticketKeys != null) ? new TicketKeyInstaller(ticketKeys) : null;
	}

	@Override
	public HttpServer apply(HttpServer server) {
		// WebSocket upgrades are HTTP/1.1; h2c or h2 would move the handshake out of
		// reach.
		return server.protocol(HttpProtocol.HTTP11)
			.childOption(ChannelOption.RCVBUF_ALLOCATOR, ReceiveBuffers.SHARED)
			.idleTimeout(this.keepAliveTimeout)
			.doOnChannelInit((observer, channel, remote) -> {
				ChannelPipeline pipeline = channel.pipeline();
				if (pipeline.get(NettyPipeline.HttpCodec) == null) {
					return;
				}
				ChannelHandler ssl = pipeline.get(NettyPipeline.SslHandler);
				boolean tls = ssl != null;
				if (tls && this.ticketKeyInstaller != null) {
					this.ticketKeyInstaller.install(pipeline, ssl);
				}
				ClientConnection connection = new ClientConnection(channel, this.admission, this.events,
						this.tlsTimeout, this.requestTimeout, tls);
				pipeline.addFirst(ConnectionGate.NAME, new ConnectionGate(connection, this.resolver));
				pipeline.addAfter(NettyPipeline.HttpCodec, UpgradeHandler.NAME,
						new UpgradeHandler(this.relay, connection));
			});
	}

}
