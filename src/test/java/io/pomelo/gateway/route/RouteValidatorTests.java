package io.pomelo.gateway.route;

import java.net.URI;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class RouteValidatorTests {

	@ParameterizedTest
	@CsvSource(delimiter = '|', value = { "gate|", "conn-1.a_b|", "Gate|lowercase", "-gate|starting and ending",
			"'   '|must not be empty" })
	void idRules(String id, String problem) {
		List<FieldProblem> errors = RouteValidator.errors();
		RouteValidator.checkId(id, errors);
		if (problem == null) {
			assertThat(errors).isEmpty();
		}
		else {
			assertThat(errors).singleElement().satisfies((error) -> {
				assertThat(error.field()).isEqualTo("id");
				assertThat(error.message()).contains(problem);
			});
		}
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', value = { "/gate/|", "/a/b-c/|", "gate/|start and end", "/gate|start and end",
			"/a/../b/|'..'", "/a//b/|'//'", "/a?x=1/|query", "/a b/|may only contain" })
	void prefixRules(String prefix, String problem) {
		List<FieldProblem> errors = RouteValidator.errors();
		RouteValidator.checkPrefix(prefix, errors);
		if (problem == null) {
			assertThat(errors).isEmpty();
		}
		else {
			assertThat(errors).singleElement().satisfies((error) -> {
				assertThat(error.field()).isEqualTo("prefix");
				assertThat(error.message()).contains(problem);
			});
		}
	}

	@ParameterizedTest
	@ValueSource(strings = { "http://10.0.0.5:3014", "ws:///nohost", "ws://user@h:1", "ws://h:1/?q=1" })
	void badTargetsAreNamedByIndex(String target) {
		List<FieldProblem> errors = RouteValidator.errors();
		RouteValidator.checkTargets(List.of(URI.create("ws://ok:1"), URI.create(target)), errors);
		assertThat(errors).singleElement().extracting(FieldProblem::field).isEqualTo("targets[1]");
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|',
			value = { "PT0S|1|1|idleTimeout", "PT1S|-1|1|maxConnections", "PT1S|0|0|maxFramePayload" })
	void limitsAreNamed(String idle, int maxConnections, long maxFrame, String field) {
		List<FieldProblem> errors = RouteValidator.errors();
		RouteValidator.checkLimits(Duration.parse(idle), maxConnections, maxFrame, errors);
		assertThat(errors).singleElement().extracting(FieldProblem::field).isEqualTo(field);
	}

}
