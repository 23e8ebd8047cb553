package io.pomelo.gateway.pomelo;

import java.util.Arrays;
import java.util.function.Consumer;

import io.netty.util.concurrent.FastThreadLocal;

import io.pomelo.gateway.relay.Direction;
import io.pomelo.gateway.relay.FrameObserver;
import io.pomelo.gateway.relay.FramePayload;

/**
 * Follows the Pomelo packages of one session as the relay streams their bytes, whatever
 * way TCP cut them: a package header, a message header or a package may begin in one read
 * and end in another, or span the frames of a fragmented message. It reads only headers:
 * the 4-byte package header, and for data packages the message header (flag, id, route),
 * at most 265 bytes copied into a reused array. Bodies are skipped by count. Both
 * directions run on the session's one event loop, so there is no locking.
 * <p>
 * Anything that is not Pomelo (a text frame, an unknown package type, a message that ends
 * inside a package) is counted as invalid and the rest of that message is skipped; the
 * relay forwards it regardless, because the gateway observes and never judges.
 */
final class PomeloObserver implements FrameObserver {

	private static final int HEADER = 4;

	// Flag, id and a route of at most 255 bytes with its length byte: all a data
	// package's header needs.
	private static final int MESSAGE_HEAD = 1 + Varint.MAX_BYTES + 1 + 255;

	// One head buffer per thread (event loop) instead of two per session: an idle session
	// would hold 2 x 262 bytes for nothing.
	private static final FastThreadLocal<byte[]> HEADS = new FastThreadLocal<>() {

		@Override
		protected byte[] initialValue() {
			return new byte[MESSAGE_HEAD];
		}

	};

	// A server handshake carries the dictionary and protobuf schemas; beyond this it is
	// not parsed.
	private static final int MAX_HANDSHAKE_BODY = 4 * 1024 * 1024;

	private final PomeloMeters meters;

	private final int maxInFlight;

	// Made at the session's first message or server handshake: a connection that never
	// speaks Pomelo holds none.
	private RequestTiming requests;

	// Two fields, not an array: one object fewer for every session.
	private final Stream up;

	private final Stream down;

	PomeloObserver(PomeloMeters meters, int maxInFlight) {
		this(meters, maxInFlight, null, null);
	}

	/**
	 * @param up inflates compressed messages from the client, or {@code null} to count
	 * them as opaque
	 * @param down the same for messages from the backend
	 */
	PomeloObserver(PomeloMeters meters, int maxInFlight, MessageInflater up, MessageInflater down) {
		this.meters = meters;
		if (maxInFlight < 1) {
			throw new IllegalArgumentException("maxInFlight must be strictly positive");
		}
		this.maxInFlight = maxInFlight;
		this.up = new Stream(Direction.UP, up);
		this.down = new Stream(Direction.DOWN, down);
	}

	@Override
	public void frameStart(Direction direction, int opcode, boolean fin, boolean compressed, long length) {
		stream(direction).frameStart(opcode, fin, compressed);
	}

	@Override
	public void payload(Direction direction, FramePayload bytes) {
		stream(direction).payload(bytes);
	}

	@Override
	public void frameEnd(Direction direction) {
		stream(direction).frameEnd();
	}

	@Override
	public void closed() {
		if (this.requests != null) {
			this.requests.close();
		}
		this.up.close();
		this.down.close();
	}

	private RequestTiming requests() {
		if (this.requests == null) {
			this.requests = new RequestTiming(this.meters, this.maxInFlight);
		}
		return this.requests;
	}

	private Stream stream(Direction direction) {
		return (direction == Direction.UP) ? this.up : this.down;
	}

	/** Requests of this session that await a response; for tests. */
	int inFlight() {
		return (this.requests != null) ? this.requests.inFlight() : 0;
	}

	/**
	 * The parse state of one direction. A package's bytes are a header, then a body that
	 * is either collected (a data package's message header, a server handshake) or
	 * skipped.
	 */
	private final class Stream {

		private static final int PACKAGE_HEADER = 0;

		private static final int COLLECT = 1;

		private static final int SKIP = 2;

		private static final int SKIP_MESSAGE = 3;

		private final Direction direction;

		// Null when compressed messages are counted as opaque instead of inflated.
		private final MessageInflater inflater;

		// Only where there is an inflater: a method reference is an object per stream.
		private final Consumer<FramePayload> inflated;

		// The message in flight is compressed: its payload goes through the inflater
		// first.
		private boolean compressed;

		// Whether collect holds a data message's head (else the handshake's body).
		private boolean collectingHead;

		private int mode = PACKAGE_HEADER;

		private boolean lastFrame;

		private int headerBytes;

		private int type;

		private int length;

		private long remaining;

		private byte[] collect;

		private int collected;

		private int want;

		Stream(Direction direction, MessageInflater inflater) {
			this.direction = direction;
			this.inflater = inflater;
			this.inflated = (inflater != null) ? this::plainPayload : null;
		}

