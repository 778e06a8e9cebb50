package io.cairn.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import io.cairn.HttpJson.Response;
import io.cairn.IntegrationTest;
import io.cairn.artifacts.ArtifactStore;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Prediction by entity key: features read from the online store in-process for the references on the model version
 * (tag cairn.features), run through the model, answered with the feature values used; missing ones refused.
 */
@IntegrationTest
class EntityPredictionIT {

    @LocalServerPort
    int port;

    @Autowired
    ArtifactStore store;

    @Autowired
    JdbcClient jdbc;

    ServingFixtures fx;
    String view;
    String model;
    final List<String> views = new ArrayList<>();

    @BeforeEach
    void setUp() {
        fx = new ServingFixtures(port, store);
        String entity = ServingFixtures.unique("driver").replace('-', '_');
        assertThat(fx.put("/api/v1/entities/" + entity, Map.of("join_key", "driver_id", "value_type", "INT64"))
                .status()).isEqualTo(201);
        view = ServingFixtures.unique("driver_stats").replace('-', '_');
        Response v = fx.put("/api/v1/feature-views/" + view, Map.of("entities", List.of(entity), "ttl_seconds", 3600,
                "features", List.of(Map.of("name", "conv_rate", "type", "FLOAT64"), Map.of("name", "trips", "type", "INT64"),
                        Map.of("name", "active", "type", "BOOL"))));
        assertThat(v.status()).as(v.body()).isEqualTo(201);
        views.add(view);
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        push(List.of(1, 2, 4, 5), List.of(now.minusSeconds(60), now.minusSeconds(60), now.minusSeconds(60),
                        now.minusSeconds(7200)),
                Arrays.asList(0.5, 0.25, null, 0.75), List.of(3, 7, 1, 2), List.of(true, false, true, true));
        model = fx.model("eta");
    }

    @AfterEach
    void cleanUp() {
        fx.cleanUp();
        views.forEach(v -> fx.delete("/api/v1/feature-views/" + v));
    }

    private void push(List<Integer> ids, List<Instant> times, List<Double> conv, List<Integer> trips, List<Boolean> active) {
        Map<String, Object> df = new java.util.LinkedHashMap<>();
        df.put("driver_id", ids);
        df.put("event_timestamp", times.stream().map(Instant::toString).toList());
        df.put("conv_rate", conv);
        df.put("trips", trips);
        df.put("active", active);
        Response r = fx.http.post("/push", Map.of("push_source_name", view, "to", "online", "df", df));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }

    /** score = conv_rate + 10 * trips + 100 * active. */
    private int scoringVersion(String tag) {
        byte[] onnx = OnnxModels.linear(new float[][] {{1}, {10}, {100}}, new float[] {0});
        return fx.version(model, onnx, tag == null ? Map.of() : Map.of("cairn.features", tag));
    }

    private String features() {
        return view + ":conv_rate, " + view + ":trips," + view + ":active";
    }

    @Test
    void featuresAreReadForTheEntitiesRunThroughTheModelAndReturnedWithTheOutputs() {
        fx.alias(model, "prod", scoringVersion(features()));
        String name = fx.deployReady("eta", model, "prod");
        Response r = fx.http.post("/api/v1/deployments/" + name + "/predict",
                Map.of("entities", Map.of("driver_id", List.of(1, 2))));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode p = r.json();
        assertThat(p.get("deployment").asString()).isEqualTo(name);
        assertThat(p.get("model_version").asString()).isEqualTo("1");
        assertThat(p.get("alias").asString()).isEqualTo("prod");
        assertThat(p.at("/outputs/0/name").asString()).isEqualTo("output");
        assertThat(p.at("/outputs/0/shape").toString()).isEqualTo("[2,1]");
        assertThat(p.at("/outputs/0/data").toString()).isEqualTo("[130.5,70.25]");
        assertThat(p.at("/features/feature_names").toString()).isEqualTo("[\"driver_id\",\"" + view + ":conv_rate\",\""
                + view + ":trips\",\"" + view + ":active\"]");
        assertThat(p.at("/features/results/0/values").toString()).isEqualTo("[1,2]");
        assertThat(p.at("/features/results/1/values").toString()).isEqualTo("[0.5,0.25]");
        assertThat(p.at("/features/results/3/statuses").toString()).isEqualTo("[\"PRESENT\",\"PRESENT\"]");
        String predictionId = p.get("prediction_id").asString();

        JsonNode logged = awaitLogged(predictionId);
        assertThat(logged.get("entity_keys").toString()).isEqualTo("{\"driver_id\":[1,2]}");
        assertThat(logged.at("/inputs/0/shape").toString()).isEqualTo("[2,3]");
        assertThat(logged.at("/outputs/0/data").toString()).isEqualTo("[130.5,70.25]");
    }

