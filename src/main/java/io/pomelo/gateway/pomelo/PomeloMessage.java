package io.pomelo.gateway.pomelo;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A message inside a data package: a flag byte, an optional varint id, an optional route
 * (a 2-byte dictionary code or a length-prefixed UTF-8 string), then the body.
 *
 * @param type the message type
 * @param id the message id for requests and responses, otherwise 0
 * @param route the route text, or {@code null} when absent or compressed
 * @param routeCode the dictionary code of a compressed route, or -1
 * @param body the body bytes (JSON or protobuf)
 */
public record PomeloMessage(MessageType type, long id, String route, int routeCode, byte[] body) {

	/** Longest route text, limited by its one length byte. */
	public static final int MAX_ROUTE_LENGTH = 255;

	public PomeloMessage {
		if (type == null) {
			throw new IllegalArgumentException("type must not be null");
		}
		if (type.hasRoute() && route == null && routeCode < 0) {
			throw new IllegalArgumentException(type + " must carry a route");
		}
		if (routeCode > 0xFFFF) {
			throw new IllegalArgumentException("routeCode must fit in 2 bytes");
		}
		body = (body != null) ? body : new byte[0];
	}

	/** A request with a text route. */
	public static PomeloMessage request(long id, String route, byte[] body) {
		return new PomeloMessage(MessageType.REQUEST, id, route, -1, body);
	}

	/** A notify with a text route. */
	public static PomeloMessage notify(String route, byte[] body) {
		return new PomeloMessage(MessageType.NOTIFY, 0, route, -1, body);
	}

	/** A response to the request with the same id. */
	public static PomeloMessage response(long id, byte[] body) {
		return new PomeloMessage(MessageType.RESPONSE, id, null, -1, body);
	}

	/** A push with a text route. */
	public static PomeloMessage push(String route, byte[] body) {
		return new PomeloMessage(MessageType.PUSH, 0, route, -1, body);
	}

	/** Whether the route is a dictionary code. */
	public boolean routeCompressed() {
		return this.routeCode >= 0;
	}

	/** The body as UTF-8 text. */
	public String bodyText() {
		return new String(this.body, StandardCharsets.UTF_8);
	}

	/**
	 * The message as the body of a data package.
	 */
	public byte[] encode() {
		ByteArrayOutputStream out = new ByteArrayOutputStream(16 + this.body.length);
		out.write((this.type.code() << 1) | (routeCompressed() ? 1 : 0));
		if (this.type.hasId()) {
			Varint.write(this.id, out);
		}
		if (this.type.hasRoute()) {
			if (routeCompressed()) {
				out.write(this.routeCode >>> 8);
				out.write(this.routeCode & 0xFF);
			}
			else {
				byte[] route = this.route.getBytes(StandardCharsets.UTF_8);
				if (route.length > MAX_ROUTE_LENGTH) {
					throw new IllegalArgumentException("route must be at most 255 bytes of UTF-8");
				}
				out.write(route.length);
				out.write(route, 0, route.length);
			}
		}
		out.write(this.body, 0, this.body.length);
		return out.toByteArray();
	}

	/**
	 * Decodes the body of a data package.
	 * @throws PomeloProtocolException when the flag, id or route is malformed or
	 * truncated
	 */
	public static PomeloMessage decode(byte[] bytes) {
		if (bytes.length < 1) {
			throw new PomeloProtocolException("message is empty");
		}
		int flag = bytes[0] & 0xFF;
		MessageType type = MessageType.of((flag >> 1) & 0x07);
		if (type == null || (flag & 0xF0) != 0) {
			throw new PomeloProtocolException("bad message flag 0x" + Integer.toHexString(flag));
		}
		boolean compressed = (flag & 1) == 1;
		int offset = 1;
		long id = 0;
		if (type.hasId()) {
			long packed = Varint.read(bytes, offset, bytes.length);
			id = Varint.value(packed);
			offset += Varint.length(packed);
		}
		String route = null;
		int routeCode = -1;
		if (type.hasRoute()) {
			if (compressed) {
				if (offset + 2 > bytes.length) {
					throw new PomeloProtocolException("route code is truncated");
				}
				routeCode = ((bytes[offset] & 0xFF) << 8) | (bytes[offset + 1] & 0xFF);
				offset += 2;
			}
			else {
				if (offset >= bytes.length) {
					throw new PomeloProtocolException("route length is missing");
				}
				int length = bytes[offset++] & 0xFF;
				if (offset + length > bytes.length) {
					throw new PomeloProtocolException("route is truncated");
				}
				route = new String(bytes, offset, length, StandardCharsets.UTF_8);
				offset += length;
			}
		}
		return new PomeloMessage(type, id, route, routeCode, Arrays.copyOfRange(bytes, offset, bytes.length));
	}

	@Override
	public boolean equals(Object other) {
		return other instanceof PomeloMessage that && this.type == that.type && this.id == that.id
				&& java.util.Objects.equals(this.route, that.route) && this.routeCode == that.routeCode
				&& Arrays.equals(this.body, that.body);
	}

	@Override
	public int hashCode() {
		return java.util.Objects.hash(this.type, this.id, this.route, this.routeCode) * 31 + Arrays.hashCode(this.body);
	}

	@Override
	public String toString() {
		return "PomeloMessage[" + this.type + " id=" + this.id + " route="
				+ (routeCompressed() ? "#" + this.routeCode : this.route) + ", " + this.body.length + " bytes]";
	}

}
