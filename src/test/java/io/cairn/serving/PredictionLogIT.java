package io.cairn.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import io.cairn.HttpJson.Response;
import io.cairn.IntegrationTest;
import io.cairn.artifacts.ArtifactStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

/** Every prediction lands in prediction_log (asynchronously), and the Prometheus meters count what happened. */
@IntegrationTest
class PredictionLogIT {

    @LocalServerPort
    int port;

    @Autowired
    ArtifactStore store;

    @Autowired
    JdbcClient jdbc;

    ServingFixtures fx;

    @BeforeEach
    void setUp() {
        fx = new ServingFixtures(port, store);
    }

    @AfterEach
    void cleanUp() {
        fx.cleanUp();
    }

    @Test
    void everyPredictionIsLoggedWithItsIdInputsOutputsAndLatency() {
        String model = fx.model("logged");
        int version = fx.version(model, OnnxModels.scaling(2, 2f), Map.of());
        fx.alias(model, "champion", version);
        String name = fx.deployReady("logged", model, "champion");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            Response r = fx.infer("/v2/models/" + name + "/infer", ServingFixtures.fp32("input", new float[][] {{i, 1}}));
            assertThat(r.status()).isEqualTo(200);
            ids.add(r.json().at("/parameters/prediction_id").asString());
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(count(name)).isEqualTo(20));
        List<String> logged = jdbc.sql("SELECT id::text FROM prediction_log WHERE deployment = :d")
                .param("d", name).query(String.class).list();
        assertThat(logged).containsExactlyInAnyOrderElementsOf(ids);
        Map<String, Object> row = jdbc.sql("SELECT model, version, alias, request_id, inputs::text AS inputs, "
                        + "outputs::text AS outputs, entity_keys, latency_ms, created_at FROM prediction_log WHERE id = "
                        + "CAST(:id AS uuid)").param("id", ids.get(3)).query().singleRow();
        assertThat(row.get("model")).isEqualTo(model);
        assertThat(row.get("version")).isEqualTo(version);
        assertThat(row.get("alias")).isEqualTo("champion");
        assertThat(row.get("request_id")).isNull();
        assertThat(row.get("entity_keys")).isNull();
        assertThat((String) row.get("inputs")).isEqualTo(
                "[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,2],\"data\":[3.0,1.0]}]");
        assertThat((String) row.get("outputs")).isEqualTo(
                "[{\"name\":\"output\",\"datatype\":\"FP32\",\"shape\":[1,2],\"data\":[6.0,2.0]}]");
        assertThat((Double) row.get("latency_ms")).isPositive();
        assertThat(row.get("created_at")).isNotNull();
    }

    @Test
    void inputsAboveTheRecordCapAreStoredAsAMarkerAndThePredictionIsStillLogged() {
        String model = fx.model("capped");
        fx.alias(model, "champion", fx.version(model, OnnxModels.scaling(2, 1f), Map.of()));
        String name = fx.deployReady("capped", model, "champion");
        // 100,000 FP32 values: about 400 KB of JSON, above the default cap of 256 KB.
        float[][] rows = new float[50_000][2];
        for (float[] row : rows) {
            row[0] = 1.5f;
            row[1] = -2.25f;
        }
        Response r = fx.infer("/v2/models/" + name + "/infer", ServingFixtures.fp32("input", rows));
        assertThat(r.status()).isEqualTo(200);
        String id = r.json().at("/parameters/prediction_id").asString();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(count(name)).isEqualTo(1));
        Map<String, Object> row = jdbc.sql("SELECT inputs::text AS inputs, length(outputs::text) AS outputs "
                + "FROM prediction_log WHERE id = CAST(:id AS uuid)").param("id", id).query().singleRow();
        assertThat((String) row.get("inputs")).isEqualTo("{\"omitted\":\"Inputs larger than "
                + "cairn.serving.prediction-log.max-record-size (262144 bytes of JSON) are not stored\","
                + "\"tensors\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[50000,2],\"elements\":100000}]}");
        assertThat(((Number) row.get("outputs")).longValue()).as("the outputs are stored whole").isGreaterThan(500_000);
    }

    private long count(String deployment) {
        return jdbc.sql("SELECT count(*) FROM prediction_log WHERE deployment = :d").param("d", deployment)
                .query(Long.class).single();
    }

    @Test
    void prometheusShowsRequestsByOutcomeLatencyStagesBatchSizesLoadedModelsAndDrops() {
        String model = fx.model("metered");
        int version = fx.version(model, OnnxModels.scaling(2, 1f), Map.of());
        fx.alias(model, "champion", version);
        String name = fx.deployReady("metered", model, "champion", "max_batch_size", 4, "max_queue_delay_ms", 1);
        for (int i = 0; i < 3; i++) {
            assertThat(fx.infer("/v2/models/" + name + "/infer", ServingFixtures.fp32("input", new float[][] {{1, 1}}))
                    .status()).isEqualTo(200);
        }
        assertThat(fx.infer("/v2/models/" + name + "/infer", ServingFixtures.fp32("input", new float[][] {{1, 1, 1}}))
                .status()).isEqualTo(400);

        String scrape = fx.http.get("/actuator/prometheus").body();
        String d = "deployment=\"" + name + "\"";
        String v = "model_version=\"" + version + "\"";
        assertThat(line(scrape, "cairn_inference_requests_total", d, v, "outcome=\"success\"")).endsWith(" 3.0");
        assertThat(line(scrape, "cairn_inference_requests_total", d, v, "outcome=\"bad_request\"")).endsWith(" 1.0");
        assertThat(line(scrape, "cairn_inference_requests_total", d, v, "outcome=\"error\"")).endsWith(" 0.0");
        for (String stage : List.of("queue", "compute", "total")) {
            assertThat(line(scrape, "cairn_inference_latency_seconds_bucket", d, v, "stage=\"" + stage + "\"",
                    "le=\"+Inf\"")).endsWith(" 3");
        }
        assertThat(line(scrape, "cairn_inference_batch_size_bucket", d, v, "le=\"+Inf\"")).endsWith(" 3");
        assertThat(line(scrape, "cairn_model_loaded", d, "alias=\"champion\"", "model=\"" + model + "\"", v,
                "device=\"cpu\"")).endsWith(" 1.0");
        assertThat(line(scrape, "cairn_prediction_log_dropped_total", d)).endsWith(" 0.0");

        fx.cleanUp();
        assertThat(fx.http.get("/actuator/prometheus").body()).doesNotContain("cairn_model_loaded{" + "alias=\"champion\","
                + d);
        assertThat(fx.http.get("/actuator/prometheus").body().lines()
                .filter(l -> l.startsWith("cairn_model_loaded{") && l.contains(d))).isEmpty();
    }

    private static String line(String scrape, String metric, String... labels) {
        return scrape.lines().filter(l -> l.startsWith(metric + "{"))
                .filter(l -> java.util.Arrays.stream(labels).allMatch(l::contains))
                .findFirst().orElseThrow(() -> new AssertionError(metric + " with " + List.of(labels) + " not in:\n"
                        + scrape.lines().filter(l -> l.startsWith(metric)).limit(20).toList()));
    }
}