    private JsonNode awaitLogged(String predictionId) {
        List<String> rows = await().atMost(Duration.ofSeconds(10)).alias("prediction " + predictionId + " is logged")
                .until(() -> jdbc.sql("SELECT json_build_object('entity_keys', entity_keys, 'inputs', inputs, "
                                + "'outputs', outputs)::text FROM prediction_log WHERE id = CAST(:id AS uuid)")
                        .param("id", predictionId).query(String.class).list(), found -> !found.isEmpty());
        return io.cairn.HttpJson.mapper().readTree(rows.get(0));
    }

    @Test
    void missingNullAndStaleFeaturesAreRefusedNamingEntityAndFeature() {
        fx.alias(model, "prod", scoringVersion(features()));
        String name = fx.deployReady("eta", model, "prod");
        Response r = fx.http.post("/api/v1/deployments/" + name + "/predict",
                Map.of("entities", Map.of("driver_id", List.of(1, 3, 4, 5))));
        assertThat(r.status()).as(r.body()).isEqualTo(422);
        assertThat(r.json().get("code").asString()).isEqualTo("UNPROCESSABLE_ENTITY");
        assertThat(r.json().get("detail").asString())
                .contains("driver_id=3: " + view + ":conv_rate is NOT_FOUND")
                .contains("driver_id=3: " + view + ":active is NOT_FOUND")
                .contains("driver_id=4: " + view + ":conv_rate is NULL_VALUE")
                .contains("driver_id=5: " + view + ":conv_rate is OUTSIDE_MAX_AGE")
                .doesNotContain("driver_id=1");

        // With stale_features: accept, an old value is used; missing ones are still refused.
        fx.put("/api/v1/deployments/" + name, Map.of("model", model, "alias", "prod", "stale_features", "accept"));
        Response stale = fx.http.post("/api/v1/deployments/" + name + "/predict",
                Map.of("entities", Map.of("driver_id", List.of(5))));
        assertThat(stale.status()).as(stale.body()).isEqualTo(200);
        assertThat(stale.json().at("/outputs/0/data").toString()).isEqualTo("[120.75]");
        assertThat(stale.json().at("/features/results/1/statuses").toString()).isEqualTo("[\"OUTSIDE_MAX_AGE\"]");
        assertThat(fx.http.post("/api/v1/deployments/" + name + "/predict",
                Map.of("entities", Map.of("driver_id", List.of(3)))).status()).isEqualTo(422);
    }

    @Test
    void requestsAndModelsThatCannotBeServedByEntityAreExplained() {
        fx.alias(model, "untagged", scoringVersion(null));
        String untagged = fx.deployReady("eta", model, "untagged");
        Response noTag = fx.http.post("/api/v1/deployments/" + untagged + "/predict",
                Map.of("entities", Map.of("driver_id", List.of(1))));
        assertThat(noTag.status()).as(noTag.body()).isEqualTo(409);
        assertThat(noTag.json().get("detail").asString()).contains("has no cairn.features tag");

        fx.alias(model, "two", scoringVersion(view + ":conv_rate," + view + ":trips"));
        String wrongWidth = fx.deployReady("eta", model, "two");
        Response width = fx.http.post("/api/v1/deployments/" + wrongWidth + "/predict",
                Map.of("entities", Map.of("driver_id", List.of(1))));
        assertThat(width.status()).as(width.body()).isEqualTo(409);
        assertThat(width.json().get("detail").asString()).contains("needs one 2-D FP32 or FP64 input [rows, 2]")
                .contains("input FP32 [-1, 3]");

        fx.alias(model, "prod", scoringVersion(features()));
        String name = fx.deployReady("eta", model, "prod");
        String path = "/api/v1/deployments/" + name + "/predict";
        assertThat(fx.http.post(path, Map.of("entities", Map.of("customer_id", List.of(1)))).json()
                .get("detail").asString()).contains("lacks join key 'driver_id'");
        assertThat(fx.http.post(path, Map.of("entities", Map.of("driver_id", List.of("x")))).status()).isEqualTo(400);
        assertThat(fx.http.post(path, Map.of()).json().get("detail").asString()).contains("'entities' is required");
        assertThat(fx.http.post(path, Map.of("entities", Map.of("driver_id", List.of(1)), "missing", "default"))
                .json().get("detail").asString()).contains("Unknown field(s) [missing]");
        assertThat(fx.http.post("/api/v1/deployments/" + ServingFixtures.unique("none") + "/predict",
                Map.of("entities", Map.of("driver_id", List.of(1)))).status()).isEqualTo(404);
    }
}
