package io.pomelo.gateway.relay;

import java.util.List;

import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import reactor.netty.http.websocket.WebsocketInbound;
import reactor.netty.http.websocket.WebsocketOutbound;


/**
 * Relays one session after both handshakes: frames one for one in each direction, and the first close
 * of either side carried to the other with its code and reason.
 * <p>
 * Close statuses are subscribed to eagerly rather than after the data streams end. Otherwise the
 * first socket's close cancels the other direction, Reactor Netty answers that cancel with an empty
 * close frame, and a backend's {@code 4001 "bye"} reaches the client as 1005 with no reason.
 */
final class FrameRelay {

	private static final WebSocketCloseStatus VANISHED = new WebSocketCloseStatus(CloseCodes.ABNORMAL,
			"dropped without a close frame", false);

	private final SessionRegistry registry;

	private final List<FrameObserverFactory> observers;

	FrameRelay(SessionRegistry registry, List<FrameObserverFactory> observers) {
		this.registry = registry;
		this.observers = List.copyOf(observers);
	}

	private FrameObserver observe(RelaySession session) {
		if (this.observers.isEmpty()) {
			return FrameObserver.NONE;
		}
		if (this.observers.size() == 1) {
			return this.observers.get(0).open(session);
		}
		List<FrameObserver> all = this.observers.stream().map((factory) -> factory.open(session)).toList();
		return new FrameObserver() {

			@Override
			public void clientFrame(WebSocketFrame frame) {
				all.forEach((observer) -> observer.clientFrame(frame));
			}

			@Override
			public void backendFrame(WebSocketFrame frame) {
				all.forEach((observer) -> observer.backendFrame(frame));
			}

			@Override
			public void closed() {
				all.forEach(FrameObserver::closed);
			}

		};
	}

	Mono<Void> run(RelaySession session, WebsocketInbound clientIn, WebsocketOutbound clientOut,
			Connection backend, Admission admission) {
		WebsocketInbound backendIn = (WebsocketInbound) backend;
		WebsocketOutbound backendOut = (WebsocketOutbound) backend;
		ProtocolErrors errors = new ProtocolErrors();
		FrameObserver observer = observe(session);

		session.bindCloser((code, reason) -> {
			clientOut.sendClose(code, reason).subscribe(null, (ignored) -> {
			});
			backendOut.sendClose(code, reason).subscribe(null, (ignored) -> {
			});
		});
		clientIn.withConnection(
				(connection) -> DecoderErrorCatcher.install(connection.channel(), (status) -> errors.client = status));
		DecoderErrorCatcher.install(backend.channel(), (status) -> errors.backend = status);

		Mono<Void> clientClosed = clientIn.receiveCloseStatus()
			.defaultIfEmpty(VANISHED)
			.flatMap((status) -> {
				WebSocketCloseStatus cause = (errors.client != null) ? errors.client : status;
				session.recordClose((errors.client != null) ? Side.GATEWAY : Side.CLIENT, cause.code());
				return forward(backendOut, cause, CloseCodes.GOING_AWAY, "client went away");
			})
			.onErrorResume((error) -> Mono.empty());
		Mono<Void> backendClosed = backendIn.receiveCloseStatus()
			.defaultIfEmpty(VANISHED)
			.flatMap((status) -> {
				WebSocketCloseStatus cause = (errors.backend != null) ? errors.backend : status;
				session.recordClose((errors.backend != null) ? Side.GATEWAY : Side.BACKEND, cause.code());
				return forward(clientOut, cause, CloseCodes.BACKEND_LOST, "backend connection lost");
			})
			.onErrorResume((error) -> Mono.empty());

		Mono<Void> upstream = backendOut.sendObject(clientIn.receiveFrames()
			.map((frame) -> {
				session.countUp(frame.content().readableBytes());
				observer.clientFrame(frame);
				return frame.retain();
			})).then().onErrorResume((error) -> Mono.empty());
		Mono<Void> downstream = clientOut.sendObject(backendIn.receiveFrames()
			.map((frame) -> {
				session.countDown(frame.content().readableBytes());
				observer.backendFrame(frame);
				return frame.retain();
			})).then().onErrorResume((error) -> Mono.empty());

		// The data streams are not part of the session's lifetime: on a peer that has already terminated,
		// Reactor Netty may never complete them. The session ends when both closes have been handled and
		// both sockets are closed; then whatever is left of the streams is cancelled.
		Disposable.Composite streams = Disposables.composite();
		Mono<Void> clientSocketClosed = Mono.create((sink) -> clientIn
			.withConnection((connection) -> connection.channel().closeFuture().addListener((f) -> sink.success())));
		Mono<Void> backendSocketClosed = Mono
			.create((sink) -> backend.channel().closeFuture().addListener((f) -> sink.success()));
		// Mono.when subscribes in order: the close statuses are watched before any frame moves, so a stream
		// that ends cannot close a socket with an empty close frame ahead of the forwarded code.
		Mono<Void> startStreams = Mono.fromRunnable(() -> {
			streams.add(upstream.subscribe());
			streams.add(downstream.subscribe());
		});
		return Mono.when(clientClosed, backendClosed, clientSocketClosed, backendSocketClosed, startStreams).doFinally((signal) -> {
			streams.dispose();
			observer.closed();
			backend.dispose();
			admission.release();
			this.registry.closed(session);
		});
	}

	/**
	 * Sends the other side the close that ended this side. Reserved codes never go on the wire: an empty
	 * close stays empty, and a dropped peer becomes the given fallback code.
	 */
	private static Mono<Void> forward(WebsocketOutbound out, WebSocketCloseStatus status, int fallbackCode,
			String fallbackReason) {
		int code = status.code();
		if (CloseCodes.sendable(code)) {
			return out.sendClose(code, status.reasonText());
		}
		if (code == CloseCodes.NO_STATUS) {
			return out.sendClose();
		}
		return out.sendClose(fallbackCode, fallbackReason);
	}

	/**
	 * A frame a side sent that the gateway's decoder refused, such as one over the size limit. Netty
	 * has already told that side; the other side hears the same code instead of a generic one.
	 */
	private static final class ProtocolErrors {

		volatile WebSocketCloseStatus client;

		volatile WebSocketCloseStatus backend;

	}

}
