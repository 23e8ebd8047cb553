package io.pomelo.gateway.pomelo;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Example;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.From;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The Pomelo codec against its own round trips and against bytes written out by hand from
 * pomelo-protocol's encoding rules.
 */
class PomeloCodecTests {

	@Property
	void varintRoundTrips(@ForAll @LongRange(min = 0, max = (1L << 53) - 1) long value) {
		java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
		Varint.write(value, out);
		byte[] bytes = out.toByteArray();
		long packed = Varint.read(bytes, 0, bytes.length);
		assertThat(Varint.value(packed)).isEqualTo(value);
		assertThat(Varint.length(packed)).isEqualTo(bytes.length);
	}

	@Example
	void varintIsLeastSignificantGroupFirst() {
		java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
		Varint.write(300, out);
		// 300 = 0b10_0101100: low group 0101100 with the continuation bit, then 0000010.
		assertThat(out.toByteArray()).containsExactly(0xAC - 256, 0x02);
	}

	@Property
	void messagesRoundTrip(@ForAll("messages") PomeloMessage message) {
		assertThat(PomeloMessage.decode(message.encode())).isEqualTo(message);
	}

	@Property
	void packagesRoundTripAndSeveralDecodeFromOneBuffer(@ForAll @Size(min = 1, max = 5) List<@From("packages") PomeloPackage> packages) {
		byte[] joined = packages.stream()
			.map(PomeloPackage::encode)
			.reduce(new byte[0], (a, b) -> {
				byte[] c = Arrays.copyOf(a, a.length + b.length);
				System.arraycopy(b, 0, c, a.length, b.length);
				return c;
			});
		assertThat(PomeloPackage.decodeAll(joined)).isEqualTo(packages);
	}

	@Example
	void requestMatchesTheWireLayout() {
		byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
		byte[] encoded = PomeloMessage.request(1, "a.b", body).encode();
		// flag 0 (request, uncompressed), id 1, route length 3, "a.b", body.
		assertThat(encoded).containsExactly(0x00, 0x01, 0x03, 'a', '.', 'b', '{', '}');
		byte[] pkg = new PomeloPackage(PackageType.DATA, encoded).encode();
		assertThat(Arrays.copyOf(pkg, 4)).containsExactly(0x04, 0x00, 0x00, 0x08);
	}

	@Example
	void compressedPushAndResponseMatchTheWireLayout() {
		PomeloMessage push = new PomeloMessage(MessageType.PUSH, 0, null, 0x0102, new byte[] { 9 });
		assertThat(push.encode()).containsExactly((3 << 1) | 1, 0x01, 0x02, 9);
		assertThat(PomeloMessage.response(128, new byte[0]).encode()).containsExactly(2 << 1, 0x80, 0x01);
	}

	@Example
	void truncatedInputIsRejectedWithAReason() {
		assertThatThrownBy(() -> PomeloPackage.decodeAll(new byte[] { 4, 0, 0 })).isInstanceOf(PomeloProtocolException.class)
			.hasMessageContaining("header is truncated");
		assertThatThrownBy(() -> PomeloPackage.decodeAll(new byte[] { 4, 0, 0, 5, 1 }))
			.isInstanceOf(PomeloProtocolException.class)
			.hasMessageContaining("5 bytes announced, 1 present");
		assertThatThrownBy(() -> PomeloPackage.decodeAll(new byte[] { 9, 0, 0, 0 }))
			.hasMessageContaining("unknown package type 9");
		assertThatThrownBy(() -> PomeloMessage.decode(new byte[] { 0, (byte) 0x80 })).hasMessageContaining("id is truncated");
		assertThatThrownBy(() -> PomeloMessage.decode(new byte[] { 2, 5, 'a' })).hasMessageContaining("route is truncated");
		assertThatThrownBy(() -> PomeloMessage.decode(new byte[] { (byte) 0xF0 })).hasMessageContaining("bad message flag");
	}

	@Example
	void serverHandshakeIsParsed() {
		Handshake.ServerHandshake hello = Handshake.parseServer(
				"{\"code\":200,\"sys\":{\"heartbeat\":10,\"dict\":{\"a.b.c\":1},\"useDict\":true}}".getBytes(StandardCharsets.UTF_8));
		assertThat(hello.code()).isEqualTo(200);
		assertThat(hello.heartbeatSeconds()).isEqualTo(10);
		assertThat(hello.dict()).containsEntry("a.b.c", 1);
		assertThat(hello.useDict()).isTrue();
		assertThat(Handshake.parseServer("{\"code\":501}".getBytes(StandardCharsets.UTF_8)).code()).isEqualTo(501);
		assertThatThrownBy(() -> Handshake.parseServer("not json".getBytes(StandardCharsets.UTF_8)))
			.isInstanceOf(PomeloProtocolException.class);
	}

	@Example
	void clientHandshakeCarriesTypeAndVersion() {
		String hello = new String(Handshake.clientHello("js-websocket", "0.0.1", java.util.Map.of("uid", 7)),
				StandardCharsets.UTF_8);
		assertThat(hello).isEqualTo("{\"sys\":{\"type\":\"js-websocket\",\"version\":\"0.0.1\",\"rsa\":{}},\"user\":{\"uid\":7}}");
	}

	@Provide
	Arbitrary<PomeloMessage> messages() {
		Arbitrary<MessageType> types = Arbitraries.of(MessageType.class);
		Arbitrary<Long> ids = Arbitraries.longs().between(0, (1L << 53) - 1);
		Arbitrary<String> routes = Arbitraries.strings().alpha().numeric().withChars('.', '_').ofMinLength(1).ofMaxLength(60);
		Arbitrary<Integer> codes = Arbitraries.integers().between(-1, 0xFFFF);
		Arbitrary<byte[]> bodies = Arbitraries.bytes().array(byte[].class).ofMaxSize(64);
		return Combinators.combine(types, ids, routes, codes, bodies).as((type, id, route, code, body) -> {
			long realId = type.hasId() ? id : 0;
			String realRoute = (type.hasRoute() && code < 0) ? route : null;
			int realCode = type.hasRoute() ? code : -1;
			return new PomeloMessage(type, realId, realRoute, realCode, body);
		});
	}

	@Provide
	Arbitrary<PomeloPackage> packages() {
		return Combinators.combine(Arbitraries.of(PackageType.class), Arbitraries.bytes().array(byte[].class).ofMaxSize(300))
			.as(PomeloPackage::new);
	}

}
