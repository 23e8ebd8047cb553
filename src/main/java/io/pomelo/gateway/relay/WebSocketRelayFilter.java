package io.pomelo.gateway.relay;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import reactor.netty.NettyPipeline;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.server.WebsocketServerSpec;
import reactor.netty.http.websocket.WebsocketInbound;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.filter.WebsocketRoutingFilter;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.web.server.ServerWebExchange;

import io.pomelo.gateway.route.BackendTarget;
import io.pomelo.gateway.route.GatewayRoute;
import io.pomelo.gateway.route.SnapshotRouteLocator;

/**
 * Relays WebSocket upgrades on gateway routes. It connects the backend first and only then upgrades the
 * client, so a client whose backend is down gets an HTTP 502 with a reason instead of a 101 followed by
 * a close.
 */
public class WebSocketRelayFilter implements GlobalFilter, Ordered {

	/**
	 * Just before {@link WebsocketRoutingFilter} ({@code LOWEST_PRECEDENCE - 1}), so our routes never
	 * reach it.
	 */
	public static final int ORDER = Ordered.LOWEST_PRECEDENCE - 2;

	private static final Log logger = LogFactory.getLog(WebSocketRelayFilter.class);

	// Hop-by-hop headers and the client's own handshake headers; the backend handshake makes its own.
	private static final Set<String> NOT_FORWARDED = Set.of("connection", "keep-alive", "proxy-authenticate",
			"proxy-authorization", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade", "host",
			"content-length", "sec-websocket-key", "sec-websocket-version", "sec-websocket-extensions",
			"sec-websocket-accept", "sec-websocket-protocol");

	private final BackendConnector connector;

	private final SessionRegistry registry;

	private final FrameObservers observers;

	private final BooleanSupplier draining;

	public WebSocketRelayFilter(BackendConnector connector, SessionRegistry registry,
			List<FrameObserverFactory> observers, BooleanSupplier draining) {
		this.connector = connector;
		this.registry = registry;
		this.draining = draining;
		this.observers = new FrameObservers(observers);
	}

	@Override
	public int getOrder() {
		return ORDER;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		GatewayRoute route = exchange.getAttribute(SnapshotRouteLocator.ROUTE_ATTR);
		BackendTarget target = exchange.getAttribute(SnapshotRouteLocator.TARGET_ATTR);
		if (route == null || target == null || ServerWebExchangeUtils.isAlreadyRouted(exchange)) {
			return chain.filter(exchange);
		}
		ServerWebExchangeUtils.setAlreadyRouted(exchange);
		ServerHttpRequest request = exchange.getRequest();
		if (!isWebSocketUpgrade(request)) {
			exchange.getResponse().getHeaders().set("Upgrade", "websocket");
			return refuse(exchange, route, new HandshakeFailure(HttpStatus.UPGRADE_REQUIRED,
					HandshakeFailure.NOT_WEBSOCKET, "this path only serves WebSocket upgrades"));
		}
		if (this.draining.getAsBoolean()) {
			return refuse(exchange, route, new HandshakeFailure(HttpStatus.SERVICE_UNAVAILABLE,
					HandshakeFailure.SHUTTING_DOWN, "gateway is shutting down; connect again"));
		}
		if (!this.registry.tryAdmit(route.id(), route.limits().maxConnections())) {
			return refuse(exchange, route, new HandshakeFailure(HttpStatus.SERVICE_UNAVAILABLE,
					HandshakeFailure.OVER_LIMIT, "route " + route.id() + " is at its connection limit"));
		}
		Admission admission = new Admission(this.registry, route.id());
		String subprotocols = request.getHeaders().getFirst("Sec-WebSocket-Protocol");
		return this.connector
			.connect(target, backendHeaders(request), subprotocols, route.limits().maxFramePayload(),
					clientEventLoop(request))
			.onErrorResume((error) -> {
				admission.release();
				HandshakeFailure failure = HandshakeFailure.fromBackendError(error);
				if (logger.isDebugEnabled()) {
					logger.debug("Backend " + target.uri() + " of route " + route.id() + " failed: " + error);
				}
				return refuse(exchange, route, failure).then(Mono.empty());
			})
			.flatMap((backend) -> upgradeClient(exchange, route, target, backend, admission))
			.doOnCancel(admission::release);
	}

