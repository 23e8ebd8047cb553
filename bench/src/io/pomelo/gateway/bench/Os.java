package io.pomelo.gateway.bench;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What the bench reads from /proc (CPU ticks, RSS, open files, limits) and the few other things it asks
 * of the operating system. Proxy CPU and memory are always read for the proxy's own processes only.
 */
final class Os {

	static final long TICKS_PER_SECOND = 100;

	private Os() {
	}

	/**
	 * utime + stime of the processes, in clock ticks. A thread group leader's stat counts all its threads,
	 * so one pid covers a JVM or a threaded HAProxy; nginx's workers are pids of their own.
	 */
	static long cpuTicks(List<Long> pids) throws IOException {
		long total = 0;
		for (long pid : pids) {
			String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
			String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
			total += Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
		}
		return total;
	}

	/** VmRSS summed over the processes. */
	static long rssBytes(List<Long> pids) throws IOException {
		long total = 0;
		for (long pid : pids) {
			for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
				if (line.startsWith("VmRSS:")) {
					total += Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
				}
			}
		}
		return total;
	}

	static int openFiles(long pid) throws IOException {
		try (Stream<Path> fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
			return (int) fds.count();
		}
	}

	static int openFiles(List<Long> pids) throws IOException {
		int total = 0;
		for (long pid : pids) {
			total += openFiles(pid);
		}
		return total;
	}

	/** The soft RLIMIT_NOFILE of a process (a JVM raises its soft limit to the hard one by itself). */
	static int openFileLimit(long pid) throws IOException {
		return readLimit(pid, 3);
	}

	static int hardOpenFileLimit() {
		try {
			return readLimit(ProcessHandle.current().pid(), 4);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static int readLimit(long pid, int column) throws IOException {
		for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/limits"))) {
			if (line.startsWith("Max open files")) {
				String value = line.trim().split("\\s+")[column];
				return value.equals("unlimited") ? Integer.MAX_VALUE
						: (int) Math.min(Integer.MAX_VALUE, Long.parseLong(value));
			}
		}
		throw new IllegalStateException("no open-file limit for " + pid);
	}

	/** prlimit on another process: it needs CAP_SYS_RESOURCE, which a container often lacks. */
	static boolean raiseOpenFileLimit(long pid, int wanted) throws Exception {
		try {
			Process prlimit = new ProcessBuilder("prlimit", "--pid", String.valueOf(pid),
					"--nofile=" + wanted + ":" + wanted)
				.redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.DISCARD)
				.start();
			return prlimit.waitFor(10, TimeUnit.SECONDS) && prlimit.exitValue() == 0;
		}
		catch (IOException ex) {
			return false;
		}
	}

	static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

	static void deleteTree(Path directory) throws IOException {
		if (!Files.exists(directory)) {
			return;
		}
		try (Stream<Path> paths = Files.walk(directory)) {
			for (Path path : paths.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
				Files.delete(path);
			}
		}
	}

	/**
	 * Waits until a freshly started proxy accepts TCP connections on the port; an exit before that is an
	 * error that shows what it printed.
	 */
	static void awaitListening(Process process, int port, Path output, java.time.Duration limit) throws Exception {
		long deadline = System.nanoTime() + limit.toNanos();
		while (System.nanoTime() < deadline) {
			if (!process.isAlive()) {
				throw new IllegalStateException(
						"the proxy exited with " + process.exitValue() + ": " + Files.readString(output));
			}
			try (java.net.Socket socket = new java.net.Socket()) {
				socket.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
				return;
			}
			catch (IOException ex) {
				Thread.sleep(5);
			}
		}
		throw new IllegalStateException("nothing listens on " + port + " after " + limit + ": " + Files.readString(output));
	}

	/** The first line a command prints (a version), or what went wrong. */
	static String firstLine(String... command) {
		try {
			Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
			String text = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)
				.trim();
			process.waitFor(5, TimeUnit.SECONDS);
			return text.lines().findFirst().orElse("");
		}
		catch (IOException ex) {
			return "unknown (" + ex.getMessage() + ")";
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return "unknown";
		}
	}

	private static final Pattern JDK_FEATURE = Pattern.compile("-(\\d+)(-|$|\\.)");

	/**
	 * The newest JDK under /usr/lib/jvm whose directory name carries a feature version of at least
	 * {@code feature} and that has a java; empty when there is none.
	 */
	static String newestJdk(int feature) {
		File[] candidates = new File("/usr/lib/jvm").listFiles();
		String best = "";
		int bestVersion = 0;
		for (File candidate : (candidates != null) ? candidates : new File[0]) {
			Matcher version = JDK_FEATURE.matcher(candidate.getName());
			if (version.find() && !Files.isSymbolicLink(candidate.toPath())
					&& Files.isExecutable(candidate.toPath().resolve("bin/java"))) {
				int v = Integer.parseInt(version.group(1));
				if (v >= feature && v > bestVersion) {
					bestVersion = v;
					best = candidate.getPath();
				}
			}
		}
		return best;
	}

	/** The feature version a java prints first ("openjdk version \"25.0.1\"" gives 25). */
	static String javaVersion(String java) throws Exception {
		Process process = new ProcessBuilder(java, "-version").redirectErrorStream(true).start();
		String first = new String(process.getInputStream().readAllBytes()).lines().findFirst().orElse("");
		process.waitFor();
		Matcher version = Pattern.compile("\"(\\d+)").matcher(first);
		return version.find() ? version.group(1) : "?";
	}

}
