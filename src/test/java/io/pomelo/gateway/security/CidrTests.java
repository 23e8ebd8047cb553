package io.pomelo.gateway.security;

import java.net.InetAddress;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Address ranges as trusted proxies and target policies write them.
 */
class CidrTests {

	@Test
	void aRangeHoldsTheAddressesItsPrefixCoversAndNoOthers() throws Exception {
		Cidr range = Cidr.parse(" 10.1.0.0/15 ");
		assertThat(range.contains(InetAddress.getByName("10.0.255.255"))).isTrue();
		assertThat(range.contains(InetAddress.getByName("10.1.2.3"))).isTrue();
		assertThat(range.contains(InetAddress.getByName("10.2.0.0"))).isFalse();
		assertThat(range.contains(InetAddress.getByName("::ffff:10.1.2.3"))).as("mapped, parsed as IPv4 by the JDK")
			.isTrue();
		assertThat(range.toString()).isEqualTo("10.1.0.0/15");
	}

	@Test
	void aSingleAddressAndTheWholeSpaceAreRanges() throws Exception {
		assertThat(Cidr.parse("127.0.0.1").contains(InetAddress.getByName("127.0.0.1"))).isTrue();
		assertThat(Cidr.parse("127.0.0.1").contains(InetAddress.getByName("127.0.0.2"))).isFalse();
		assertThat(Cidr.parse("0.0.0.0/0").contains(InetAddress.getByName("203.0.113.9"))).isTrue();
		assertThat(Cidr.parse("::/0").contains(InetAddress.getByName("2001:db8::1"))).isTrue();
	}

	@Test
	void ipv6RangesMatchIpv6AddressesOnly() throws Exception {
		Cidr range = Cidr.parse("2001:db8:ab00::/40");
		assertThat(range.contains(InetAddress.getByName("2001:db8:abff::1"))).isTrue();
		assertThat(range.contains(InetAddress.getByName("2001:db8:ac00::1"))).isFalse();
		assertThat(range.contains(InetAddress.getByName("10.0.0.1"))).isFalse();
		assertThat(Cidr.parse("10.0.0.0/8").contains(InetAddress.getByName("2001:db8::1"))).isFalse();
	}

	@Test
	void textThatIsNotARangeIsRefusedWithItsText() {
		assertThatIllegalArgumentException().isThrownBy(() -> Cidr.parse("example.com/8"))
			.withMessageContaining("'example.com/8'");
		assertThatIllegalArgumentException().isThrownBy(() -> Cidr.parse("10.0.0.0/33"))
			.withMessageContaining("out of range");
		assertThatIllegalArgumentException().isThrownBy(() -> Cidr.parse("::/129"))
			.withMessageContaining("out of range");
		assertThatIllegalArgumentException().isThrownBy(() -> Cidr.parse("10.0.0.0/x"))
			.withMessageContaining("'10.0.0.0/x'");
	}

}
