package io.cairn.platform.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.HttpJson;
import io.cairn.HttpJson.Response;
import io.cairn.IntegrationTest;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/**
 * {@code /api/v1} answers in snake_case everywhere, as docs/api.md says: every field name in real answers of the
 * feature store, training sets (and their log-to-run), deployments and the audit trail — including the before/after
 * snapshots the audit trail stores — is lower case with underscores. Only maps whose keys are the user's own data
 * (tags, feature values, entity columns) are not looked into.
 */
@IntegrationTest
class WireNamesIT {

    private static final Pattern SNAKE = Pattern.compile("[a-z][a-z0-9]*(_[a-z0-9]+)*");
    /** Fields whose value is a map keyed by the user's own names. */
    private static final Set<String> USER_KEYED = Set.of("tags", "entity_rows", "profile");

    @LocalServerPort
    int port;

    private static void collect(String path, JsonNode node, Set<String> offending) {
        if (node.isObject()) {
            for (var e : node.properties()) {
                if (!SNAKE.matcher(e.getKey()).matches()) {
                    offending.add(path + "/" + e.getKey());
                }
                if (!USER_KEYED.contains(e.getKey())) {
                    collect(path + "/" + e.getKey(), e.getValue(), offending);
                }
            }
        } else if (node.isArray()) {
            for (JsonNode item : node) {
                collect(path + "[]", item, offending);
            }
        }
    }

    @Test
    void everyFieldNameInApiV1AnswersAndAuditSnapshotsIsSnakeCase() {
        String base = "http://127.0.0.1:" + port;
        HttpJson http = new HttpJson(base);
        String p = "wire" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        Set<String> offending = new TreeSet<>();

        Response entity = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/entities/" + p + "_driver"))
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(
                        "{\"join_key\": \"driver_id\", \"value_type\": \"INT64\"}")));
        assertThat(entity.status()).isEqualTo(201);
        Response view = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/feature-views/" + p + "_stats"))
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(
                        "{\"entities\": [\"" + p + "_driver\"], \"features\": [{\"name\": \"rate\", \"type\": "
                                + "\"FLOAT64\"}], \"ttl_seconds\": 3600, \"tags\": {\"Owner\": \"x\"}}")));
        assertThat(view.status()).isEqualTo(201);
        assertThat(http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/feature-views/" + p + "_stats/rows"))
                .header("Content-Type", "text/csv").POST(HttpRequest.BodyPublishers.ofString(
                        "driver_id,event_timestamp,rate\n1,2026-01-01T00:00:00Z,0.5\n"))).status()).isEqualTo(200);
        Response set = http.post("/api/v1/training-sets", Map.of("features", List.of(p + "_stats:rate"),
                "entity_rows", List.of(Map.of("driver_id", 1, "event_timestamp", "2026-01-02T00:00:00Z", "label", 1)),
                "save_as", p + "_set"));
        assertThat(set.status()).as(set.body()).isEqualTo(201);
        String experiment = http.post("/api/2.0/mlflow/experiments/create", Map.of("name", p)).json()
                .path("experiment_id").asString();
        String run = http.post("/api/2.0/mlflow/runs/create", Map.of("experiment_id", experiment)).json()
                .path("run").path("info").path("run_id").asString();
        Response logged = http.post("/api/v1/training-sets/" + p + "_set/log-to-run",
                Map.of("run_id", run, "context", "training"));
        assertThat(logged.status()).as(logged.body()).isEqualTo(200);
        collect("log-to-run", logged.json(), offending);

        for (String path : List.of("/api/v1/entities/" + p + "_driver", "/api/v1/feature-views/" + p + "_stats",
                "/api/v1/feature-views", "/api/v1/training-sets/" + p + "_set", "/api/v1/training-sets",
                "/api/v1/deployments", "/api/v1/audit?limit=1000")) {
            Response r = http.get(path);
            assertThat(r.status()).as(path + " " + r.body()).isEqualTo(200);
            collect(path, r.json(), offending);
        }
        // The audit trail's snapshots of what this test changed, a registered model's among them (its record's
        // components are camelCase in Java).
        assertThat(http.post("/api/2.0/mlflow/registered-models/create", Map.of("name", p + "_model")).status())
                .isEqualTo(200);
        for (String filter : List.of("entity_type=feature_view&entity_id=" + p + "_stats",
                "entity_type=registered_model&entity_id=" + p + "_model")) {
            Response audit = http.get("/api/v1/audit?" + filter);
            assertThat(audit.json().path("events").size()).as(filter).isPositive();
            collect("audit(" + filter + ")", audit.json(), offending);
        }
        assertThat(offending).isEmpty();

        http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/feature-views/" + p + "_stats")).DELETE());
        http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/entities/" + p + "_driver")).DELETE());
    }
}
