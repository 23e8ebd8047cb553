package io.pomelo.gateway.security;

import java.util.Set;

import io.pomelo.gateway.config.WeChatRefererProperties;

/**
 * Lets in the WeChat mini-programs an operator listed, by the appid in the
 * {@code Referer} WeChat sends with a mini-program's socket request
 * ({@code https://servicewechat.com/{appid}/{version}/page-frame.html}; {@code version}
 * is a release number, {@code 0} for trial and development versions, {@code devtools} for
 * the developer tools). It keeps out casual misuse: a browser page or a copied
 * mini-program of someone else. It is not authentication, since a native client can send
 * any header.
 */
public final class WeChatRefererPolicy {

	private static final String ORIGIN = "https://servicewechat.com/";

	/** The policy of a gateway that lists no appid: everyone gets in. */
	public static final WeChatRefererPolicy OFF = new WeChatRefererPolicy(Set.of(), Set.of(), false, false);

	private final Set<String> appids;

	private final Set<String> routes;

	private final boolean allowDevtools;

	private final boolean allowTrial;

	private WeChatRefererPolicy(Set<String> appids, Set<String> routes, boolean allowDevtools, boolean allowTrial) {
		this.appids = appids;
		this.routes = routes;
		this.allowDevtools = allowDevtools;
		this.allowTrial = allowTrial;
	}

	public static WeChatRefererPolicy of(WeChatRefererProperties properties) {
		if (properties.getAppids().isEmpty()) {
			return OFF;
		}
		return new WeChatRefererPolicy(Set.copyOf(properties.getAppids()), Set.copyOf(properties.getRoutes()),
				properties.isAllowDevtools(), properties.isAllowTrial());
	}

	/**
	 * Why a client on this route may not connect, or {@code null} when it may.
	 * @param referer the request's Referer header, or {@code null}
	 */
	public String refusal(String routeId, String referer) {
		if (this.appids.isEmpty() || (!this.routes.isEmpty() && !this.routes.contains(routeId))) {
			return null;
		}
		if (referer == null || !referer.startsWith(ORIGIN)) {
			return "not a WeChat mini-program of this game";
		}
		int appidEnd = referer.indexOf('/', ORIGIN.length());
		int versionEnd = (appidEnd < 0) ? -1 : referer.indexOf('/', appidEnd + 1);
		if (versionEnd < 0) {
			return "not a WeChat mini-program of this game";
		}
		String appid = referer.substring(ORIGIN.length(), appidEnd);
		String version = referer.substring(appidEnd + 1, versionEnd);
		if (!this.appids.contains(appid)) {
			return "mini-program not allowed";
		}
		if ("devtools".equals(version)) {
			return this.allowDevtools ? null : "the developer tools are not allowed";
		}
		if ("0".equals(version)) {
			return this.allowTrial ? null : "trial and development versions are not allowed";
		}
		return isReleaseNumber(version) ? null : "not a WeChat mini-program of this game";
	}

	private static boolean isReleaseNumber(String version) {
		if (version.isEmpty() || version.length() > 9) {
			return false;
		}
		for (int i = 0; i < version.length(); i++) {
			if (!Character.isDigit(version.charAt(i))) {
				return false;
			}
		}
		return true;
	}

}
