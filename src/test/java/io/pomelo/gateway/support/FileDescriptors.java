package io.pomelo.gateway.support;

import java.lang.management.ManagementFactory;

import com.sun.management.UnixOperatingSystemMXBean;

/**
 * The open-file budget of this JVM. A test that opens thousands of sockets in one process
 * (client, gateway and sometimes backend ends) sizes its crowd by this, so that it tests
 * the gateway and not the machine's {@code ulimit -n}, and says so when it had to shrink.
 */
public final class FileDescriptors {

	/** Kept free for jars, pipes, selectors and the JVM's own files. */
	private static final long HEADROOM = 512;

	private FileDescriptors() {
	}

	public static long limit() {
		return os().getMaxFileDescriptorCount();
	}

	public static long open() {
		return os().getOpenFileDescriptorCount();
	}

	/**
	 * How many of {@code wanted} sessions fit now, each holding {@code perSession}
	 * descriptors in this JVM, and at most {@code gatewayLimit}.
	 */
	public static int sessionsThatFit(int wanted, int perSession, long gatewayLimit) {
		long free = limit() - open() - HEADROOM;
		int fit = (int) Math.max(0, Math.min(Math.min(wanted, gatewayLimit), free / perSession));
		if (fit < wanted) {
			System.out.printf("%,d of %,d sessions fit: %s, %d descriptors each%n", fit, wanted, describe(),
					perSession);
		}
		return fit;
	}

	public static String describe() {
		return String.format("open files %,d of %,d", open(), limit());
	}

	private static UnixOperatingSystemMXBean os() {
		return (UnixOperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
	}

}
