package io.pomelo.gateway.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * The embedded default store: one JSON file, rewritten whole on every change through a
 * temporary file, fsync and an atomic rename, so a crash at any moment leaves either the
 * old table or the new one. A file that cannot be read at start-up is an error that names
 * it: starting with no routes would drop every player on the next deploy.
 */
public class FileRouteStore implements RouteStore {

	private final Path file;

	private final JsonMapper json = JsonMapper.builder().build();

	private Map<String, StoredRoute> routes;

	private long fileVersion;

	public FileRouteStore(Path file) {
		this.file = file.toAbsolutePath();
		this.routes = read();
	}

	/** The on-disk form: a file version and the routes in id order. */
	record Contents(long version, List<StoredRoute> routes) {
	}

	private Map<String, StoredRoute> read() {
		if (!Files.exists(this.file)) {
			return Map.of();
		}
		try {
			Contents contents = this.json.readValue(this.file.toFile(), Contents.class);
			if (contents == null || contents.routes() == null) {
				throw new IllegalStateException("Route store file " + this.file + " has no 'routes' list");
			}
			Map<String, StoredRoute> loaded = new LinkedHashMap<>();
			for (StoredRoute route : contents.routes()) {
				if (route == null || route.route() == null || route.route().id() == null) {
					throw new IllegalStateException("Route store file " + this.file + " holds a route without an id");
				}
				loaded.put(route.route().id(), route);
			}
			this.fileVersion = contents.version();
			return Collections.unmodifiableMap(loaded);
		}
		catch (JacksonException ex) {
			throw new IllegalStateException("Route store file " + this.file + " is corrupt and was not loaded: "
					+ ex.getOriginalMessage() + ". Restore it from a backup or move it away to start empty.", ex);
		}
	}

	@Override
	public synchronized Map<String, StoredRoute> load() {
		return this.routes;
	}

	@Override
	public synchronized Map<String, StoredRoute> apply(List<RouteChange> changes) {
		Map<String, StoredRoute> next = RouteChanges.apply(this.routes, changes);
		write(new Contents(this.fileVersion + 1, new ArrayList<>(next.values())));
		this.fileVersion++;
		this.routes = Collections.unmodifiableMap(next);
		return this.routes;
	}

	private void write(Contents contents) {
		try {
			Path directory = this.file.getParent();
			Files.createDirectories(directory);
			Path temp = Files.createTempFile(directory, this.file.getFileName().toString(), ".tmp");
			try {
				try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE,
						StandardOpenOption.TRUNCATE_EXISTING)) {
					ByteBuffer bytes = ByteBuffer
						.wrap(this.json.writerWithDefaultPrettyPrinter().writeValueAsBytes(contents));
					while (bytes.hasRemaining()) {
						channel.write(bytes);
					}
					channel.force(true);
				}
				try {
					Files.move(temp, this.file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
				}
				catch (AtomicMoveNotSupportedException ex) {
					throw new IOException("the file system of " + directory + " cannot rename atomically", ex);
				}
				// The rename itself is durable only once the directory entry is flushed.
				try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
					dir.force(true);
				}
				catch (IOException ex) {
					// Some file systems refuse to open a directory; the rename is still
					// atomic there.
				}
			}
			finally {
				Files.deleteIfExists(temp);
			}
		}
		catch (IOException ex) {
			throw new StoreUnavailableException(
					"could not write route store file " + this.file + ": " + ex.getMessage(), ex);
		}
	}

	@Override
	public String kind() {
		return "file";
	}

	@Override
	public String location() {
		return this.file.toString();
	}

}
