package io.pomelo.gateway.config;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * The ticket key file as operators write it.
 */
class SessionTicketKeysTests {

	private static final String KEY = Base64.getEncoder().encodeToString(new byte[48]);

	@Test
	void keysAreReadOnePerLineSkippingCommentsAndBlankLines() {
		SessionTicketKeys.Loaded loaded = parse("# rotated on Monday\n\n" + KEY + "\r\n  " + KEY + "  \n");
		assertThat(loaded.keys()).hasSize(2);
		assertThat(loaded.version()).isEqualTo(7);
	}

	@Test
	void aLineThatIsNotAKeyIsNamed() {
		assertThatIllegalArgumentException().isThrownBy(() -> parse(KEY + "\nnot base64!\n"))
			.withMessage("line 2 is not base64");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> parse(Base64.getEncoder().encodeToString(new byte[80]) + "\n"))
			.withMessage("line 1 holds 80 bytes, not 48");
		assertThatIllegalArgumentException().isThrownBy(() -> parse("# nothing yet\n")).withMessage("holds no key");
	}

	@Test
	void aMissingOrEmptyFileStopsTheStartNamingThePropertyAndTheFix(@TempDir Path directory) throws Exception {
		assertThatIllegalStateException()
			.isThrownBy(() -> new SessionTicketKeys(directory.resolve("absent"), Duration.ofSeconds(10)))
			.withMessageStartingWith("pomelo.gateway.tls.session-ticket-keys: ")
			.withMessageContaining("openssl rand -base64 48");
		Path empty = Files.writeString(directory.resolve("empty"), "");
		assertThatIllegalStateException().isThrownBy(() -> new SessionTicketKeys(empty, Duration.ofSeconds(10)))
			.withMessageContaining("holds no key");
	}

	private static SessionTicketKeys.Loaded parse(String content) {
		return SessionTicketKeys.parse(content.getBytes(StandardCharsets.US_ASCII), 7);
	}

}
