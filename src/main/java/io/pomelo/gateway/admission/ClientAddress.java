package io.pomelo.gateway.admission;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * The address of the player behind a connection, wherever it was read (the TCP peer, a
 * PROXY protocol header or a trusted X-Forwarded-For), with the key the per-address
 * limits count it under.
 *
 * @param address the client's IP address
 * @param port the client's source port, or 0 when the source did not give one
 * (X-Forwarded-For)
 * @param key what the per-address limits count: the address, or its IPv6 prefix
 */
public record ClientAddress(InetAddress address, int port, String key) {

	/**
	 * A client address keyed by its IPv4 address or its IPv6 prefix of the given length.
	 */
	public static ClientAddress of(InetAddress address, int port, int ipv6PrefixLength) {
		return new ClientAddress(address, port, key(address, ipv6PrefixLength));
	}

	/**
	 * The client address of a TCP peer.
	 */
	public static ClientAddress of(InetSocketAddress peer, int ipv6PrefixLength) {
		return of(peer.getAddress(), peer.getPort(), ipv6PrefixLength);
	}

	/** The address as text, without the port, as X-Forwarded-For carries it. */
	public String ip() {
		return this.address.getHostAddress();
	}

	/**
	 * Address and port, as the session registry shows them ({@code [v6]:port} for IPv6).
	 */
	@Override
	public String toString() {
		String ip = ip();
		return ((this.address instanceof Inet6Address) ? "[" + ip + "]" : ip) + ":" + this.port;
	}

	private static String key(InetAddress address, int prefixLength) {
		if (!(address instanceof Inet6Address) || prefixLength >= 128) {
			return address.getHostAddress();
		}
		byte[] bytes = address.getAddress();
		StringBuilder key = new StringBuilder(24);
		int nibbles = (prefixLength + 3) / 4;
		for (int i = 0; i < nibbles; i++) {
			int b = bytes[i / 2] & 0xFF;
			int nibble = (i % 2 == 0) ? b >>> 4 : b & 0xF;
			if (i == nibbles - 1 && prefixLength % 4 != 0) {
				nibble &= 0xF << (4 - prefixLength % 4) & 0xF;
			}
			key.append(Character.forDigit(nibble, 16));
		}
		return key.append('/').append(prefixLength).toString();
	}

}
