package io.pomelo.gateway.security;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An IPv4 or IPv6 address range such as {@code 10.0.0.0/8}.
 */
public final class Cidr {

	private final byte[] network;

	private final int prefixLength;

	private final String text;

	private Cidr(byte[] network, int prefixLength, String text) {
		this.network = network;
		this.prefixLength = prefixLength;
		this.text = text;
	}

	/**
	 * Parses {@code address/length}, or a single address.
	 * @throws IllegalArgumentException naming the text when it is not a CIDR
	 */
	public static Cidr parse(String text) {
		String trimmed = text.trim();
		int slash = trimmed.indexOf('/');
		String address = (slash < 0) ? trimmed : trimmed.substring(0, slash);
		if (!address.matches("[0-9a-fA-F:.]+")) {
			throw new IllegalArgumentException("'" + text + "' is not an address range like 10.0.0.0/8");
		}
		try {
			byte[] bytes = InetAddress.getByName(address).getAddress();
			int length = (slash < 0) ? bytes.length * 8 : Integer.parseInt(trimmed.substring(slash + 1));
			if (length < 0 || length > bytes.length * 8) {
				throw new IllegalArgumentException("'" + text + "' has a prefix length out of range");
			}
			return new Cidr(bytes, length, trimmed);
		}
		catch (UnknownHostException | NumberFormatException ex) {
			throw new IllegalArgumentException("'" + text + "' is not an address range like 10.0.0.0/8");
		}
	}

	/**
	 * Whether the address is in this range.
	 */
	public boolean contains(InetAddress address) {
		byte[] bytes = address.getAddress();
		if (bytes.length != this.network.length) {
			return false;
		}
		int full = this.prefixLength / 8;
		for (int i = 0; i < full; i++) {
			if (bytes[i] != this.network[i]) {
				return false;
			}
		}
		int rest = this.prefixLength % 8;
		if (rest == 0) {
			return true;
		}
		int mask = 0xFF << (8 - rest);
		return (bytes[full] & mask) == (this.network[full] & mask);
	}

	@Override
	public String toString() {
		return this.text;
	}

}
