package io.pomelo.gateway.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A directory laid out as kubelet lays out a mounted ConfigMap: the data in a timestamped
 * directory, {@code ..data} a symlink to it, and each key a symlink through
 * {@code ..data}. An update writes a new timestamped directory, points {@code ..data_tmp}
 * at it and renames that over {@code ..data} (one atomic step), then removes the old
 * directory, as kubelet's AtomicWriter does.
 */
public final class ConfigMapDirectory {

	private static final AtomicInteger generation = new AtomicInteger();

	private final Path root;

	private final String key;

	private Path current;

	private ConfigMapDirectory(Path root, String key) {
		this.root = root;
		this.key = key;
	}

	/** A new directory holding {@code key} with this content. */
	public static ConfigMapDirectory create(Path root, String key, String content) {
		ConfigMapDirectory directory = new ConfigMapDirectory(root, key);
		try {
			directory.current = directory.writeData(content);
			Files.createSymbolicLink(root.resolve("..data"), directory.current.getFileName());
			Files.createSymbolicLink(root.resolve(key), Path.of("..data", key));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return directory;
	}

	/** The directory, for {@code spring.config.additional-location}. */
	public Path root() {
		return this.root;
	}

	/** Swaps in new content the way kubelet does. */
	public void update(String content) {
		try {
			Path previous = this.current;
			this.current = writeData(content);
			Path tmp = this.root.resolve("..data_tmp");
			Files.createSymbolicLink(tmp, this.current.getFileName());
			Files.move(tmp, this.root.resolve("..data"), StandardCopyOption.ATOMIC_MOVE,
					StandardCopyOption.REPLACE_EXISTING);
			try (Stream<Path> files = Files.walk(previous)) {
				for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
					Files.delete(file);
				}
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private Path writeData(String content) throws IOException {
		Path data = this.root.resolve("..2026_12_04_00_00_00." + generation.incrementAndGet());
		Files.createDirectory(data);
		Files.writeString(data.resolve(this.key), content);
		return data;
	}

}
