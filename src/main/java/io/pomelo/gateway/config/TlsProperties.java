package io.pomelo.gateway.config;

/**
 * TLS on the data port. When both files are set the gateway registers them as the SSL bundle
 * {@code pomelo-data}, reloaded when the files change.
 */
public class TlsProperties {

	/**
	 * PEM certificate chain, as in nginx's ssl_certificate (for example 'file:/etc/tls/tls.crt').
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
