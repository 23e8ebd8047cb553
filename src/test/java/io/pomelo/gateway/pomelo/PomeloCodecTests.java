package io.pomelo.gateway.pomelo;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.pomelo.gateway.support.Seeded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The Pomelo codec against its own round trips and against bytes written out by hand from
 * pomelo-protocol's encoding rules.
 */
class PomeloCodecTests {

	@Test
	void varintRoundTrips() {
		Seeded.check("varint", 1000, (random) -> {
			// Every group count, not just the large values a uniform draw would give.
			long value = random.nextLong() >>> (11 + random.nextInt(53));
			java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
			Varint.write(value, out);
			byte[] bytes = out.toByteArray();
			long packed = Varint.read(bytes, 0, bytes.length);
			assertThat(Varint.value(packed)).isEqualTo(value);
			assertThat(Varint.length(packed)).isEqualTo(bytes.length);
		});
	}

	@Test
	void varintIsLeastSignificantGroupFirst() {
		java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
		Varint.write(300, out);
		// 300 = 0b10_0101100: low group 0101100 with the continuation bit, then 0000010.
		assertThat(out.toByteArray()).containsExactly(0xAC - 256, 0x02);
	}

	@Test
	void messagesRoundTrip() {
		Seeded.check("messages", 1000, (random) -> {
			PomeloMessage message = message(random);
			assertThat(PomeloMessage.decode(message.encode())).isEqualTo(message);
		});
	}

	@Test
	void packagesRoundTripAndSeveralDecodeFromOneBuffer() {
		Seeded.check("packages", 500, (random) -> {
			List<PomeloPackage> packages = new java.util.ArrayList<>();
			for (int i = 1 + random.nextInt(5); i > 0; i--) {
				packages.add(pomeloPackage(random));
			}
			packagesRoundTrip(packages);
		});
	}

	private static void packagesRoundTrip(List<PomeloPackage> packages) {
		byte[] joined = packages.stream().map(PomeloPackage::encode).reduce(new byte[0], (a, b) -> {
			byte[] c = Arrays.copyOf(a, a.length + b.length);
			System.arraycopy(b, 0, c, a.length, b.length);
			return c;
		});
		assertThat(PomeloPackage.decodeAll(joined)).isEqualTo(packages);
	}

	@Test
	void requestMatchesTheWireLayout() {
		byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
		byte[] encoded = PomeloMessage.request(1, "a.b", body).encode();
		// flag 0 (request, uncompressed), id 1, route length 3, "a.b", body.
		assertThat(encoded).containsExactly(0x00, 0x01, 0x03, 'a', '.', 'b', '{', '}');
		byte[] pkg = new PomeloPackage(PackageType.DATA, encoded).encode();
		assertThat(Arrays.copyOf(pkg, 4)).containsExactly(0x04, 0x00, 0x00, 0x08);
	}

	@Test
	void compressedPushAndResponseMatchTheWireLayout() {
		PomeloMessage push = new PomeloMessage(MessageType.PUSH, 0, null, 0x0102, new byte[] { 9 });
		assertThat(push.encode()).containsExactly((3 << 1) | 1, 0x01, 0x02, 9);
		assertThat(PomeloMessage.response(128, new byte[0]).encode()).containsExactly(2 << 1, 0x80, 0x01);
	}

	@Test
	void truncatedInputIsRejectedWithAReason() {
		assertThatThrownBy(() -> PomeloPackage.decodeAll(new byte[] { 4, 0, 0 }))
			.isInstanceOf(PomeloProtocolException.class)
			.hasMessageContaining("header is truncated");
		assertThatThrownBy(() -> PomeloPackage.decodeAll(new byte[] { 4, 0, 0, 5, 1 }))
			.isInstanceOf(PomeloProtocolException.class)
			.hasMessageContaining("5 bytes announced, 1 present");
		assertThatThrownBy(() -> PomeloPackage.decodeAll(new byte[] { 9, 0, 0, 0 }))
			.hasMessageContaining("unknown package type 9");
		assertThatThrownBy(() -> PomeloMessage.decode(new byte[] { 0, (byte) 0x80 }))
			.hasMessageContaining("id is truncated");
		assertThatThrownBy(() -> PomeloMessage.decode(new byte[] { 2, 5, 'a' }))
			.hasMessageContaining("route is truncated");
		assertThatThrownBy(() -> PomeloMessage.decode(new byte[] { (byte) 0xF0 }))
			.hasMessageContaining("bad message flag");
	}

	@Test
	void serverHandshakeIsParsed() {
		Handshake.ServerHandshake hello = Handshake
			.parseServer("{\"code\":200,\"sys\":{\"heartbeat\":10,\"dict\":{\"a.b.c\":1},\"useDict\":true}}"
				.getBytes(StandardCharsets.UTF_8));
		assertThat(hello.code()).isEqualTo(200);
		assertThat(hello.heartbeatSeconds()).isEqualTo(10);
		assertThat(hello.dict()).containsEntry("a.b.c", 1);
		assertThat(hello.useDict()).isTrue();
		assertThat(Handshake.parseServer("{\"code\":501}".getBytes(StandardCharsets.UTF_8)).code()).isEqualTo(501);
		assertThatThrownBy(() -> Handshake.parseServer("not json".getBytes(StandardCharsets.UTF_8)))
			.isInstanceOf(PomeloProtocolException.class);
	}

	@Test
	void clientHandshakeCarriesTypeAndVersion() {
		String hello = new String(Handshake.clientHello("js-websocket", "0.0.1", java.util.Map.of("uid", 7)),
				StandardCharsets.UTF_8);
		assertThat(hello)
			.isEqualTo("{\"sys\":{\"type\":\"js-websocket\",\"version\":\"0.0.1\",\"rsa\":{}},\"user\":{\"uid\":7}}");
	}

	private static PomeloMessage message(java.util.Random random) {
		MessageType type = MessageType.values()[random.nextInt(MessageType.values().length)];
		long id = type.hasId() ? random.nextLong() >>> (11 + random.nextInt(53)) : 0;
		int code = type.hasRoute() ? -1 + random.nextInt(0x10001) : -1;
		String route = (type.hasRoute() && code < 0) ? route(random) : null;
		byte[] body = new byte[random.nextInt(65)];
		random.nextBytes(body);
		return new PomeloMessage(type, id, route, code, body);
	}

	private static String route(java.util.Random random) {
		String chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._";
		StringBuilder route = new StringBuilder();
		for (int i = 1 + random.nextInt(60); i > 0; i--) {
			route.append(chars.charAt(random.nextInt(chars.length())));
		}
		return route.toString();
	}

	private static PomeloPackage pomeloPackage(java.util.Random random) {
		byte[] body = new byte[random.nextInt(301)];
		random.nextBytes(body);
		return new PomeloPackage(PackageType.values()[random.nextInt(PackageType.values().length)], body);
	}

}
