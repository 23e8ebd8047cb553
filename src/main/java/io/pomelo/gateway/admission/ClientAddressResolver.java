package io.pomelo.gateway.admission;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.util.NetUtil;

import io.pomelo.gateway.config.ClientAddressProperties;
import io.pomelo.gateway.config.ClientAddressProperties.Source;
import io.pomelo.gateway.security.Cidr;

/**
 * Decides who the client of a connection is: the TCP peer, the source a PROXY protocol
 * header names, or the rightmost address of X-Forwarded-For that is not a trusted proxy,
 * when the peer is one. Addresses in headers are parsed as literals only: a name in a
 * header never causes a DNS lookup.
 */
public final class ClientAddressResolver {

	private final Source source;

	private final List<Cidr> trusted;

	private final int ipv6PrefixLength;

	public ClientAddressResolver(ClientAddressProperties properties, int ipv6PrefixLength) {
		this.source = properties.getSource();
		this.trusted = properties.getTrustedProxies().stream().map(Cidr::parse).toList();
		this.ipv6PrefixLength = ipv6PrefixLength;
	}

	/** Where the client address comes from. */
	public Source source() {
		return this.source;
	}

	/** The client address of a connection whose peer is the client. */
	public ClientAddress fromPeer(InetSocketAddress peer) {
		return ClientAddress.of(peer, this.ipv6PrefixLength);
	}

	/**
	 * Whether a peer may send a PROXY protocol header: every peer when no proxy is
	 * listed.
	 */
	public boolean mayProxy(InetAddress peer) {
		return this.trusted.isEmpty() || isTrusted(peer);
	}

	/**
	 * The client a PROXY protocol header names. A {@code LOCAL} header (a load balancer's
	 * own health check) or one for a protocol other than TCP names nobody, so the peer is
	 * the client.
	 */
	public ClientAddress fromProxyHeader(HAProxyMessage header, InetSocketAddress peer) {
		HAProxyProxiedProtocol protocol = header.proxiedProtocol();
		if (header.command() == HAProxyCommand.PROXY
				&& (protocol == HAProxyProxiedProtocol.TCP4 || protocol == HAProxyProxiedProtocol.TCP6)) {
			InetAddress address = literal(header.sourceAddress());
			if (address != null) {
				return ClientAddress.of(address, header.sourcePort(), this.ipv6PrefixLength);
			}
		}
		return fromPeer(peer);
	}

	/**
	 * The client behind an upgrade request when the source is X-Forwarded-For, or
	 * {@code peer} itself for any other source, for a peer that is not a trusted proxy,
	 * or for a header with no usable address.
	 */
	public ClientAddress fromRequest(ClientAddress peer, String forwardedFor) {
		if (this.source != Source.X_FORWARDED_FOR || forwardedFor == null || !isTrusted(peer.address())) {
			return peer;
		}
		String[] hops = forwardedFor.split(",");
		InetAddress candidate = null;
		for (int i = hops.length - 1; i >= 0; i--) {
			InetAddress hop = literal(hops[i].trim());
			if (hop == null) {
				break;
			}
			candidate = hop;
			if (!isTrusted(hop)) {
				break;
			}
		}
		return (candidate != null) ? ClientAddress.of(candidate, 0, this.ipv6PrefixLength) : peer;
	}

	/**
	 * The X-Forwarded-For to send to the backend: the chain as received followed by the
	 * peer when the peer is a trusted proxy that sent one, or else only the client
	 * address, so that a header forged by the client never reaches Pomelo.
	 */
	public String forwardedFor(ClientAddress client, InetAddress peer, String received) {
		if (this.source == Source.X_FORWARDED_FOR && received != null && !received.isBlank() && isTrusted(peer)) {
			return received + ", " + peer.getHostAddress();
		}
		return client.ip();
	}

	private boolean isTrusted(InetAddress address) {
		for (Cidr cidr : this.trusted) {
			if (cidr.contains(address)) {
				return true;
			}
		}
		return false;
	}

	private static InetAddress literal(String text) {
		if (text == null || text.isEmpty()) {
			return null;
		}
		String host = text;
		if (host.startsWith("[")) {
			int end = host.indexOf(']');
			host = (end > 0) ? host.substring(1, end) : host;
		}
		else if (host.indexOf(':') > 0 && host.indexOf(':') == host.lastIndexOf(':')) {
			host = host.substring(0, host.indexOf(':')); // IPv4 with a port
		}
		return NetUtil.createInetAddressFromIpAddressString(host);
	}

}
