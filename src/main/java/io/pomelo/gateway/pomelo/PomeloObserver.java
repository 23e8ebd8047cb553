package io.pomelo.gateway.pomelo;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Timer;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;

import io.pomelo.gateway.relay.FrameObserver;

/**
 * Reads the Pomelo package and message headers of one session's frames where they lie in the frame's
 * buffer, with absolute reads only: no copy, no reader index change, no allocation on the common path.
 * Both directions run on the session's one event loop, so its state needs no locking.
 * <p>
 * It follows a package whose body continues in continuation frames by remembering how many body bytes
 * are still to come. Anything that is not Pomelo (a text frame, an unknown type, a header cut short)
 * is counted as invalid and the rest of that message is skipped; the relay forwards it regardless,
 * because the gateway observes and never judges.
 */
final class PomeloObserver implements FrameObserver {

	// Per-direction parse state between the frames of one fragmented message.
	private static final int IN_STEP = 0;

	private static final int SKIP_REST = -1;

	private static final int HEADER = 4;

	private static final int MAX_ID_BYTES = 8;

	private static final long ID_MASK = (1L << 56) - 1;

	// A server handshake carries the dictionary and protobuf schemas; beyond this it is not parsed.
	private static final int MAX_HANDSHAKE_BODY = 4 * 1024 * 1024;

	private final PomeloMeters meters;

	private final InFlightRequests inFlight;

	private final RouteCache routes;

	private Map<Integer, String> dictionary = Map.of();

	// Per direction: IN_STEP, SKIP_REST, or the positive number of body bytes still to come.
	private final long[] carry = new long[2];

	PomeloObserver(PomeloMeters meters, int maxInFlight) {
		this.meters = meters;
		this.inFlight = new InFlightRequests(maxInFlight);
		this.routes = new RouteCache(meters);
	}

	@Override
	public void clientFrame(WebSocketFrame frame) {
		observe(PomeloMeters.UP, frame);
	}

	@Override
	public void backendFrame(WebSocketFrame frame) {
		observe(PomeloMeters.DOWN, frame);
	}

	@Override
	public void closed() {
		this.meters.countUnansweredAtClose(this.inFlight.size());
		this.inFlight.clear();
	}

	/** Requests of this session that await a response; for tests. */
	int inFlight() {
		return this.inFlight.size();
	}

	private void observe(int direction, WebSocketFrame frame) {
		ByteBuf buffer = frame.content();
		int start = buffer.readerIndex();
		int end = buffer.writerIndex();
		boolean last = frame.isFinalFragment();
		if (frame instanceof BinaryWebSocketFrame) {
			this.carry[direction] = packages(direction, buffer, start, end, last);
		}
		else if (frame instanceof ContinuationWebSocketFrame) {
			long carried = this.carry[direction];
			if (carried == SKIP_REST) {
				this.carry[direction] = last ? IN_STEP : SKIP_REST;
			}
			else if (carried >= end - start) {
				long left = carried - (end - start);
				if (last && left > 0) {
					this.meters.countInvalid(direction);
					left = IN_STEP;
				}
				this.carry[direction] = left;
			}
			else {
				this.carry[direction] = packages(direction, buffer, start + (int) carried, end, last);
			}
		}
		else if (frame instanceof TextWebSocketFrame) {
			this.meters.countInvalid(direction);
			this.carry[direction] = last ? IN_STEP : SKIP_REST;
		}
		// Control frames may come between fragments and carry no Pomelo data: the state is left alone.
	}

	/**
	 * Reads the packages in {@code [offset, end)}.
	 * @return the parse state for the next fragment of this message
	 */
	private long packages(int direction, ByteBuf buffer, int offset, int end, boolean last) {
		while (offset < end) {
			if (end - offset < HEADER) {
				return invalid(direction, last);
			}
			int type = buffer.getUnsignedByte(offset);
			if (type < 1 || type > 5) {
				return invalid(direction, last);
			}
			int length = buffer.getUnsignedMedium(offset + 1);
			int body = offset + HEADER;
			int present = end - body;
			if (length > present && last) {
				return invalid(direction, true);
			}
			this.meters.countPackage(direction, type);
			package_(direction, type, buffer, body, Math.min(length, present), length <= present);
			if (length > present) {
				return length - present;
			}
			offset = body + length;
		}
		return IN_STEP;
	}

