package io.cairn.platform.web;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.info.License;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.parameters.RequestBody;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import java.util.Map;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springdoc.core.customizers.OperationCustomizer;
import org.springdoc.core.utils.SpringDocUtils;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.web.bind.annotation.RequestMapping;

/**
 * The OpenAPI 3 description of {@code /api/v1} (springdoc, generated from the controllers at {@code /v3/api-docs},
 * Swagger UI at {@code /swagger-ui.html}), with what generation cannot see put right: the bearer token every call
 * takes when security is on, request bodies that are streamed rather than bound (their media types from the
 * mapping's {@code consumes}), and request records that refuse unknown fields (they collect them with
 * {@code @JsonAnySetter} into {@code unknown}, which is no field of the wire format: the schema says
 * {@code additionalProperties: false} instead).
 */
@Configuration(proxyBeanMethods = false)
class OpenApiConfiguration {

    static final String BEARER = "bearer";
    /** The name request records give the map their {@code @JsonAnySetter} collects misspelt fields into. */
    static final String UNKNOWN_FIELDS = "unknown";

    @Bean
    OpenAPI cairnOpenApi() {
        return new OpenAPI()
                .info(new Info().title("Cairn API").version("v1")
                        .description("Cairn's own API: feature store, deployments, monitoring, model cards, "
                                + "security and audit. MLflow's REST API, Feast's feature-server endpoints and the "
                                + "Open Inference Protocol (/v2) are described by those projects. Errors are RFC 9457 "
                                + "problem details with a stable error_code; see docs/api.md.")
                        .license(new License().name("Apache-2.0")))
                .components(new Components().addSecuritySchemes(BEARER, new SecurityScheme()
                        .type(SecurityScheme.Type.HTTP).scheme("bearer")
                        .description("An API token (POST /api/v1/tokens) or, with OIDC configured, an access token. "
                                + "Not needed when security is off (cairn.security.enabled: false).")))
                .addSecurityItem(new SecurityRequirement().addList(BEARER));
    }

    static {
        // java.lang.Object or a JsonNode in a request or answer (an entity key, a tag value, a card's JSON) is any
        // JSON value, not an object with JsonNode's getters as properties, as springdoc would otherwise describe it.
        SpringDocUtils.getConfig().replaceWithSchema(Object.class, anyJson())
                .replaceWithSchema(tools.jackson.databind.JsonNode.class, anyJson());
    }

    /** Marks a schema that must have no type; springdoc gives every replaced schema "object", undone below. */
    static final String ANY_JSON = "x-cairn-any-json";

    private static Schema<?> anyJson() {
        Schema<?> schema = new io.swagger.v3.oas.models.media.JsonSchema().description("any JSON value");
        schema.addExtension(ANY_JSON, true);
        return schema;
    }

    /**
     * A handler that reads its body as a stream (no {@code @RequestBody} parameter) declares the media types it
     * consumes; the description says so. Handlers of one path that differ by {@code consumes} are one operation, so
     * the media types are added to what an earlier handler of it gave.
     */
    @Bean
    OperationCustomizer streamedRequestBodies() {
        return (operation, handler) -> {
            String[] consumes = consumes(handler.getMethod());
            if (consumes.length == 0 || bindsBody(handler.getMethod())) {
                return operation;
            }
            RequestBody body = operation.getRequestBody() != null ? operation.getRequestBody()
                    : new RequestBody().required(true)
                            .description("Streamed: read as it arrives, never held whole (docs/api.md has its shape).");
            Content content = body.getContent() != null ? body.getContent() : new Content();
            for (String type : consumes) {
                if (!content.containsKey(type)) {
                    Schema<?> schema = new Schema<>().type(type.contains("json") ? "object" : "string");
                    content.addMediaType(type, new MediaType().schema(schema));
                }
            }
            return operation.requestBody(body.content(content));
        };
    }

    private static boolean bindsBody(java.lang.reflect.Method method) {
        for (var parameter : method.getParameters()) {
            if (parameter.isAnnotationPresent(org.springframework.web.bind.annotation.RequestBody.class)) {
                return true;
            }
        }
        return false;
    }

    private static String[] consumes(java.lang.reflect.Method method) {
        // @PostMapping, @PutMapping, ... are @RequestMapping with a method: the merged annotation covers them all.
        RequestMapping mapping = AnnotatedElementUtils.findMergedAnnotation(method, RequestMapping.class);
        return mapping == null ? new String[0] : mapping.consumes();
    }

    @Bean
    OpenApiCustomizer unknownFieldsAreRefused() {
        return openApi -> {
            if (openApi.getComponents() == null || openApi.getComponents().getSchemas() == null) {
                return;
            }
            java.util.Set<Schema<?>> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
            openApi.getComponents().getSchemas().values().forEach(schema -> untype(schema, seen));
            if (openApi.getPaths() != null) {
                openApi.getPaths().values().forEach(item -> item.readOperations().forEach(op -> {
                    if (op.getRequestBody() != null && op.getRequestBody().getContent() != null) {
                        op.getRequestBody().getContent().values().forEach(m -> untype(m.getSchema(), seen));
                    }
                    if (op.getResponses() != null) {
                        op.getResponses().values().forEach(r -> {
                            if (r.getContent() != null) {
                                r.getContent().values().forEach(m -> untype(m.getSchema(), seen));
                            }
                        });
                    }
                }));
            }
            for (Map.Entry<String, Schema> entry : openApi.getComponents().getSchemas().entrySet()) {
                Schema<?> schema = entry.getValue();
                Map<String, Schema> properties = schema.getProperties();
                if (properties != null && properties.containsKey(UNKNOWN_FIELDS)
                        && "object".equals(typeOf(properties.get(UNKNOWN_FIELDS)))) {
                    properties.remove(UNKNOWN_FIELDS);
                    schema.setAdditionalProperties(false);
                }
            }
        };
    }

    /** Takes the type off every schema marked {@link #ANY_JSON}, wherever it is nested. */
    @SuppressWarnings({"rawtypes", "unchecked"})
    private static void untype(Schema<?> schema, java.util.Set<Schema<?>> seen) {
        if (schema == null || !seen.add(schema)) {
            return;
        }
        if (schema.getExtensions() != null && schema.getExtensions().remove(ANY_JSON) != null) {
            schema.setType(null);
            schema.setTypes(null);
            if (schema.getExtensions().isEmpty()) {
                schema.setExtensions(null);
            }
        }
        if (schema.getProperties() != null) {
            for (Schema p : schema.getProperties().values()) {
                untype(p, seen);
            }
        }
        untype(schema.getItems(), seen);
        if (schema.getAdditionalProperties() instanceof Schema additional) {
            untype(additional, seen);
        }
    }

    private static String typeOf(Schema<?> schema) {
        if (schema.getType() != null) {
            return schema.getType();
        }
        return schema.getTypes() == null ? null : schema.getTypes().stream().findFirst().orElse(null);
    }

}
