package io.pomelo.gateway.store;

import java.nio.file.Path;
import java.util.List;

import io.pomelo.gateway.route.DynamicRoute;

/**
 * Writes to a file store as fast as it can and reports each completed write, until it is
 * killed. Run as a separate process by {@link FileRouteStoreCrashIntegrationTests}; it
 * stops by itself after 60 s.
 */
public final class StoreWriterMain {

	private StoreWriterMain() {
	}

	public static void main(String[] args) {
		FileRouteStore store = new FileRouteStore(Path.of(args[0]));
		long deadline = System.nanoTime() + 60_000_000_000L;
		for (int i = 1; System.nanoTime() < deadline; i++) {
			// Many routes make each write long enough for a kill to land in the middle of
			// one.
			List<RouteChange> changes = new java.util.ArrayList<>();
			for (int r = 0; r < 200; r++) {
				changes.add(new RouteChange.Upsert(new DynamicRoute("route-" + r, "/route-" + r + "/",
						List.of("ws://127.0.0.1:" + (1000 + i % 60000)), null, null, null, null, null, null, null,
						null)));
			}
			store.apply(changes);
			System.out.println("WROTE " + i);
			System.out.flush();
		}
	}

}
