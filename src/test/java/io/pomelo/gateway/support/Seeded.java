package io.pomelo.gateway.support;

import java.util.function.Consumer;

/**
 * Property checks with seeded generators: a body runs a number of times, each with a
 * {@link java.util.Random} of its own derived from one seed. The seed is random unless
 * {@code -D<name>.seed} sets it, and a failure names it, so any failing run can be
 * replayed exactly.
 */
public final class Seeded {

	private Seeded() {
	}

	/**
	 * Runs {@code body} {@code tries} times.
	 * @param name the property's name, also the prefix of its seed property
	 */
	public static void check(String name, int tries, Consumer<java.util.Random> body) {
		long seed = Long.getLong(name + ".seed", System.nanoTime());
		java.util.Random seeds = new java.util.Random(seed);
		for (int i = 0; i < tries; i++) {
			java.util.Random random = new java.util.Random(seeds.nextLong());
			try {
				body.accept(random);
			}
			catch (AssertionError | RuntimeException ex) {
				throw new AssertionError(name + " failed on try " + (i + 1) + " of " + tries + "; replay with -D" + name
						+ ".seed=" + seed + ": " + ex.getMessage(), ex);
			}
		}
	}

}
