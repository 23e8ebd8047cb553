package io.pomelo.gateway.store;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * A real {@code kill -9} of a process in the middle of writing the file store: the file
 * left behind is always the last complete table or the one being written, never a torn
 * one.
 */
class FileRouteStoreCrashIntegrationTests {

	@Test
	void killDashNineDuringWritesLeavesAWholeTable() throws Exception {
		Random random = new Random(7);
		for (int round = 0; round < 5; round++) {
			Path file = Files.createTempDirectory("crash").resolve("routes.json");
			Process writer = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
					"-cp", System.getProperty("java.class.path"), StoreWriterMain.class.getName(), file.toString())
				.redirectErrorStream(true)
				.start();
			int target = 5 + random.nextInt(40);
			long lastWrite = 0;
			try (BufferedReader lines = new BufferedReader(
					new InputStreamReader(writer.getInputStream(), StandardCharsets.UTF_8))) {
				String line;
				while ((line = lines.readLine()) != null) {
					if (line.startsWith("WROTE ")) {
						lastWrite = Long.parseLong(line.substring(6));
						if (lastWrite >= target) {
							break;
						}
					}
				}
				writer.destroyForcibly();
				assertThat(writer.waitFor(10, TimeUnit.SECONDS)).isTrue();
			}
			assertThat(writer.exitValue()).as("killed by SIGKILL").isEqualTo(137);
			Map<String, StoredRoute> loaded = new FileRouteStore(file).load();
			assertThat(loaded).hasSize(200);
			long version = loaded.get("route-0").version();
			// The kill lands after write n was reported: the file holds write n or a
			// later complete one.
			assertThat(version).isGreaterThanOrEqualTo(lastWrite);
			assertThat(loaded.values()).allMatch((route) -> route.version() == version);
		}
	}

	@Test
	void aCorruptFileIsAStartupErrorThatNamesIt() throws Exception {
		Path file = Files.createTempDirectory("corrupt").resolve("routes.json");
		Files.writeString(file, "{\"version\":3,\"routes\":[{\"route\":{\"id\":\"a\"");
		assertThatIllegalStateException().isThrownBy(() -> new FileRouteStore(file))
			.withMessageContaining(file.toString())
			.withMessageContaining("corrupt");
	}

}
