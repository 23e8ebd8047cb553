package io.pomelo.gateway.pomelo;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Timer;

import io.pomelo.gateway.relay.Direction;

/**
 * What one session's message headers say, once {@link PomeloObserver} has cut them out of
 * the byte stream: requests are remembered by id with their route's timer, a response
 * ends the timing of its request, and the server's handshake gives the dictionary of
 * compressed routes. Not thread-safe: one session, one event loop.
 */
final class RequestTiming {

	private final PomeloMeters meters;

	private final InFlightRequests inFlight;

	private final RouteCache routes;

	private Map<Integer, String> dictionary = Map.of();

	RequestTiming(PomeloMeters meters, int maxInFlight) {
		this.meters = meters;
		this.inFlight = new InFlightRequests(maxInFlight);
		this.routes = new RouteCache(meters);
	}

	/** Requests that await a response. */
	int inFlight() {
		return this.inFlight.size();
	}

	/** Counts the requests the session leaves unanswered and forgets them. */
	void close() {
		this.meters.countUnansweredAtClose(this.inFlight.size());
		this.inFlight.clear();
	}

	/**
	 * Reads a message header: a request's id and route are remembered, and a response's
	 * id ends the timing of its request.
	 */
	void message(Direction direction, byte[] head, int end) {
		if (end == 0) {
			this.meters.countInvalid(direction);
			return;
		}
		int flag = head[0] & 0xFF;
		int messageType = (flag >> 1) & 0x07;
		if ((flag & 0xF0) != 0 || messageType > 3) {
			this.meters.countInvalid(direction);
			return;
		}
		this.meters.countMessage(messageType);
		if (direction == Direction.UP && messageType == MessageType.REQUEST.code()) {
			request(head, 1, end, (flag & 1) == 1);
		}
		else if (direction == Direction.DOWN && messageType == MessageType.RESPONSE.code()) {
			response(head, 1, end);
		}
	}

	private void request(byte[] head, int offset, int end, boolean compressed) {
		long packed = Varint.tryRead(head, offset, end);
		if (packed < 0) {
			return;
		}
		long id = Varint.value(packed);
		int route = offset + (int) (packed >>> 56);
		Timer timer;
		if (compressed) {
			if (route + 2 > end) {
				return;
			}
			timer = this.routes.compressedRoute(((head[route] & 0xFF) << 8) | (head[route + 1] & 0xFF),
					this.dictionary);
		}
		else {
			if (route >= end) {
				return;
			}
			int length = head[route] & 0xFF;
			if (route + 1 + length > end) {
				return;
			}
			timer = this.routes.textRoute(head, route + 1, length);
		}
		this.meters.countEvicted(this.inFlight.put(id, System.nanoTime(), timer));
	}

	private void response(byte[] head, int offset, int end) {
		long packed = Varint.tryRead(head, offset, end);
		if (packed < 0) {
			return;
		}
		int slot = this.inFlight.indexOf(Varint.value(packed));
		if (slot >= 0) {
			this.inFlight.timerAt(slot).record(System.nanoTime() - this.inFlight.startAt(slot), TimeUnit.NANOSECONDS);
			this.inFlight.deleteAt(slot);
		}
	}

	void serverHandshake(byte[] json) {
		try {
			Handshake.ServerHandshake handshake = Handshake.parseServer(json);
			this.meters.countHandshake(PomeloMeters.handshakeCodeTag(handshake.code()));
			if (!handshake.dict().isEmpty()) {
				Map<Integer, String> byCode = new HashMap<>();
				handshake.dict().forEach((route, code) -> byCode.put(code, route));
				this.dictionary = byCode;
			}
		}
		catch (PomeloProtocolException ex) {
			this.meters.countHandshake("invalid");
		}
	}

}
