package io.pomelo.gateway.helm;

import java.util.Map;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.BeanDescription;
import tools.jackson.databind.DeserializationConfig;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.deser.BeanDeserializerBuilder;
import tools.jackson.databind.deser.ValueDeserializerModifier;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.module.SimpleModule;
import tools.jackson.databind.type.LogicalType;

/**
 * Reads rendered manifests into fabric8's typed Kubernetes model as strictly as the API
 * server decodes them. fabric8 keeps whatever it does not know in each object's
 * additional properties, so a misspelt field would pass unnoticed; here the any-setter is
 * taken away and an unknown field fails. Scalars are not coerced either: an unquoted
 * number where the API wants a string (an env value, an annotation) is refused by the API
 * server, and so it is here.
 */
final class StrictKubernetesModel {

	/** Every kind the chart may render; anything else is a mistake in a template. */
	private static final Map<String, Class<? extends HasMetadata>> KINDS = Map.of("v1/ConfigMap", ConfigMap.class,
			"v1/Pod", Pod.class, "v1/Service", Service.class, "v1/ServiceAccount", ServiceAccount.class,
			"apps/v1/Deployment", Deployment.class, "autoscaling/v2/HorizontalPodAutoscaler",
			HorizontalPodAutoscaler.class, "networking.k8s.io/v1/Ingress", Ingress.class,
			"networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class, "policy/v1/PodDisruptionBudget",
			PodDisruptionBudget.class, "monitoring.coreos.com/v1/ServiceMonitor", ServiceMonitor.class);

	private static final JsonMapper MAPPER = JsonMapper.builder()
		.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
		.addModule(new SimpleModule("strict-kubernetes-model").setDeserializerModifier(new ValueDeserializerModifier() {

			@Override
			public BeanDeserializerBuilder updateBuilder(DeserializationConfig config,
					BeanDescription.Supplier description, BeanDeserializerBuilder builder) {
				builder.setAnySetter(null);
				return builder;
			}

		}))
		.withCoercionConfig(LogicalType.Textual,
				(coercion) -> coercion.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
					.setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
					.setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
		.withCoercionConfig(LogicalType.Integer,
				(coercion) -> coercion.setCoercion(CoercionInputShape.String, CoercionAction.Fail)
					.setCoercion(CoercionInputShape.Float, CoercionAction.Fail))
		.withCoercionConfig(LogicalType.Boolean,
				(coercion) -> coercion.setCoercion(CoercionInputShape.String, CoercionAction.Fail)
					.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail))
		.build();

	private StrictKubernetesModel() {
	}

	/**
	 * The typed object of one parsed YAML document; throws for an unknown kind, field or
	 * scalar type.
	 */
	static HasMetadata read(Map<String, Object> document) {
		String key = document.get("apiVersion") + "/" + document.get("kind");
		Class<? extends HasMetadata> type = KINDS.get(key);
		if (type == null) {
			throw new IllegalArgumentException("the chart is not expected to render " + key);
		}
		try {
			return MAPPER.convertValue(document, type);
		}
		catch (JacksonException ex) {
			throw new IllegalArgumentException(
					key + " " + name(document) + ": " + ex.getOriginalMessage() + " at " + ex.getPathReference(), ex);
		}
	}

	private static Object name(Map<String, Object> document) {
		return (document.get("metadata") instanceof Map<?, ?> metadata) ? metadata.get("name") : null;
	}

}
