package io.pomelo.gateway.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

import javax.net.ssl.SSLException;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;

/**
 * The test certificate (src/test/resources/tls, self-signed for localhost and 127.0.0.1)
 * and a client context that trusts only it.
 */
public final class TestTls {

	/** Spring resource location of the certificate. */
	public static final String CERTIFICATE = "classpath:tls/cert.pem";

	/** Spring resource location of the private key. */
	public static final String PRIVATE_KEY = "classpath:tls/key.pem";

	private TestTls() {
	}

	/**
	 * A client context that trusts the test certificate and nothing else.
	 */
	public static SslContext clientContext(String... protocols) {
		try (InputStream certificate = TestTls.class.getResourceAsStream("/tls/cert.pem")) {
			SslContextBuilder builder = SslContextBuilder.forClient().trustManager(certificate);
			if (protocols.length > 0) {
				builder.protocols(protocols);
			}
			return builder.build();
		}
		catch (SSLException ex) {
			throw new IllegalStateException(ex);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
