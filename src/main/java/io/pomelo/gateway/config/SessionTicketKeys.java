package io.pomelo.gateway.config;

import java.io.IOException;
import java.lang.ref.WeakReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLEngine;

import io.netty.handler.ssl.OpenSslSessionContext;
import io.netty.handler.ssl.OpenSslSessionTicketKey;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * TLS session ticket keys shared by every replica, read from a file (a Kubernetes secret)
 * and re-read when it changes. With them a player who reconnects resumes its TLS session
 * on whichever replica it reaches, and a certificate reload does not invalidate every
 * ticket; without them each TLS context makes keys of its own.
 * <p>
 * The file holds one key per line, base64 of 48 random bytes
 * ({@code openssl rand -base64 48}): a 16-byte name, a 16-byte HMAC secret and a 16-byte
 * AES key. The first key encrypts new tickets; every key decrypts. Rotation is therefore:
 * add a new key as the first line, and drop the last one once every replica has read the
 * file for longer than a ticket lives.
 */
public final class SessionTicketKeys implements AutoCloseable {

	/** The key that names the file, for messages. */
	static final String PROPERTY = PomeloGatewayProperties.PREFIX + ".tls.session-ticket-keys";

	private static final Log logger = LogFactory.getLog(SessionTicketKeys.class);

	private static final int KEY_BYTES = 48;

	private static final int MAX_KEYS = 16;

	private final Path file;

	private final ScheduledExecutorService watcher;

	private volatile Loaded loaded;

	// Each TLS context (one per certificate reload) gets the keys once per version.
	private final Map<OpenSslSessionContext, Long> applied = Collections.synchronizedMap(new WeakHashMap<>());

	private volatile WeakReference<OpenSslSessionContext> lastContext = new WeakReference<>(null);

	private volatile long lastVersion = -1;

	// Only the watcher's thread reads and writes it.
	private String lastProblem;

	/**
	 * Reads the file now, and again every {@code checkInterval}.
	 * @throws IllegalStateException naming the property when the file cannot be read or
	 * holds no valid key
	 */
	public SessionTicketKeys(Path file, Duration checkInterval) {
		this.file = file;
		try {
			this.loaded = read(file, 0);
		}
		catch (IOException | IllegalArgumentException ex) {
			throw new IllegalStateException(PROPERTY + ": " + file + " " + ex.getMessage()
					+ "; write one key per line, each made with 'openssl rand -base64 48'", ex);
		}
		this.watcher = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "pomelo-gateway-ticket-keys");
			thread.setDaemon(true);
			return thread;
		});
		long millis = Math.max(100, checkInterval.toMillis());
		this.watcher.scheduleWithFixedDelay(this::reload, millis, millis, TimeUnit.MILLISECONDS);
	}

	/** How many keys are in use, the first encrypting. */
	public int size() {
		return this.loaded.keys().length;
	}

	/** Increases each time the file changed to a valid set of keys. */
	public long version() {
		return this.loaded.version();
	}

	/**
	 * Gives the engine's TLS context the current keys, unless it has them already. Called
	 * for every new connection before its first read, so that its ClientHello meets them.
	 * @return false when the engine is not OpenSSL's, whose tickets the JDK offers no way
	 * to key
	 */
	public boolean applyTo(SSLEngine engine) {
		if (!(engine.getSession().getSessionContext() instanceof OpenSslSessionContext context)) {
			return false;
		}
		Loaded current = this.loaded;
		if (this.lastContext.get() == context && this.lastVersion == current.version()) {
			return true;
		}
		synchronized (this.applied) {
			Long version = this.applied.get(context);
			if (version == null || version != current.version()) {
				context.setTicketKeys(current.keys());
				this.applied.put(context, current.version());
			}
			this.lastContext = new WeakReference<>(context);
			this.lastVersion = current.version();
		}
		return true;
	}

	private void reload() {
		Loaded current = this.loaded;
		try {
			byte[] content = Files.readAllBytes(this.file);
			if (Arrays.equals(digest(content), current.digest())) {
				return;
			}
			this.loaded = parse(content, current.version() + 1);
			this.lastProblem = null;
			logger.info("TLS session ticket keys reloaded from " + this.file + ": " + size() + " key(s)");
		}
		catch (IOException | IllegalArgumentException ex) {
			// An operator's mistake: said once, not every check, while the keys in use
			// stay.
			String problem = String.valueOf(ex.getMessage());
			if (!problem.equals(this.lastProblem)) {
				this.lastProblem = problem;
				logger.warn("TLS session ticket keys in " + this.file + " not reloaded, the previous keys stay: "
						+ problem);
			}
		}
	}

	private static Loaded read(Path file, long version) throws IOException {
		return parse(Files.readAllBytes(file), version);
	}

	static Loaded parse(byte[] content, long version) {
		List<OpenSslSessionTicketKey> keys = new ArrayList<>();
		int number = 0;
		for (String line : new String(content, StandardCharsets.US_ASCII).split("\\R")) {
			number++;
			String text = line.strip();
			if (text.isEmpty() || text.startsWith("#")) {
				continue;
			}
			byte[] key;
			try {
				key = Base64.getDecoder().decode(text);
			}
			catch (IllegalArgumentException ex) {
				throw new IllegalArgumentException("line " + number + " is not base64");
			}
			if (key.length != KEY_BYTES) {
				throw new IllegalArgumentException(
						"line " + number + " holds " + key.length + " bytes, not " + KEY_BYTES);
			}
			keys.add(new OpenSslSessionTicketKey(Arrays.copyOfRange(key, 0, 16), Arrays.copyOfRange(key, 16, 32),
					Arrays.copyOfRange(key, 32, 48)));
		}
		if (keys.isEmpty()) {
			throw new IllegalArgumentException("holds no key");
		}
		if (keys.size() > MAX_KEYS) {
			throw new IllegalArgumentException("holds " + keys.size() + " keys, more than " + MAX_KEYS);
		}
		return new Loaded(keys.toArray(OpenSslSessionTicketKey[]::new), digest(content), version);
	}

	private static byte[] digest(byte[] content) {
		try {
			return MessageDigest.getInstance("SHA-256").digest(content);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	@Override
	public void close() {
		this.watcher.shutdownNow();
	}

	record Loaded(OpenSslSessionTicketKey[] keys, byte[] digest, long version) {
	}

}
