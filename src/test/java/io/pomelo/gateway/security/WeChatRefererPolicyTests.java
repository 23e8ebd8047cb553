package io.pomelo.gateway.security;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.pomelo.gateway.config.WeChatRefererProperties;

import static org.assertj.core.api.Assertions.assertThat;

class WeChatRefererPolicyTests {

	private static final String APPID = "wx0123456789abcdef";

	@Test
	void withNoAppidListedEveryoneGetsIn() {
		WeChatRefererPolicy policy = WeChatRefererPolicy.of(new WeChatRefererProperties());
		assertThat(policy.refusal("conn", null)).isNull();
		assertThat(policy.refusal("conn", "https://evil.example.com/")).isNull();
	}

	@Test
	void releasesOfAListedAppidGetInAndTheSwitchesDecideTheRest() {
		WeChatRefererProperties properties = new WeChatRefererProperties();
		properties.setAppids(List.of(APPID));
		properties.setAllowDevtools(true);
		WeChatRefererPolicy policy = WeChatRefererPolicy.of(properties);
		assertThat(policy.refusal("conn", referer(APPID, "3"))).isNull();
		assertThat(policy.refusal("conn", referer(APPID, "devtools"))).isNull();
		assertThat(policy.refusal("conn", referer(APPID, "0"))).contains("trial");
		assertThat(policy.refusal("conn", referer("wx1111111111111111", "3"))).contains("not allowed");
		assertThat(policy.refusal("conn", referer(APPID, "3x"))).isNotNull();
		assertThat(policy.refusal("conn", "https://servicewechat.com/" + APPID)).isNotNull();
		assertThat(policy.refusal("conn", "https://servicewechat.com.evil.example/" + APPID + "/3/page-frame.html"))
			.isNotNull();
		assertThat(policy.refusal("conn", null)).isNotNull();
	}

	@Test
	void routesLimitWhereThePolicyApplies() {
		WeChatRefererProperties properties = new WeChatRefererProperties();
		properties.setAppids(List.of(APPID));
		properties.setRoutes(List.of("conn"));
		WeChatRefererPolicy policy = WeChatRefererPolicy.of(properties);
		assertThat(policy.refusal("conn", null)).isNotNull();
		assertThat(policy.refusal("gate", null)).isNull();
	}

	private static String referer(String appid, String version) {
		return "https://servicewechat.com/" + appid + "/" + version + "/page-frame.html";
	}

}