	private long invalid(int direction, boolean last) {
		this.meters.countInvalid(direction);
		return last ? IN_STEP : SKIP_REST;
	}

	/**
	 * Handles one package whose first {@code present} body bytes are in the buffer.
	 */
	private void package_(int direction, int type, ByteBuf buffer, int body, int present, boolean complete) {
		switch (type) {
			case 4 -> message(direction, buffer, body, body + present);
			case 1 -> {
				if (direction == PomeloMeters.DOWN) {
					serverHandshake(buffer, body, present, complete);
				}
			}
			case 5 -> {
				if (direction == PomeloMeters.DOWN) {
					this.meters.countKick();
				}
			}
			default -> {
			}
		}
	}

	private void serverHandshake(ByteBuf buffer, int body, int length, boolean complete) {
		if (!complete || length > MAX_HANDSHAKE_BODY) {
			this.meters.countHandshake("invalid");
			return;
		}
		// Once per session, and small: the only package whose body is copied.
		byte[] json = new byte[length];
		buffer.getBytes(body, json);
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

	/**
	 * Reads a message header in {@code [offset, end)}: a request's id and route are remembered, and a
	 * response's id ends the timing of its request.
	 */
	private void message(int direction, ByteBuf buffer, int offset, int end) {
		if (offset >= end) {
			this.meters.countInvalid(direction);
			return;
		}
		int flag = buffer.getUnsignedByte(offset);
		int messageType = (flag >> 1) & 0x07;
		if ((flag & 0xF0) != 0 || messageType > 3) {
			this.meters.countInvalid(direction);
			return;
		}
		this.meters.countMessage(messageType);
		if (direction == PomeloMeters.UP && messageType == 0) {
			request(buffer, offset + 1, end, (flag & 1) == 1);
		}
		else if (direction == PomeloMeters.DOWN && messageType == 2) {
			response(buffer, offset + 1, end);
		}
	}

	private void request(ByteBuf buffer, int offset, int end, boolean compressed) {
		long packed = readId(buffer, offset, end);
		if (packed < 0) {
			return;
		}
		long id = packed & ID_MASK;
		int route = offset + (int) (packed >>> 56);
		Timer timer;
		if (compressed) {
			if (route + 2 > end) {
				return;
			}
			timer = this.routes.compressedRoute(buffer.getUnsignedShort(route), this.dictionary);
		}
		else {
			if (route >= end) {
				return;
			}
			int length = buffer.getUnsignedByte(route);
			if (route + 1 + length > end) {
				return;
			}
			timer = this.routes.textRoute(buffer, route + 1, length);
		}
		this.meters.countEvicted(this.inFlight.put(id, System.nanoTime(), timer));
	}

	private void response(ByteBuf buffer, int offset, int end) {
		long packed = readId(buffer, offset, end);
		if (packed < 0) {
			return;
		}
		long id = packed & ID_MASK;
		int slot = this.inFlight.indexOf(id);
		if (slot >= 0) {
			this.inFlight.timerAt(slot).record(System.nanoTime() - this.inFlight.startAt(slot), TimeUnit.NANOSECONDS);
			this.inFlight.deleteAt(slot);
		}
	}

	/**
	 * Reads a message id (base-128, least significant group first) in place.
	 * @return the id in the low 56 bits and its byte count in the high 8, or -1 when it is cut short
	 */
	private static long readId(ByteBuf buffer, int offset, int end) {
		long id = 0;
		for (int i = 0; i < MAX_ID_BYTES && offset + i < end; i++) {
			int b = buffer.getUnsignedByte(offset + i);
			id |= (long) (b & 0x7F) << (7 * i);
			if ((b & 0x80) == 0) {
				return id | ((long) (i + 1) << 56);
			}
		}
		return -1;
	}

}
