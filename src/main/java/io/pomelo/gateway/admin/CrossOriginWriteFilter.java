package io.pomelo.gateway.admin;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * The CSRF defence of the control plane: a write (any method but GET, HEAD and OPTIONS)
 * that a browser sends on behalf of another origin is refused with 403 before its
 * credentials are looked at.
 * <p>
 * The console itself never leaves ambient credentials behind (it keeps the password in
 * page memory and sends it in an {@code Authorization} header, which no other site can
 * make a browser add). A browser that was once given the same password for
 * {@code /admin/**} at its Basic prompt does cache it, though, and would send it with a
 * form another site posts here. Spring Security's token-based CSRF filter would stop that
 * but needs a session and a token dance that every curl script and Kubernetes job using
 * the admin API would then have to learn. Browsers already say where a request comes
 * from, so this filter asks them, as Go's {@code http.CrossOriginProtection} does:
 * {@code Sec-Fetch-Site} when it is sent (secure contexts, including loopback), else
 * {@code Origin} compared with {@code Host}. A request with neither comes from a program,
 * not a page, and passes.
 */
final class CrossOriginWriteFilter implements WebFilter {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		String refusal = refusal(exchange.getRequest());
		return (refusal != null) ? refuse(exchange, refusal) : chain.filter(exchange);
	}

	/**
	 * Why the request is a cross-origin write, or null when it is not one.
	 */
	static String refusal(ServerHttpRequest request) {
		HttpMethod method = request.getMethod();
		if (HttpMethod.GET.equals(method) || HttpMethod.HEAD.equals(method) || HttpMethod.OPTIONS.equals(method)) {
			return null;
		}
		HttpHeaders headers = request.getHeaders();
		String site = headers.getFirst("Sec-Fetch-Site");
		if (site != null) {
			// "none" is the user's own action (typed URL, bookmark), never another
			// page's.
			if (site.equals("same-origin") || site.equals("none")) {
				return null;
			}
			return "the browser says this " + method + " comes from a " + site + " page (Sec-Fetch-Site)";
		}
		String origin = headers.getFirst(HttpHeaders.ORIGIN);
		if (origin == null) {
			return null;
		}
		String host = headers.getFirst(HttpHeaders.HOST);
		if (host != null && host.toLowerCase(Locale.ROOT).equals(authority(origin))) {
			return null;
		}
		return "Origin " + origin + " is not this host (" + host + ")";
	}

	private static String authority(String origin) {
		try {
			String authority = URI.create(origin).getRawAuthority();
			return (authority != null) ? authority.toLowerCase(Locale.ROOT) : null;
		}
		catch (IllegalArgumentException ex) {
			// "null" (a sandboxed or file: page) and garbage name no host, so they match
			// none.
			return null;
		}
	}

	private static Mono<Void> refuse(ServerWebExchange exchange, String why) {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("type", "about:blank");
		body.put("title", "Cross-origin write refused");
		body.put("status", HttpStatus.FORBIDDEN.value());
		body.put("detail", why + "; changes are accepted from the console on this port or from non-browser clients");
		body.put("instance", exchange.getRequest().getPath().value());
		ServerHttpResponse response = exchange.getResponse();
		response.setStatusCode(HttpStatus.FORBIDDEN);
		response.getHeaders().setContentType(Problems.PROBLEM_JSON);
		byte[] bytes = JSON.writeValueAsString(body).getBytes(StandardCharsets.UTF_8);
		return response.writeWith(Mono.just(response.bufferFactory().wrap(bytes)));
	}

}
