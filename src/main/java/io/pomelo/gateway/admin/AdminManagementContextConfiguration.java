package io.pomelo.gateway.admin;

import java.util.List;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import io.swagger.v3.oas.models.servers.Server;
import org.springdoc.core.configuration.SpringDocConfiguration;
import org.springdoc.core.configuration.SpringDocSpecPropertiesConfiguration;
import org.springdoc.core.properties.SpringDocConfigProperties;
import org.springdoc.webflux.core.configuration.SpringDocWebFluxConfiguration;

import org.springframework.boot.actuate.autoconfigure.web.ManagementContextConfiguration;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextType;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.annotation.web.reactive.EnableWebFluxSecurity;
import org.springframework.security.config.web.server.SecurityWebFiltersOrder;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.core.userdetails.MapReactiveUserDetailsService;
import org.springframework.security.core.userdetails.ReactiveUserDetailsService;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.context.NoOpServerSecurityContextRepository;
import org.springframework.security.web.server.header.ReferrerPolicyServerHttpHeadersWriter.ReferrerPolicy;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

import io.pomelo.gateway.config.AdminProperties;
import io.pomelo.gateway.config.AdminProperties.Role;
import io.pomelo.gateway.config.PomeloGatewayProperties;
import io.pomelo.gateway.relay.SessionRegistry;
import io.pomelo.gateway.reload.ConfigReloader;

/**
 * The control plane in the management child context: the admin controllers and the
 * security that guards them and Actuator. It applies to the management port only; the
 * data port has no security filter at all, so the relay pays nothing for it.
 * <p>
 * Health and Prometheus stay open for Kubernetes probes and scrapes. Reading
 * {@code /admin/**} needs the {@code viewer} or {@code admin} role, changing it needs
 * {@code admin}, and every other Actuator endpoint needs {@code admin}. Users and their
 * BCrypt hashes come from {@code pomelo.gateway.admin.users}; there is no default user
 * and no default password.
 * <p>
 * The operator console ({@link ConsoleRoutes}) is a browser client of the same API, so
 * the port also carries what a browser needs: a Content-Security-Policy that lets a page
 * run only the console's own files and never turn a string into markup or script, and
 * {@link CrossOriginWriteFilter} against cross-site writes.
 */
@ManagementContextConfiguration(value = ManagementContextType.CHILD, proxyBeanMethods = false)
@EnableWebFluxSecurity
@ImportAutoConfiguration({ SpringDocConfigProperties.class, SpringDocConfiguration.class,
		SpringDocSpecPropertiesConfiguration.class, SpringDocWebFluxConfiguration.class })
class AdminManagementContextConfiguration {

	private static final String USERS = PomeloGatewayProperties.PREFIX + ".admin.users";

	private static final Log logger = LogFactory.getLog(AdminManagementContextConfiguration.class);

	/**
	 * Only the console's own files may run or style a page;
	 * {@code require-trusted-types-for} makes the browser throw where a string would
	 * become markup ({@code innerHTML}) or script, so a route name that reaches such a
	 * sink is an error in the console, never an injection. The API's JSON gets the same
	 * policy, which is harmless there and keeps one policy for the port.
	 */
	static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
			+ "img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; "
			+ "require-trusted-types-for 'script'; trusted-types 'none'";

	@Bean
	SecurityWebFilterChain controlPlaneSecurity(ServerHttpSecurity http) {
		// Spring Security's own CSRF filter is off: it needs sessions and tokens; see
		// CrossOriginWriteFilter.
		return http.csrf(ServerHttpSecurity.CsrfSpec::disable)
			.addFilterAt(new CrossOriginWriteFilter(), SecurityWebFiltersOrder.CSRF)
			.headers((headers) -> headers.contentSecurityPolicy((csp) -> csp.policyDirectives(CONTENT_SECURITY_POLICY))
				.referrerPolicy((referrer) -> referrer.policy(ReferrerPolicy.NO_REFERRER)))
			.formLogin(ServerHttpSecurity.FormLoginSpec::disable)
			.logout(ServerHttpSecurity.LogoutSpec::disable)
			.securityContextRepository(NoOpServerSecurityContextRepository.getInstance())
			.httpBasic((basic) -> {
			})
			.authorizeExchange((exchanges) -> exchanges
				.pathMatchers("/actuator/health", "/actuator/health/**", "/actuator/prometheus")
				.permitAll()
				.pathMatchers(HttpMethod.GET, "/console", ConsoleRoutes.PATH + "**")
				.permitAll()
				.pathMatchers(HttpMethod.GET, "/admin/**", "/v3/api-docs", "/v3/api-docs/**")
				.hasAnyRole(Role.VIEWER.name(), Role.ADMIN.name())
				.pathMatchers(HttpMethod.HEAD, "/admin/**")
				.hasAnyRole(Role.VIEWER.name(), Role.ADMIN.name())
				.anyExchange()
				.hasRole(Role.ADMIN.name()))
			.build();
	}

