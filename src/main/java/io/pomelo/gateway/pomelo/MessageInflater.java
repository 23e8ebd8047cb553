package io.pomelo.gateway.pomelo;

import java.util.Locale;
import java.util.function.Consumer;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import io.pomelo.gateway.relay.Direction;
import io.pomelo.gateway.relay.FramePayload;

/**
 * Inflates the permessage-deflate messages (RFC 7692) of one direction of one session, so
 * that the Pomelo headers inside them can be read. The relay still forwards the
 * compressed bytes as they came: this is a copy for reading only.
 * <p>
 * Unless the peers agreed on {@code *_no_context_takeover}, each message is compressed
 * against the ones before it, so every byte of every message must be inflated to keep the
 * window right, not only the few header bytes the observer reads. That is why this costs
 * CPU per byte and a zlib state (about 40 KB outside the heap, once the first compressed
 * message comes) per direction, and why it is an option
 * ({@code pomelo.gateway.pomelo.inflate}) and off by default.
 * <p>
 * A peer may send a deflate bomb: a message that inflates a thousandfold. A message that
 * inflates past {@code maxMessage} makes this direction give up for the rest of the
 * session (its context is lost once output is skipped), so a hostile peer buys at most
 * one bounded inflate per session.
 */
final class MessageInflater {

	// RFC 7692 7.2.2: the sender removed this empty stored block from the end of every
	// message.
	private static final byte[] TAIL = { 0x00, 0x00, (byte) 0xFF, (byte) 0xFF };

	private static final int CHUNK = 8 * 1024;

	// Scratch space, one per event loop thread: the inflated bytes are read before the
	// next call.
	private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

	private final boolean resetEachMessage;

	private final long maxMessage;

	private Inflater inflater;

	private long messageBytes;

	private boolean gaveUp;

	/**
	 * @param resetEachMessage the sender compresses each message on its own
	 * ({@code *_no_context_takeover})
	 * @param maxMessage most bytes one message may inflate to before this direction gives
	 * up
	 */
	MessageInflater(boolean resetEachMessage, long maxMessage) {
		this.resetEachMessage = resetEachMessage;
		this.maxMessage = maxMessage;
	}

	/** An inflater for one direction of a session with the negotiated extensions. */
	static MessageInflater forDirection(String extensions, Direction direction, long maxMessage) {
		return new MessageInflater(noContextTakeover(extensions, direction), maxMessage);
	}

	/**
	 * Whether the negotiated permessage-deflate parameters make the sender of this
	 * direction compress every message on its own: {@code server_no_context_takeover} for
	 * what the backend sends (down), {@code client_no_context_takeover} for what the
	 * client sends (up).
	 */
	static boolean noContextTakeover(String extensions, Direction direction) {
		if (extensions == null) {
			return false;
		}
		String wanted = (direction == Direction.DOWN) ? "server_no_context_takeover" : "client_no_context_takeover";
		for (String extension : extensions.split(",")) {
			String[] parts = extension.split(";");
			if (!parts[0].trim().equalsIgnoreCase("permessage-deflate")) {
				continue;
			}
			for (int i = 1; i < parts.length; i++) {
				if (parts[i].trim().toLowerCase(Locale.ROOT).equals(wanted)) {
					return true;
				}
			}
			// Only the first permessage-deflate entry of an answer counts.
			return false;
		}
		return false;
	}

	/**
	 * Whether this direction stopped inflating: a bomb, or bytes that are not deflate.
	 */
	boolean gaveUp() {
		return this.gaveUp;
	}

	/**
	 * Inflates the next compressed bytes of the current message and hands the result to
	 * {@code sink} in pieces, each valid only during its call.
	 * @return {@code false} when this direction gave up, now or before
	 */
	boolean inflate(FramePayload compressed, Consumer<FramePayload> sink) {
		if (this.gaveUp) {
			return false;
		}
		Scratch scratch = SCRATCH.get();
		int at = 0;
		while (at < compressed.length()) {
			int count = Math.min(CHUNK, compressed.length() - at);
			compressed.copy(at, scratch.in, 0, count);
			at += count;
			if (!run(scratch.in, count, scratch, sink)) {
				return false;
			}
		}
		return true;
	}

	/**
	 * The current message ended: inflates the tail the sender removed, so that the last
	 * bytes come out and the next message starts on a block boundary.
	 * @return {@code false} when this direction gave up
	 */
	boolean endMessage(Consumer<FramePayload> sink) {
		if (this.gaveUp) {
			return false;
		}
		boolean ok = run(TAIL, TAIL.length, SCRATCH.get(), sink);
		this.messageBytes = 0;
		// A final block (BFINAL) ends the sender's deflate stream: the next message
		// starts a new one.
		if (ok && (this.resetEachMessage || this.inflater.finished())) {
			this.inflater.reset();
		}
		return ok;
	}

	/** Frees the zlib state; the session ended. */
	void close() {
		if (this.inflater != null) {
			this.inflater.end();
			this.inflater = null;
		}
	}

	private boolean run(byte[] input, int length, Scratch scratch, Consumer<FramePayload> sink) {
		if (this.inflater == null) {
			this.inflater = new Inflater(true);
		}
		this.inflater.setInput(input, 0, length);
		try {
			while (true) {
				int produced = this.inflater.inflate(scratch.out);
				if (produced > 0) {
					this.messageBytes += produced;
					if (this.messageBytes > this.maxMessage) {
						return giveUp();
					}
					sink.accept(scratch.view.plain(scratch.outBuffer, 0, produced));
				}
				else if (this.inflater.needsInput() || this.inflater.finished()) {
					return true;
				}
				else if (this.inflater.needsDictionary()) {
					return giveUp();
				}
			}
		}
		catch (DataFormatException ex) {
			return giveUp();
		}
	}

	private boolean giveUp() {
		this.gaveUp = true;
		close();
		return false;
	}

	/**
	 * Per-thread buffers: compressed input copied out of the frame (unmasked), inflated
	 * output.
	 */
	private static final class Scratch {

		final byte[] in = new byte[CHUNK];

		final byte[] out = new byte[CHUNK];

		final ByteBuf outBuffer = Unpooled.wrappedBuffer(this.out);

		final FramePayload view = new FramePayload();

	}

}
