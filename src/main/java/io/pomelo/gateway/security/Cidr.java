package io.pomelo.gateway.security;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

import io.netty.handler.ipfilter.IpFilterRuleType;
import io.netty.handler.ipfilter.IpSubnetFilterRule;

/**
 * An IPv4 or IPv6 address range such as {@code 10.0.0.0/8}.
 */
public final class Cidr {

	private final IpSubnetFilterRule rule;

	private final String text;

	private Cidr(IpSubnetFilterRule rule, String text) {
		this.rule = rule;
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
		// Literal addresses only: InetAddress would otherwise look a host name up.
		if (!address.matches("[0-9a-fA-F:.]+")) {
			throw new IllegalArgumentException("'" + text + "' is not an address range like 10.0.0.0/8");
		}
		try {
			InetAddress network = InetAddress.getByName(address);
			int bits = network.getAddress().length * 8;
			int length = (slash < 0) ? bits : Integer.parseInt(trimmed.substring(slash + 1));
			if (length < 0 || length > bits) {
				throw new IllegalArgumentException("'" + text + "' has a prefix length out of range");
			}
			return new Cidr(new IpSubnetFilterRule(network, length, IpFilterRuleType.ACCEPT), trimmed);
		}
		catch (UnknownHostException | NumberFormatException ex) {
			throw new IllegalArgumentException("'" + text + "' is not an address range like 10.0.0.0/8");
		}
	}

	/**
	 * Whether the address is in this range; an IPv4 range holds no IPv6 address and the
	 * reverse.
	 */
	public boolean contains(InetAddress address) {
		return this.rule.matches(new InetSocketAddress(address, 0));
	}

	@Override
	public String toString() {
		return this.text;
	}

}