	@Bean
	ReactiveUserDetailsService adminUsers(PomeloGatewayProperties properties) {
		List<AdminProperties.User> users = properties.getAdmin().getUsers();
		if (users.isEmpty()) {
			logger.warn("Admin API disabled: no users configured. Add pomelo.gateway.admin.users with a name, a "
					+ "BCrypt password hash (for example from `htpasswd -nbBC 10 '' <password>`) and a role "
					+ "(viewer or admin) to enable it.");
			return (username) -> reactor.core.publisher.Mono.empty();
		}
		PasswordEncoder bcrypt = new BCryptPasswordEncoder();
		return new MapReactiveUserDetailsService(users.stream().map((user) -> toUserDetails(user, bcrypt)).toList());
	}

	private static UserDetails toUserDetails(AdminProperties.User user, PasswordEncoder bcrypt) {
		String hash = (user.getPassword() != null) ? user.getPassword().replaceFirst("^\\{bcrypt\\}", "") : "";
		if (!hash.matches("\\$2[abxy]?\\$\\d{2}\\$[./A-Za-z0-9]{53}")) {
			throw new IllegalStateException(USERS + "[" + user.getName() + "].password must be a "
					+ "BCrypt hash such as $2a$10$...; plain-text passwords are refused");
		}
		// Binding refuses any role but the enum's, naming the property and the values it
		// takes.
		return User.withUsername(user.getName())
			.password(hash)
			.passwordEncoder((raw) -> raw)
			.roles(user.getRole().name())
			.build();
	}

	@Bean
	OpenAPI adminOpenApi() {
		return new OpenAPI()
			.info(new Info().title("pomelo-wx-gateway admin API")
				.version("v1")
				.description("Routes, Pomelo servers.json import and live sessions. Served on the management "
						+ "port; HTTP basic auth, role viewer for reads and admin for writes. Refused requests "
						+ "get an RFC 9457 problem body (application/problem+json) whose 'errors' name each field."))
			.servers(List.of(new Server().url("/")))
			.components(new Components().addSecuritySchemes("basic",
					new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("basic")))
			.addSecurityItem(new SecurityRequirement().addList("basic"));
	}

	@Bean
	PasswordEncoder adminPasswordEncoder() {
		return new BCryptPasswordEncoder();
	}

	@Bean
	@Conditional(AdminUsersConfigured.class)
	RoutesController routesController(RouteAdministration routes) {
		return new RoutesController(routes);
	}

	@Bean
	@Conditional(AdminUsersConfigured.class)
	ImportController importController(RouteAdministration routes) {
		return new ImportController(routes);
	}

	@Bean
	@Conditional(AdminUsersConfigured.class)
	ConfigReloadController configReloadController(ConfigReloader reloader) {
		return new ConfigReloadController(reloader);
	}

	@Bean
	@Conditional(AdminUsersConfigured.class)
	RouterFunction<ServerResponse> consoleRoutes() {
		return ConsoleRoutes.routes();
	}

	@Bean
	@Conditional(AdminUsersConfigured.class)
	SessionsController sessionsController(SessionRegistry registry) {
		return new SessionsController(registry);
	}

	/**
	 * Whether at least one admin user is configured; without one the admin API does not
	 * exist.
	 */
	static class AdminUsersConfigured implements Condition {

		@Override
		public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
			return Binder.get(context.getEnvironment())
				.bind(USERS, Bindable.listOf(AdminProperties.User.class))
				.map((users) -> !users.isEmpty())
				.orElse(false);
		}

	}

}
