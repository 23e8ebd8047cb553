package io.pomelo.gateway.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Which WeChat mini-programs may open sessions, read from the {@code Referer} that WeChat
 * puts on a mini-program's socket requests:
 * {@code https://servicewechat.com/{appid}/{version}/page-frame.html}. A filter against
 * casual misuse, not authentication: any native client can send any header.
 */
public class WeChatRefererProperties {

	/**
	 * The mini-program appids allowed in. Empty turns the policy off: every client may
	 * connect.
	 */
	private List<String> appids = new ArrayList<>();

	/**
	 * Route ids the policy applies to. Empty means every route.
	 */
	private List<String> routes = new ArrayList<>();

	/**
	 * Whether WeChat's developer tools (version {@code devtools}) get in.
	 */
	private boolean allowDevtools;

	/**
	 * Whether trial and development versions (version {@code 0}) get in.
	 */
	private boolean allowTrial;

	public List<String> getAppids() {
		return this.appids;
	}

	public void setAppids(List<String> appids) {
		this.appids = appids;
	}

	public List<String> getRoutes() {
		return this.routes;
	}

	public void setRoutes(List<String> routes) {
		this.routes = routes;
	}

	public boolean isAllowDevtools() {
		return this.allowDevtools;
	}

	public void setAllowDevtools(boolean allowDevtools) {
		this.allowDevtools = allowDevtools;
	}

	public boolean isAllowTrial() {
		return this.allowTrial;
	}

	public void setAllowTrial(boolean allowTrial) {
		this.allowTrial = allowTrial;
	}

}
