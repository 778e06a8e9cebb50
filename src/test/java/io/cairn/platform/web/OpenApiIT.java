package io.cairn.platform.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.cairn.HttpJson;
import io.cairn.HttpJson.Response;
import io.cairn.IntegrationTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The OpenAPI description at {@code /v3/api-docs} is generated from the controllers, so it cannot drift from them;
 * this keeps it complete (every {@code /api/v1} mapping the server has is in it, with its methods) and keeps
 * docs/api.md honest against it: every {@code METHOD /api/v1/...} the reference names exists, and every JSON request
 * example in its tables validates against the operation's request schema.
 */
@IntegrationTest
class OpenApiIT {

    private static final Path REFERENCE = Path.of("docs/api.md");

    @LocalServerPort
    int port;

    @Autowired
    @Qualifier("requestMappingHandlerMapping")
    RequestMappingHandlerMapping mappings;

    JsonNode spec;

    @BeforeEach
    void fetch() throws IOException {
        Response r = new HttpJson("http://127.0.0.1:" + port).get("/v3/api-docs");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        spec = r.json();
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target/openapi.json"), r.body());
    }

    /** {@code /api/v1/a/{name}/b} → {@code /api/v1/a/{}/b}: docs and code may name a path variable differently. */
    private static String shape(String path) {
        return path.replaceAll("\\{[^}]*}", "{}");
    }

    private Set<String> described() {
        Set<String> ops = new TreeSet<>();
        for (var path : spec.path("paths").properties()) {
            for (var op : path.getValue().properties()) {
                ops.add(op.getKey().toUpperCase(Locale.ROOT) + " " + shape(path.getKey()));
            }
        }
        return ops;
    }

    @Test
    void theDescriptionIsOpenApi3AndCoversEveryApiV1Mapping() {
        assertThat(spec.path("openapi").asString()).startsWith("3.");
        Set<String> served = new TreeSet<>();
        for (RequestMappingInfo info : mappings.getHandlerMethods().keySet()) {
            Set<RequestMethod> methods = info.getMethodsCondition().getMethods();
            for (String pattern : info.getPatternValues()) {
                // The printable card (.../card.html) is a dashboard page that lives under /api/v1, not an operation.
                if (!pattern.startsWith("/api/v1/") || pattern.endsWith(".html")) {
                    continue;
                }
                for (RequestMethod m : methods.isEmpty() ? Set.of(RequestMethod.GET) : methods) {
                    served.add(m.name() + " " + shape(pattern));
                }
            }
        }
        assertThat(served).hasSizeGreaterThan(35);
        assertThat(described()).containsAll(served);
        // Nothing but Cairn's own API: MLflow's, Feast's and V2's paths are described by those projects.
        assertThat(spec.path("paths").propertyNames()).allMatch(p -> p.startsWith("/api/v1/"));
    }

    @Test
    void everyApiV1OperationTheReferenceNamesIsInTheDescription() throws IOException {
        String reference = Files.readString(REFERENCE);
        Matcher named = Pattern.compile("`(GET|PUT|POST|DELETE|PATCH) (/api/v1/[^`\\s?\\[]*)").matcher(reference);
        // The printable card is a dashboard page under /api/v1, not an operation of the API.
        Set<String> described = described();
        Set<String> missing = new TreeSet<>();
        int count = 0;
        while (named.find()) {
            count++;
            String op = named.group(1) + " " + shape(named.group(2).replaceAll("/$", ""));
            if (!described.contains(op) && !op.endsWith(".html")) {
                missing.add(op);
            }
        }
        assertThat(count).isGreaterThan(30);
        assertThat(missing).as("named in " + REFERENCE + " but not in /v3/api-docs").isEmpty();
    }

