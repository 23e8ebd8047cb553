package io.pomelo.gateway.support;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Installs the Debian packages the integration tests run (redis-server, prometheus,
 * chromium) when their binary is missing, so the test command works on a fresh machine.
 * The tests run as root.
 */
public final class DebianPackages {

	private static final Object LOCK = new Object();

	private static boolean updated;

	private DebianPackages() {
	}

	/**
	 * Installs the package unless the binary is already there.
	 * @throws IllegalStateException when apt-get fails or the binary is still missing
	 * afterwards
	 */
	public static void ensureInstalled(String packageName, Path binary) {
		synchronized (LOCK) {
			if (Files.isExecutable(binary)) {
				return;
			}
			if (!Files.isExecutable(Path.of("/usr/bin/apt-get"))) {
				throw new IllegalStateException(binary + " is missing and this machine has no apt-get: install "
						+ packageName + " (Debian's package name), or run a Docker engine or podman for"
						+ " -Dfixtures=container where the fixture has an image");
			}
			Path root = Path.of("/");
			if (!updated) {
				PomeloServer.run(root, Duration.ofMinutes(5), "apt-get", "update");
				updated = true;
			}
			PomeloServer.run(root, Duration.ofMinutes(10), "env", "DEBIAN_FRONTEND=noninteractive", "apt-get",
					"install", "-y", "--no-install-recommends", packageName);
			if (!Files.isExecutable(binary)) {
				throw new IllegalStateException("apt-get installed " + packageName + " but " + binary + " is missing");
			}
		}
	}

}
