package io.pomelo.gateway.security;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

import io.pomelo.gateway.config.TargetsProperties;
import io.pomelo.gateway.route.PortAllowList;

/**
 * Decides which backends a dynamic route may reach, so that whoever holds admin
 * credentials still cannot turn the gateway into an open proxy (SSRF): only allow-listed
 * hosts, address ranges and ports, never the gateway's own ports, and loopback or
 * link-local addresses only when a range names them.
 */
public class TargetPolicy {

	private final List<Cidr> cidrs;

	private final Set<String> hosts;

	private final PortAllowList ports;

	private final Supplier<Set<Integer>> ownPorts;

	public TargetPolicy(TargetsProperties targets, Supplier<Set<Integer>> ownPorts) {
		this.cidrs = targets.getAllowCidrs().stream().map(Cidr::parse).toList();
		this.hosts = Set.copyOf(targets.getAllowHosts());
		this.ports = PortAllowList.parse(targets.getAllowPorts());
		this.ownPorts = ownPorts;
	}

	/**
	 * Why a backend is refused, or {@code null} when it is allowed.
	 */
	public String check(String host, int port) {
		if (!this.ports.allows(port)) {
			return "port " + port + " is not in pomelo.gateway.targets.allow-ports";
		}
		InetAddress[] addresses;
		try {
			addresses = InetAddress.getAllByName(host);
		}
		catch (UnknownHostException ex) {
			return "host " + host + " does not resolve";
		}
		for (InetAddress address : addresses) {
			if ((address.isLoopbackAddress() || address.isAnyLocalAddress()) && this.ownPorts.get().contains(port)) {
				return "the gateway's own port " + port + " is not a backend";
			}
		}
		if (this.hosts.contains(host)) {
			return null;
		}
		for (InetAddress address : addresses) {
			if (this.cidrs.stream().noneMatch((cidr) -> cidr.contains(address))) {
				String kind = address.isLoopbackAddress() ? "loopback address "
						: address.isLinkLocalAddress() ? "link-local address " : "address ";
				return kind + address.getHostAddress() + " of " + host
						+ " is not in pomelo.gateway.targets.allow-cidrs or allow-hosts";
			}
		}
		return null;
	}

	/**
	 * Checks a target URI.
	 */
	public String check(URI target) {
		int port = target.getPort();
		if (port < 0) {
			port = "wss".equalsIgnoreCase(target.getScheme()) ? 443 : 80;
		}
		return check(target.getHost(), port);
	}

	/**
	 * Checks every port of a port-addressed route's allow-list against the port policy.
	 */
	public String checkPortRange(String host, PortAllowList allowed) {
		for (int port = 1; port <= 65535; port++) {
			if (allowed.allows(port)) {
				String problem = check(host, port);
				if (problem != null) {
					return problem;
				}
			}
		}
		return null;
	}

}
