package io.pomelo.gateway.reload;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.context.SmartLifecycle;

/**
 * Watches the directories of the configuration files and calls back once a burst of
 * events has been quiet for a while. It watches directories, not files: kubelet updates a
 * mounted ConfigMap by pointing its {@code ..data} symlink at a new directory with a
 * rename, which is an event in the mount directory and none at all on the file path the
 * application reads. Which event it was does not matter; the callback compares the files'
 * bytes, so a touch or an unrelated file in the same directory costs one read and nothing
 * else.
 */
final class ConfigFileWatcher implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(ConfigFileWatcher.class);

	private final Set<Path> directories;

	private final Duration quietPeriod;

	private final Runnable onChange;

	private volatile WatchService watchService;

	private volatile Thread thread;

	ConfigFileWatcher(Set<Path> directories, Duration quietPeriod, Runnable onChange) {
		this.directories = Set.copyOf(directories);
		this.quietPeriod = quietPeriod;
		this.onChange = onChange;
	}

	@Override
	public void start() {
		if (this.directories.isEmpty()) {
			logger.info("No configuration file to watch; routes come from the command line or the environment only");
			return;
		}
		try {
			WatchService service = FileSystems.getDefault().newWatchService();
			for (Path directory : this.directories) {
				directory.register(service, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
						StandardWatchEventKinds.ENTRY_DELETE);
			}
			this.watchService = service;
		}
		catch (IOException ex) {
			logger.warn("Cannot watch " + this.directories + " (" + ex + "); routes reload only through "
					+ "POST /admin/config/reload");
			return;
		}
		Thread watcher = new Thread(this::run, "config-watch");
		watcher.setDaemon(true);
		this.thread = watcher;
		watcher.start();
		logger.info("Watching " + this.directories + " for route changes (pomelo.gateway.config-reload.watch)");
	}

	private void run() {
		WatchService service = this.watchService;
		try {
			while (true) {
				drain(service.take());
				WatchKey more;
				while ((more = service.poll(this.quietPeriod.toMillis(), TimeUnit.MILLISECONDS)) != null) {
					drain(more);
				}
				try {
					this.onChange.run();
				}
				catch (RuntimeException ex) {
					logger.warn("Configuration reload failed; the routes in force keep serving", ex);
				}
			}
		}
		catch (ClosedWatchServiceException | InterruptedException ex) {
			// stopped
		}
	}

	private static void drain(WatchKey key) {
		key.pollEvents();
		key.reset();
	}

	@Override
	public void stop() {
		WatchService service = this.watchService;
		if (service != null) {
			try {
				service.close();
			}
			catch (IOException ex) {
				// closing anyway
			}
			this.watchService = null;
		}
		Thread watcher = this.thread;
		if (watcher != null) {
			watcher.interrupt();
			this.thread = null;
		}
	}

	@Override
	public boolean isRunning() {
		return this.thread != null;
	}

}
