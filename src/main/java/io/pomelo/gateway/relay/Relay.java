package io.pomelo.gateway.relay;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;

import io.pomelo.gateway.admission.AdmissionControl;
import io.pomelo.gateway.admission.AdmissionDecision;
import io.pomelo.gateway.admission.ClientAddressResolver;
import io.pomelo.gateway.admission.ClientEvents;
import io.pomelo.gateway.route.GatewayRoute;
import io.pomelo.gateway.route.RouteIndex;
import io.pomelo.gateway.security.WeChatRefererPolicy;

/**
 * What every handshake on the data port shares: the route index, admission, the client
 * address resolver, the backend connector, the session registry, the observers, and the
 * answer to a refused upgrade. One instance per gateway; each connection has its own
 * {@link UpgradeHandler}.
 */
public final class Relay {

	/** The route tag of a refusal that no route had matched yet. */
	static final String NO_ROUTE_ID = "none";

	private final RouteIndex routes;

	private final AdmissionControl admission;

	private final ClientAddressResolver resolver;

	private final BackendConnector connector;

	private final SessionRegistry registry;

	private final FrameObservers observers;

	private final BooleanSupplier draining;

	private final Duration handshakeTimeout;

	private final Duration closeGrace;

	private final int maxHeaderCount;

	private final ClientEvents events;

	private final List<String> extensions;

	private final WeChatRefererPolicy referer;

	Relay(RouteIndex routes, AdmissionControl admission, ClientAddressResolver resolver, BackendConnector connector,
			SessionRegistry registry, List<FrameObserverFactory> observers, BooleanSupplier draining,
			Duration handshakeTimeout, Duration closeGrace, int maxHeaderCount, List<String> extensions,
			WeChatRefererPolicy referer, ClientEvents events) {
		this.routes = routes;
		this.admission = admission;
		this.resolver = resolver;
		this.connector = connector;
		this.registry = registry;
		this.observers = new FrameObservers(observers);
		this.draining = draining;
		this.handshakeTimeout = handshakeTimeout;
		this.closeGrace = closeGrace;
		this.maxHeaderCount = maxHeaderCount;
		this.events = events;
		this.extensions = List.copyOf(extensions);
		this.referer = referer;
	}

	WeChatRefererPolicy referer() {
		return this.referer;
	}

	/**
	 * The part of a client's extension offer that goes to the backend, or {@code null}.
	 */
	String forwardedExtensions(String offer) {
		return Extensions.allowed(offer, this.extensions);
	}

	RouteIndex routes() {
		return this.routes;
	}

	AdmissionControl admission() {
		return this.admission;
	}

	ClientAddressResolver resolver() {
		return this.resolver;
	}

	BackendConnector connector() {
		return this.connector;
	}

	SessionRegistry registry() {
		return this.registry;
	}

	FrameObservers observers() {
		return this.observers;
	}

	boolean draining() {
		return this.draining.getAsBoolean();
	}

	Duration handshakeTimeout() {
		return this.handshakeTimeout;
	}

	Duration closeGrace() {
		return this.closeGrace;
	}

	int maxHeaderCount() {
		return this.maxHeaderCount;
	}

	ClientEvents events() {
		return this.events;
	}

	/**
	 * What the client sees when a limit refuses its upgrade.
	 */
	static HandshakeRefusal refusal(AdmissionDecision.Refusal refusal, GatewayRoute route) {
		return switch (refusal.limit()) {
			case ADDRESS_HANDSHAKE_RATE -> new HandshakeRefusal(RefusalReason.RATE_LIMITED, 429,
					"too many WebSocket upgrades from this address; retry later",
					Math.max(1, TimeUnit.NANOSECONDS.toSeconds(refusal.retryAfterNanos() + 999_999_999L)));
			case ADDRESS_SESSIONS ->
				HandshakeRefusal.of(RefusalReason.ADDRESS_SESSIONS, "this address holds as many sessions as it may");
			case GATEWAY_SESSIONS -> HandshakeRefusal.of(RefusalReason.GATEWAY_FULL,
					"the gateway holds as many sessions as it may; connect again");
			case ROUTE_SESSIONS, PENDING_CONNECTIONS, ADDRESS_PENDING_CONNECTIONS ->
				HandshakeRefusal.of(RefusalReason.OVER_LIMIT, "route " + route.id() + " is at its connection limit");
		};
	}

	/**
	 * Counts a refused upgrade and answers it; the connection then closes. The caller's
	 * context must have no HTTP encoder between it and the socket.
	 */
	void refuse(ChannelHandlerContext ctx, String routeId, HandshakeRefusal refusal) {
		this.registry.handshakeFailed(routeId, refusal.reason().tag());
		if (refusal.reason() == RefusalReason.CLIENT_GONE || !ctx.channel().isActive()) {
			ctx.close();
			return;
		}
		ctx.writeAndFlush(HandshakeResponses.refusal(ctx.alloc(), refusal)).addListener(ChannelFutureListener.CLOSE);
	}

}