	private Mono<Void> upgradeClient(ServerWebExchange exchange, GatewayRoute route, BackendTarget target,
			Connection backend, Admission admission) {
		ServerHttpResponse response = exchange.getResponse();
		HttpServerResponse nativeResponse = ServerHttpResponseDecorator.getNativeResponse(response);
		WebsocketServerSpec.Builder spec = WebsocketServerSpec.builder()
			.maxFramePayloadLength(route.limits().maxFramePayload())
			.handlePing(true)
			.compress(false);
		String selected = ((WebsocketInbound) backend).selectedSubprotocol();
		if (selected != null && !selected.isEmpty()) {
			spec.protocols(selected);
		}
		String clientAddress = clientAddress(exchange.getRequest());
		Channel clientChannel = clientChannel(exchange.getRequest());
		// Counts frames that Netty might decode before the tunnel takes over (there should be none).
		if (clientChannel.pipeline().get(EarlyFrameGuard.NAME) == null) {
			clientChannel.pipeline().addBefore(NettyPipeline.ReactiveBridge, EarlyFrameGuard.NAME, new EarlyFrameGuard());
		}
		AtomicBoolean relaying = new AtomicBoolean();
		// setComplete() first runs WebFlux's pre-commit actions, as Spring's own upgrade strategy does.
		return response.setComplete()
			.then(Mono.defer(() -> nativeResponse.sendWebsocket((in, out) -> {
				relaying.set(true);
				RelaySession session = this.registry.open(route.id(), clientAddress, target.uri(),
						route.limits().idleTimeout());
				Runnable onEnd = () -> {
					admission.release();
					this.registry.closed(session);
				};
				try {
					return Tunnel.start(session, this.observers.open(session), onEnd, clientChannel, backend.channel(),
							route.limits().maxFramePayload());
				}
				catch (RuntimeException ex) {
					logger.error("Session " + session.id() + " could not start its relay", ex);
					clientChannel.close();
					backend.dispose();
					onEnd.run();
					return Mono.empty();
				}
			}, spec.build())))
			.doFinally((signal) -> {
				// The client went away or failed its own handshake after the backend accepted.
				if (!relaying.get()) {
					backend.dispose();
					admission.release();
				}
			});
	}

	private Mono<Void> refuse(ServerWebExchange exchange, GatewayRoute route, HandshakeFailure failure) {
		this.registry.handshakeFailed(route.id(), failure.reason());
		ServerHttpResponse response = exchange.getResponse();
		if (response.isCommitted()) {
			return Mono.empty();
		}
		response.setStatusCode(failure.status());
		response.getHeaders().setContentType(MediaType.TEXT_PLAIN);
		response.getHeaders().set("X-Pomelo-Gateway-Error", failure.reason());
		DataBuffer body = response.bufferFactory().wrap((failure.message() + "\n").getBytes(StandardCharsets.UTF_8));
		return response.writeWith(Mono.just(body));
	}

	private static EventLoop clientEventLoop(ServerHttpRequest request) {
		return clientChannel(request).eventLoop();
	}

	private static Channel clientChannel(ServerHttpRequest request) {
		Object nativeRequest = ServerHttpRequestDecorator.getNativeRequest(request);
		return ((Connection) nativeRequest).channel();
	}

	static boolean isWebSocketUpgrade(ServerHttpRequest request) {
		return HttpMethod.GET.equals(request.getMethod())
				&& "websocket".equalsIgnoreCase(request.getHeaders().getUpgrade());
	}

	static HttpHeaders backendHeaders(ServerHttpRequest request) {
		org.springframework.http.HttpHeaders incoming = request.getHeaders();
		List<String> connectionTokens = incoming.getConnection();
		HttpHeaders headers = new DefaultHttpHeaders();
		incoming.forEach((name, values) -> {
			String lower = name.toLowerCase(Locale.ROOT);
			if (!NOT_FORWARDED.contains(lower) && !lower.startsWith("x-forwarded-")
					&& !containsIgnoreCase(connectionTokens, lower)) {
				headers.add(name, values);
			}
		});
		InetSocketAddress remote = request.getRemoteAddress();
		String clientIp = (remote != null && remote.getAddress() != null) ? remote.getAddress().getHostAddress() : null;
		String priorFor = incoming.getFirst("X-Forwarded-For");
		if (clientIp != null) {
			headers.set("X-Forwarded-For", (priorFor != null && !priorFor.isBlank()) ? priorFor + ", " + clientIp : clientIp);
		}
		headers.set("X-Forwarded-Proto", (request.getSslInfo() != null) ? "https" : "http");
		String host = incoming.getFirst("Host");
		if (host != null) {
			headers.set("X-Forwarded-Host", host);
		}
		return headers;
	}

	private static boolean containsIgnoreCase(List<String> tokens, String name) {
		for (String token : tokens) {
			if (token.trim().equalsIgnoreCase(name)) {
				return true;
			}
		}
		return false;
	}

	static String clientAddress(ServerHttpRequest request) {
		InetSocketAddress remote = request.getRemoteAddress();
		if (remote == null) {
			return "unknown";
		}
		String host = (remote.getAddress() != null) ? remote.getAddress().getHostAddress() : remote.getHostString();
		return host + ":" + remote.getPort();
	}

	@Override
	public String toString() {
		return "WebSocketRelayFilter[order=" + ORDER + "]";
	}

}
