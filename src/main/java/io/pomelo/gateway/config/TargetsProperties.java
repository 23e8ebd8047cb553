package io.pomelo.gateway.config;

import java.util.ArrayList;
import java.util.List;

/**
 * The target policy for dynamic routes. A target host must be listed by name in
 * allow-hosts, or every address it resolves to must fall in allow-cidrs; its port must be
 * in allow-ports. Loopback and link-local addresses (169.254.0.0/16, cloud metadata) are
 * refused unless a CIDR lists them.
 */
public class TargetsProperties {

	/**
	 * Address ranges backends may be in, such as '10.0.0.0/8'.
	 */
	private List<String> allowCidrs = new ArrayList<>();

	/**
	 * Host names backends may have, matched exactly.
	 */
	private List<String> allowHosts = new ArrayList<>();

	/**
	 * Ports and ranges backends may listen on.
	 */
	private List<String> allowPorts = new ArrayList<>(List.of("1-65535"));

	public List<String> getAllowCidrs() {
		return this.allowCidrs;
	}

	public void setAllowCidrs(List<String> allowCidrs) {
		this.allowCidrs = allowCidrs;
	}

	public List<String> getAllowHosts() {
		return this.allowHosts;
	}

	public void setAllowHosts(List<String> allowHosts) {
		this.allowHosts = allowHosts;
	}

	public List<String> getAllowPorts() {
		return this.allowPorts;
	}

	public void setAllowPorts(List<String> allowPorts) {
		this.allowPorts = allowPorts;
	}

}
