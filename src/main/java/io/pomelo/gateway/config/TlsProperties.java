package io.pomelo.gateway.config;

import java.nio.file.Path;
import java.time.Duration;

/**
 * TLS on the data port. When both files are set the gateway registers them as the SSL
 * bundle {@code pomelo-data}, reloaded when the files change.
 */
public class TlsProperties {

	/**
	 * PEM certificate chain, as in nginx's ssl_certificate (for example
	 * 'file:/etc/tls/tls.crt').
	 */
	private String certificate;

	/**
	 * PEM private key, as in nginx's ssl_certificate_key.
	 */
	private String privateKey;

	/**
	 * Password of an encrypted private key.
	 */
	private String privateKeyPassword;

	/**
	 * File of TLS session ticket keys shared by every replica, one per line, each base64
	 * of 48 random bytes ('openssl rand -base64 48'); the first encrypts, all decrypt.
	 * Re-read when it changes. Unset: each replica makes its own keys, and a player
	 * resumes only on the replica that served it.
	 */
	private Path sessionTicketKeys;

	/**
	 * How often the session ticket key file is checked for a change.
	 */
	private Duration sessionTicketKeysCheckInterval = Duration.ofSeconds(10);

	public Path getSessionTicketKeys() {
		return this.sessionTicketKeys;
	}

	public void setSessionTicketKeys(Path sessionTicketKeys) {
		this.sessionTicketKeys = sessionTicketKeys;
	}

	public Duration getSessionTicketKeysCheckInterval() {
		return this.sessionTicketKeysCheckInterval;
	}

	public void setSessionTicketKeysCheckInterval(Duration sessionTicketKeysCheckInterval) {
		this.sessionTicketKeysCheckInterval = sessionTicketKeysCheckInterval;
	}

	public String getCertificate() {
		return this.certificate;
	}

	public void setCertificate(String certificate) {
		this.certificate = certificate;
	}

	public String getPrivateKey() {
		return this.privateKey;
	}

	public void setPrivateKey(String privateKey) {
		this.privateKey = privateKey;
	}

	public String getPrivateKeyPassword() {
		return this.privateKeyPassword;
	}

	public void setPrivateKeyPassword(String privateKeyPassword) {
		this.privateKeyPassword = privateKeyPassword;
	}

}