    /** A table row whose first cell is one operation and whose second cell opens with a JSON body. */
    private static final Pattern EXAMPLE_ROW = Pattern.compile(
            "^\\| `(PUT|POST|PATCH) (/api/v1/[^`\\s]*)` \\| `(\\{.*?})`(?=[;:,. ]| \\|)", Pattern.MULTILINE);
    /** A marked example: {@code <!-- request: POST /api/v1/... -->}, then a json block or an inline JSON body. */
    private static final Pattern MARKED_EXAMPLE = Pattern.compile(
            "^<!-- request: (PUT|POST|PATCH) (/api/v1/\\S*) -->\\n(?:```json\\n(.*?)\\n```|`(\\{.*?})`)",
            Pattern.MULTILINE | Pattern.DOTALL);

    @Test
    void theReferencesRequestExamplesValidateAgainstTheirOperationsSchemas() throws IOException {
        String reference = Files.readString(REFERENCE);
        List<String[]> examples = new ArrayList<>();
        Matcher row = EXAMPLE_ROW.matcher(reference);
        while (row.find()) {
            examples.add(new String[] {row.group(1), row.group(2), row.group(3)});
        }
        Matcher marked = MARKED_EXAMPLE.matcher(reference);
        while (marked.find()) {
            examples.add(new String[] {marked.group(1), marked.group(2),
                marked.group(3) != null ? marked.group(3) : marked.group(4)});
        }
        SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
        List<String> failures = new ArrayList<>();
        for (String[] example : examples) {
            String method = example[0].toLowerCase(Locale.ROOT);
            String path = example[1];
            String what = example[0] + " " + path;
            JsonNode body;
            try {
                body = HttpJson.mapper().readTree(example[2]);
            } catch (RuntimeException e) {
                failures.add(what + ": the example is not JSON: " + example[2]);
                continue;
            }
            JsonNode operation = operation(method, path);
            if (operation == null) {
                failures.add(what + ": not in the description");
                continue;
            }
            JsonNode content = operation.path("requestBody").path("content").path("application/json");
            if (content.isMissingNode()) {
                failures.add(what + ": the description has no JSON request body");
                continue;
            }
            // The whole description is the schema document, so the operation's $refs resolve inside it.
            ObjectNode document = (ObjectNode) spec.deepCopy();
            document.put("$ref", "#/paths/" + pointer(path) + "/" + method
                    + "/requestBody/content/application~1json/schema");
            Schema validator = registry.getSchema(SchemaLocation.of("https://cairn.invalid/openapi.json"), document);
            List<Error> errors = validator.validate(body);
            if (!errors.isEmpty()) {
                failures.add(what + " " + body + ": " + errors);
            }
        }
        assertThat(examples).as("examples found in " + REFERENCE).hasSizeGreaterThanOrEqualTo(9);
        assertThat(failures).isEmpty();
    }

    @Test
    void requestRecordsThatRefuseUnknownFieldsSayItAndStreamedBodiesNameTheirMediaTypes() {
        JsonNode view = spec.path("components").path("schemas").path("FeatureViewDefinition");
        assertThat(view.path("properties").has("unknown")).isFalse();
        assertThat(view.path("additionalProperties").asBoolean(true)).isFalse();
        JsonNode rows = operation("post", "/api/v1/feature-views/{name}/rows").path("requestBody").path("content");
        assertThat(rows.propertyNames()).contains("application/json", "text/csv");
        // The same body validated by the API answers 400 here: the description does not promise what is refused.
        Response refused = new HttpJson("http://127.0.0.1:" + port).send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + port + "/api/v1/entities/openapi_typo"))
                .header("Content-Type", "application/json")
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("{\"join_key\": \"id\", \"value_typ\": \"INT64\"}")));
        assertThat(refused.status()).isEqualTo(400);
    }

    private JsonNode operation(String method, String docPath) {
        for (Map.Entry<String, JsonNode> path : spec.path("paths").properties()) {
            if (shape(path.getKey()).equals(shape(docPath))) {
                JsonNode op = path.getValue().get(method);
                if (op != null) {
                    return op;
                }
            }
        }
        return null;
    }

    private String pointer(String docPath) {
        for (String key : spec.path("paths").propertyNames()) {
            if (shape(key).equals(shape(docPath))) {
                return key.replace("~", "~0").replace("/", "~1");
            }
        }
        throw new AssertionError(docPath);
    }
}
