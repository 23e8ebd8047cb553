package io.pomelo.gateway.relay;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Sessions share one copy of each backend answer they keep, and the table of shared
 * answers stays small whatever the backends say.
 */
class ExtensionsSharingTests {

	@Test
	void equalAnswersShareOneCopyUpToAHandfulThenEachKeepsItsOwn() {
		String first = Extensions.shared(new String("permessage-deflate; client_max_window_bits=12"));
		String again = Extensions.shared(new String("permessage-deflate; client_max_window_bits=12"));
		assertThat(again).isSameAs(first);
		assertThat(Extensions.shared(null)).isNull();

		List<String> many = new ArrayList<>();
		for (int i = 0; i < 40; i++) {
			many.add(Extensions.shared("x-extension-" + i));
		}
		int shared = 0;
		for (int i = 0; i < 40; i++) {
			String copy = new String("x-extension-" + i);
			String answer = Extensions.shared(copy);
			assertThat(answer).isEqualTo(copy);
			if (answer == many.get(i)) {
				shared++;
			}
		}
		// The table holds 16 answers at most, one of which is the first answer above.
		assertThat(shared).isBetween(1, 15);
		String late = new String("x-extension-late");
		assertThat(Extensions.shared(late)).isSameAs(late);
		assertThat(Extensions.shared(new String("x-extension-late"))).isNotSameAs(late);
	}

}
