package io.pomelo.gateway.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Where the client's address comes from. It is the one value that the per-address limits,
 * the session registry, the access log and the X-Forwarded-For and X-Real-IP headers sent
 * to Pomelo carry.
 */
public class ClientAddressProperties {

	/**
	 * Source of the client address: the TCP peer, the PROXY protocol header (v1 or v2)
	 * that a load balancer such as Tencent CLB, AWS NLB or HAProxy sends first on every
	 * connection, or the X-Forwarded-For header of a request from a trusted proxy.
	 */
	private Source source = Source.PEER;

	/**
	 * Address ranges of the load balancers or proxies in front of the gateway, such as
	 * '10.0.0.0/8'. With 'proxy-protocol', connections from other peers are closed (when
	 * the list is empty, every peer may send the header). With 'x-forwarded-for', the
	 * header is believed only from these peers, and the client is the rightmost address
	 * in it that is not one of them.
	 */
	private List<String> trustedProxies = new ArrayList<>();

	public Source getSource() {
		return this.source;
	}

	public void setSource(Source source) {
		this.source = source;
	}

	public List<String> getTrustedProxies() {
		return this.trustedProxies;
	}

	public void setTrustedProxies(List<String> trustedProxies) {
		this.trustedProxies = trustedProxies;
	}

	/**
	 * Where the client address is read.
	 */
	public enum Source {

		/** The TCP peer of the data port's connection. */
		PEER,

		/** The PROXY protocol header, v1 or v2, that precedes the connection's bytes. */
		PROXY_PROTOCOL,

		/** The X-Forwarded-For header, from trusted proxies only. */
		X_FORWARDED_FOR

	}

}
