package io.pomelo.gateway.reload;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.springframework.boot.env.PropertiesPropertySourceLoader;
import org.springframework.boot.env.PropertySourceLoader;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.boot.origin.Origin;
import org.springframework.boot.origin.OriginLookup;
import org.springframework.boot.origin.TextResourceOrigin;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.FileSystemResource;
import org.springframework.core.io.Resource;

/**
 * The operator's configuration files behind the environment, found from where Spring Boot
 * read them (the origin of their properties), so whatever
 * {@code spring.config.additional-location} or {@code ./application.yml} named is covered
 * without parsing locations again. A file is always read through the path Boot used: when
 * that path is a Kubernetes ConfigMap's {@code ..data} symlink chain, each reading
 * follows the swapped link. Files inside the jar (the product defaults) never change and
 * are left out.
 * <p>
 * Documents of a file that activate on a profile or cloud platform are not re-read: route
 * files have none, and a re-read cannot tell whether Boot activated them.
 */
final class ConfigFiles {

	// Boot's view of every other source, attached in front; it would answer with the old
	// values.
	private static final String ATTACHED = "configurationProperties";

	// How Boot names a source it read from the class path, which may be a plain directory
	// in development.
	private static final String CLASSPATH = "'class path resource [";

	private static final String ACTIVATE = "spring.config.activate.";

	private final ConfigurableEnvironment environment;

	// Names of the environment's property sources that each file produced, in precedence
	// order.
	private final Map<Path, List<String>> sourcesByFile;

	ConfigFiles(ConfigurableEnvironment environment) {
		this.environment = environment;
		Map<Path, List<String>> byFile = new LinkedHashMap<>();
		for (PropertySource<?> source : environment.getPropertySources()) {
			Path file = fileOf(source);
			if (file != null) {
				byFile.computeIfAbsent(file, (key) -> new ArrayList<>()).add(source.getName());
			}
		}
		this.sourcesByFile = Collections.unmodifiableMap(byFile);
	}

	/** The files, highest precedence first. */
	List<Path> files() {
		return List.copyOf(this.sourcesByFile.keySet());
	}

	/** The directories to watch: each file's own, where kubelet swaps {@code ..data}. */
	Set<Path> directories() {
		Set<Path> directories = new LinkedHashSet<>();
		for (Path file : this.sourcesByFile.keySet()) {
			Path parent = file.toAbsolutePath().getParent();
			if (parent != null) {
				directories.add(parent);
			}
		}
		return directories;
	}

	/** The bytes of every file now, to tell a real change from a touch. */
	Map<Path, String> contents() {
		Map<Path, String> contents = new LinkedHashMap<>();
		for (Path file : this.sourcesByFile.keySet()) {
			try {
				contents.put(file, Files.readString(file));
			}
			catch (IOException ex) {
				contents.put(file, "(unreadable: " + ex + ")");
			}
		}
		return contents;
	}

	/**
	 * The environment's property sources as they would be if Boot read the files now:
	 * each file's sources replaced in place by a fresh reading, so precedence (command
	 * line and environment variables over files) stays as it was at start-up.
	 * @throws ConfigFileException naming the file that cannot be read or parsed
	 */
	Reading read() {
		Map<Path, List<PropertySource<?>>> fresh = new LinkedHashMap<>();
		for (Path file : this.sourcesByFile.keySet()) {
			fresh.put(file, load(file));
		}
		MutablePropertySources sources = new MutablePropertySources();
		List<PropertySource<?>> stale = new ArrayList<>();
		Set<Path> inserted = new HashSet<>();
		for (PropertySource<?> source : this.environment.getPropertySources()) {
			if (ATTACHED.equals(source.getName())) {
				continue;
			}
			Path file = fileNamed(source.getName());
			if (file == null) {
				sources.addLast(source);
				continue;
			}
			stale.add(source);
			if (inserted.add(file)) {
				fresh.get(file).forEach(sources::addLast);
			}
		}
		List<PropertySource<?>> reread = fresh.values().stream().flatMap(List::stream).toList();
		return new Reading(sources, stale, reread);
	}

	private Path fileNamed(String sourceName) {
		for (Map.Entry<Path, List<String>> entry : this.sourcesByFile.entrySet()) {
			if (entry.getValue().contains(sourceName)) {
				return entry.getKey();
			}
		}
		return null;
	}

	private static List<PropertySource<?>> load(Path file) {
		String name = file.getFileName().toString();
		PropertySourceLoader loader = (name.endsWith(".properties") || name.endsWith(".xml"))
				? new PropertiesPropertySourceLoader() : new YamlPropertySourceLoader();
		List<PropertySource<?>> documents;
		try {
			documents = loader.load("Config resource 'file [" + file + "]' (reloaded)", new FileSystemResource(file));
		}
		catch (IOException | RuntimeException ex) {
			throw new ConfigFileException(file, ex);
		}
		// Boot gives a file's later documents the higher precedence.
		List<PropertySource<?>> ordered = new ArrayList<>();
		for (PropertySource<?> document : documents) {
			if (!activates(document)) {
				ordered.add(0, document);
			}
		}
		return ordered;
	}

	private static boolean activates(PropertySource<?> document) {
		if (document instanceof EnumerablePropertySource<?> enumerable) {
			for (String key : enumerable.getPropertyNames()) {
				if (key.startsWith(ACTIVATE)) {
					return true;
				}
			}
		}
		return false;
	}

	private static Path fileOf(PropertySource<?> source) {
		if (!(source instanceof EnumerablePropertySource<?> enumerable) || !(source instanceof OriginLookup<?>)
				|| source.getName().contains(CLASSPATH)) {
			return null;
		}
		for (String key : enumerable.getPropertyNames()) {
			Origin origin = OriginLookup.getOrigin(source, key);
			while (origin != null && !(origin instanceof TextResourceOrigin)) {
				origin = origin.getParent();
			}
			if (origin instanceof TextResourceOrigin text) {
				return file(text.getResource());
			}
			return null;
		}
		return null;
	}

	private static Path file(Resource resource) {
		if (resource == null || resource instanceof ClassPathResource || !resource.isFile()) {
			return null;
		}
		try {
			return resource.getFile().toPath().toAbsolutePath().normalize();
		}
		catch (IOException ex) {
			return null;
		}
	}

	/**
	 * One reading of the files.
	 *
	 * @param sources every property source, the files' ones fresh, in the environment's
	 * order
	 * @param stale the files' sources as Boot read them at start-up
	 * @param fresh the files' sources as read now
	 */
	record Reading(MutablePropertySources sources, List<PropertySource<?>> stale, List<PropertySource<?>> fresh) {
	}

	/** A file that cannot be read or parsed; nothing is applied. */
	static final class ConfigFileException extends RuntimeException {

		private final Path file;

		ConfigFileException(Path file, Throwable cause) {
			super(file + " cannot be read: " + firstLine(cause), cause);
			this.file = file;
		}

		Path file() {
			return this.file;
		}

		private static String firstLine(Throwable cause) {
			Throwable root = cause;
			while (root.getCause() != null && root.getCause() != root) {
				root = root.getCause();
			}
			String message = (root.getMessage() != null) ? root.getMessage() : root.toString();
			return message.lines().findFirst().orElse(message);
		}

	}

}
