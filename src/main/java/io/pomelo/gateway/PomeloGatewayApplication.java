package io.pomelo.gateway;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurationExcludeFilter;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.context.TypeExcludeFilter;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.annotation.ComponentScan;
import org.springframework.context.annotation.ComponentScan.Filter;
import org.springframework.context.annotation.FilterType;

import io.pomelo.gateway.admin.AdminController;

/**
 * Entry point: a WebSocket gateway that puts WeChat mini-programs in front of Pomelo game
 * servers.
 * <p>
 * The component scan is {@code @SpringBootApplication}'s, except that it leaves out the
 * control plane (management context configurations and admin controllers): those belong
 * to the management child context, and scanning them here would also serve them on the
 * data port.
 */
@SpringBootConfiguration
// Security guards the control plane only, from the management context; none on the data
// plane.
@EnableAutoConfiguration(excludeName = {
		"org.springframework.boot.security.autoconfigure.web.reactive.ReactiveWebSecurityAutoConfiguration",
		"org.springframework.boot.security.autoconfigure.ReactiveUserDetailsServiceAutoConfiguration",
		"org.springframework.boot.security.autoconfigure.actuate.web.reactive.ReactiveManagementWebSecurityAutoConfiguration",
		// springdoc documents the admin API from the management context, not the data
		// plane.
		"org.springdoc.core.configuration.SpringDocConfiguration",
		"org.springdoc.core.properties.SpringDocConfigProperties",
		"org.springdoc.core.configuration.SpringDocSpecPropertiesConfiguration",
		"org.springdoc.webflux.core.configuration.SpringDocWebFluxConfiguration",
		"org.springdoc.webflux.core.configuration.MultipleOpenApiSupportConfiguration" })
@ComponentScan(excludeFilters = { @Filter(type = FilterType.CUSTOM, classes = TypeExcludeFilter.class),
		@Filter(type = FilterType.CUSTOM, classes = AutoConfigurationExcludeFilter.class),
		@Filter(type = FilterType.ANNOTATION,
				classes = { ManagementContextConfiguration.class, AdminController.class }) })
@ConfigurationPropertiesScan
public class PomeloGatewayApplication {

	public static void main(String[] args) {
		SpringApplication.run(PomeloGatewayApplication.class, args);
	}

}