		void frameStart(int opcode, boolean fin, boolean compressed) {
			this.lastFrame = fin;
			if (opcode != FrameObserver.CONTINUATION) {
				this.compressed = compressed && this.inflater != null && !this.inflater.gaveUp();
				if (compressed) {
					PomeloObserver.this.meters.countCompressed(this.direction, this.compressed);
					if (!this.compressed) {
						this.mode = SKIP_MESSAGE;
						return;
					}
				}
			}
			else if (compressed && !this.compressed) {
				return;
			}
			if (opcode == FrameObserver.TEXT) {
				PomeloObserver.this.meters.countInvalid(this.direction);
				this.mode = SKIP_MESSAGE;
			}
			else if (opcode == FrameObserver.BINARY) {
				// A new message; whatever the last one left unfinished was counted when
				// it ended.
				this.mode = PACKAGE_HEADER;
				this.headerBytes = 0;
			}
		}

		void payload(FramePayload bytes) {
			// The inflater sees every byte of a compressed message, even of one not worth
			// reading: the
			// messages after it are compressed against its bytes.
			if (this.compressed && !this.inflater.inflate(bytes, this.inflated)) {
				giveUp();
				return;
			}
			if (!this.compressed) {
				plainPayload(bytes);
			}
		}

		private void giveUp() {
			this.compressed = false;
			this.mode = SKIP_MESSAGE;
			PomeloObserver.this.meters.countInflateGivenUp(this.direction);
		}

		void close() {
			if (this.inflater != null) {
				this.inflater.close();
			}
		}

		private void plainPayload(FramePayload bytes) {
			int at = 0;
			int end = bytes.length();
			while (at < end) {
				switch (this.mode) {
					case PACKAGE_HEADER -> {
						int b = bytes.get(at++);
						if (this.headerBytes == 0) {
							if (b < 1 || b > 5) {
								PomeloObserver.this.meters.countInvalid(this.direction);
								this.mode = SKIP_MESSAGE;
								return;
							}
							this.type = b;
							this.length = 0;
						}
						else {
							this.length = (this.length << 8) | b;
						}
						if (++this.headerBytes == HEADER) {
							this.headerBytes = 0;
							beginPackage();
						}
					}
					case COLLECT -> {
						if (this.collect == null) {
							this.collect = HEADS.get();
						}
						int count = Math.min(this.want - this.collected, end - at);
						bytes.copy(at, this.collect, this.collected, count);
						this.collected += count;
						this.remaining -= count;
						at += count;
						if (this.collected == this.want) {
							packageHeadRead();
							this.mode = (this.remaining > 0) ? SKIP : PACKAGE_HEADER;
						}
					}
					case SKIP -> {
						int count = (int) Math.min(this.remaining, end - at);
						this.remaining -= count;
						at += count;
						if (this.remaining == 0) {
							this.mode = PACKAGE_HEADER;
						}
					}
					default -> {
						return;
					}
				}
			}
			keepPartialHead();
		}

		void frameEnd() {
			if (!this.lastFrame) {
				return;
			}
			if (this.compressed && !this.inflater.endMessage(this.inflated)) {
				giveUp();
			}
			boolean insidePackage = this.mode == COLLECT || this.mode == SKIP
					|| (this.mode == PACKAGE_HEADER && this.headerBytes > 0);
			if (insidePackage) {
				PomeloObserver.this.meters.countInvalid(this.direction);
			}
			this.mode = PACKAGE_HEADER;
			this.headerBytes = 0;
		}

		private void beginPackage() {
			PomeloObserver.this.meters.countPackage(this.direction, this.type);
			this.remaining = this.length;
			this.collected = 0;
			// A head left unfinished by a broken message is dropped here.
			this.collect = null;
			this.collectingHead = false;
			this.mode = SKIP;
			if (this.type == PackageType.DATA.code()) {
				this.collect = HEADS.get();
				this.collectingHead = true;
				this.want = Math.min(this.length, MESSAGE_HEAD);
				this.mode = COLLECT;
			}
			else if (this.type == PackageType.HANDSHAKE.code() && this.direction == Direction.DOWN) {
				if (this.length > MAX_HANDSHAKE_BODY) {
					PomeloObserver.this.meters.countHandshake("invalid");
				}
				else {
					// Once per session, and small: the only package whose whole body is
					// copied.
					this.collect = new byte[this.length];
					this.want = this.length;
					this.mode = COLLECT;
				}
			}
			else if (this.type == PackageType.KICK.code() && this.direction == Direction.DOWN) {
				PomeloObserver.this.meters.countKick();
			}
			if (this.mode == COLLECT && this.want == 0) {
				packageHeadRead();
				this.mode = PACKAGE_HEADER;
			}
			else if (this.mode == SKIP && this.remaining == 0) {
				this.mode = PACKAGE_HEADER;
			}
		}

		private void packageHeadRead() {
			if (this.collectingHead) {
				this.collectingHead = false;
				requests().message(this.direction, this.collect, this.collected);
			}
			else {
				requests().serverHandshake(this.collect);
			}
			this.collect = null;
		}

		/**
		 * At the end of a chunk: a head still being collected leaves the thread's shared
		 * buffer, which the next chunk of any other session may use. Heads that arrive
		 * whole, nearly all of them, are never copied or allocated.
		 */
		private void keepPartialHead() {
			if (this.mode != COLLECT || !this.collectingHead || this.collect != HEADS.get()) {
				return;
			}
			this.collect = (this.collected == 0) ? null : Arrays.copyOf(this.collect, this.want);
		}

	}

}
