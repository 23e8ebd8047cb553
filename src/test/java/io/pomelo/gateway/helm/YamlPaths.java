package io.pomelo.gateway.helm;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Navigation in parsed YAML (snakeyaml maps and lists), for values files, the rendered
 * application.yml and the dashboard JSON, which have no typed model.
 */
final class YamlPaths {

	private YamlPaths() {
	}

	@SuppressWarnings("unchecked")
	static Map<String, Object> map(Object value) {
		assertThat(value).isInstanceOf(Map.class);
		return (Map<String, Object>) value;
	}

	@SuppressWarnings("unchecked")
	static List<Object> listOf(Object value) {
		return (value != null) ? (List<Object>) value : List.of();
	}

	/**
	 * The value at a dotted path; numeric segments index lists; {@code null} when absent.
	 */
	static Object at(Object root, String path) {
		Object current = root;
		for (String segment : path.split("\\.")) {
			if (current instanceof Map<?, ?> object) {
				current = object.get(segment);
			}
			else if (current instanceof List<?> list && segment.chars().allMatch(Character::isDigit)) {
				int index = Integer.parseInt(segment);
				current = (index < list.size()) ? list.get(index) : null;
			}
			else {
				return null;
			}
		}
		return current;
	}

}
