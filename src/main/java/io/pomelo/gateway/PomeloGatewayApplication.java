package io.pomelo.gateway;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * Entry point: a WebSocket gateway that puts WeChat mini-programs in front of Pomelo game servers.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class PomeloGatewayApplication {

	public static void main(String[] args) {
		SpringApplication.run(PomeloGatewayApplication.class, args);
	}

}
