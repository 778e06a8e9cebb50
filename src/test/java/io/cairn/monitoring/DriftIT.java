package io.cairn.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import ai.onnx.proto.OnnxMl.TensorProto;
import io.cairn.HttpJson;
import io.cairn.HttpJson.Response;
import io.cairn.IntegrationTest;
import io.cairn.artifacts.ArtifactStore;
import io.cairn.serving.OnnxModels;
import io.cairn.serving.ServingFixtures;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Drift with known answers: a training set drawn from one distribution (income ~ N(50, 10), age ~ N(40, 5), segment
 * codes 0–2), logged to the run of the model version that serves; live traffic in which income shifts by one standard
 * deviation while age and segment do not. The answer names the training set found through lineage, flags income and
 * only income, and its statistics agree with the exact ones computed here from the same values.
 */
@IntegrationTest
class DriftIT {

    private static final int REFERENCE_ROWS = 2000;
    private static final int LIVE_ROWS = 1500;

    @LocalServerPort
    int port;

    @Autowired
    ArtifactStore store;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    LiveSketches sketches;

    @Autowired
    MonitoringEvaluation evaluation;

    ServingFixtures fx;
    HttpJson http;
    String deployment;
    String trainingSet;
    String view;
    String runId;
    Instant from;
    double[] referenceIncome;
    double[] liveIncome = new double[LIVE_ROWS];

    @BeforeEach
    void setUp() {
        fx = new ServingFixtures(port, store);
        http = new HttpJson("http://127.0.0.1:" + port);
        Random random = new Random(2026);
        IncomeReference reference = IncomeReference.create(fx, http, REFERENCE_ROWS, random);
        view = reference.view();
        trainingSet = reference.trainingSet();
        runId = reference.runId();
        deployment = reference.deployment();
        referenceIncome = reference.referenceIncome();
        from = Instant.now().minusSeconds(60);

        int sent = 0;
        while (sent < LIVE_ROWS) {
            float[][] rows = new float[100][];
            for (int r = 0; r < rows.length; r++) {
                liveIncome[sent + r] = (float) (60 + 10 * random.nextGaussian()); // one standard deviation up
                rows[r] = new float[] {(float) liveIncome[sent + r], (float) (40 + 5 * random.nextGaussian()),
                        random.nextInt(3)};
            }
            Response r = fx.infer("/v2/models/" + deployment + "/infer", ServingFixtures.fp32("x", rows));
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            sent += rows.length;
        }
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(known()).isEqualTo(LIVE_ROWS / 100));
        sketches.flush();
    }

    @AfterEach
    void cleanUp() {
        fx.cleanUp();
    }

    private long known() {
        return jdbc.sql("SELECT count(*) FROM monitored_predictions WHERE deployment = :d").param("d", deployment)
                .query(Long.class).single();
    }

    private static void ok(Response r, int status) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
    }

    private JsonNode drift() {
        Response r = http.get("/api/v1/deployments/" + deployment + "/drift?from=" + from + "&to="
                + Instant.now().plusSeconds(60));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    private static JsonNode column(JsonNode columns, String name) {
        for (JsonNode c : columns) {
            if (c.get("name").asString().equals(name)) {
                return c;
            }
        }
        throw new AssertionError("no column " + name + " in " + columns);
    }

    @Test
    void theShiftedFeatureAndOnlyItDriftsAgainstTheTrainingSetOnTheVersionsLineage() {
        JsonNode d = drift();
        assertThat(d.at("/reference/name").asString()).isEqualTo(trainingSet);
        assertThat(d.at("/reference/chosen_by").asString()).isEqualTo("lineage");
        assertThat(d.at("/reference/rows").asLong()).isEqualTo(REFERENCE_ROWS);
        assertThat(d.get("rows").asLong()).isEqualTo(LIVE_ROWS);

        JsonNode income = column(d.get("features"), view + ":income");
        JsonNode age = column(d.get("features"), view + ":age");
        JsonNode segment = column(d.get("features"), view + ":segment");
        assertThat(income.get("kind").asString()).isEqualTo("numeric");
        assertThat(income.get("rule").asString()).isEqualTo("wasserstein > 0.1");
        assertThat(income.get("drifted").asBoolean()).isTrue();
        assertThat(age.get("drifted").asBoolean()).isFalse();
        assertThat(segment.get("kind").asString()).isEqualTo("categorical");
        assertThat(segment.get("rule").asString()).isEqualTo("js_distance > 0.1");
        assertThat(segment.get("drifted").asBoolean()).isFalse();
        assertThat(segment.at("/reference_histogram/categories")).extracting(JsonNode::asString)
                .containsExactly("0", "1", "2");
        assertThat(d.get("share_drifted").asDouble()).isCloseTo(1 / 3.0, within(1e-12));
        assertThat(d.get("dataset_drifted").asBoolean()).isFalse();

        // Against the exact statistics of the same values: KS within 0.01, PSI within 0.02.
        assertThat(income.get("ks_statistic").asDouble()).isCloseTo(DriftStatisticsTest.exactKs(referenceIncome, liveIncome),
                within(0.01));
        assertThat(income.get("psi").asDouble()).isCloseTo(DriftStatisticsTest.exactPsi(referenceIncome, liveIncome), within(0.02));
        assertThat(income.get("ks_p_value").asDouble()).isLessThan(1e-6);
        assertThat(income.get("null_share").asDouble()).isZero();
        assertThat(income.at("/current_histogram/counts")).hasSize(10);
        assertThat(income.at("/current_histogram/edges")).hasSize(11);
        assertThat(income.has("chi2_p_value")).isFalse();

        // The answer (the regression's value, here income itself) against the label column: drifted with it.
        JsonNode answer = column(d.get("outputs"), "answer");
        assertThat(answer.get("drifted").asBoolean()).isTrue();
        // Each raw output against the version's own outputs on the training set (scored once through the loaded
        // model): this identity model answers its inputs, so its first output drifts with income and the second not.
        JsonNode shifted = column(d.get("outputs"), "y[0]");
        assertThat(shifted.get("drifted").asBoolean()).isTrue();
        assertThat(shifted.get("reference_rows").asLong()).isEqualTo(REFERENCE_ROWS);
        assertThat(shifted.get("current_rows").asLong()).isEqualTo(LIVE_ROWS);
        assertThat(shifted.get("ks_statistic").asDouble()).isCloseTo(income.get("ks_statistic").asDouble(),
                within(0.02));
        assertThat(column(d.get("outputs"), "y[1]").get("drifted").asBoolean()).isFalse();
        assertThat(column(d.get("outputs"), "y[2]").get("kind").asString()).isEqualTo("categorical");
        assertThat(jdbc.sql("SELECT count(*) FROM reference_sketches WHERE training_set_id LIKE :k")
                .param("k", d.at("/reference/training_set_id").asString() + "/%").query(Long.class).single())
                .as("the scored reference is stored for every replica").isEqualTo(1);

        // Segments of a numeric feature now come from the training set's deciles.
        Response performance = http.get("/api/v1/deployments/" + deployment + "/performance?from=" + from
                + "&segment=age");
        assertThat(performance.status()).as(performance.body()).isEqualTo(200);
        assertThat(performance.json().get("segment_kind").asString()).isEqualTo("feature_bins_training_set");
        long counted = 0;
        for (JsonNode w : performance.json().get("windows")) {
            counted += w.get("count").asLong();
        }
        assertThat(counted).isEqualTo(LIVE_ROWS);
    }

    @Test
    void withoutACairnFeaturesTagTheColumnsAreNamedByTheMlflowSignature() {
        String model = fx.model("signed");
        String mlmodel = """
                artifact_path: model
                flavors:
                  onnx:
                    data: model.onnx
                signature:
                  inputs: '[{"type": "double", "name": "income"}, {"type": "double", "name": "age"},
                    {"type": "long", "name": "segment"}]'
                  outputs: '[{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 3]}}]'
                """;
        int version = fx.versionOfRun(model, OnnxModels.identity(TensorProto.DataType.FLOAT_VALUE, -1, 3),
                Map.of("cairn.task", "regression", "cairn.score_output", "y:0"), runId, mlmodel);
        fx.alias(model, "champion", version);
        String signed = fx.deployReady("signed", model, "champion");
        Random random = new Random(1);
        float[][] rows = new float[200][];
        for (int r = 0; r < rows.length; r++) {
            rows[r] = new float[] {(float) (60 + 10 * random.nextGaussian()), (float) (40 + 5 * random.nextGaussian()),
                    random.nextInt(3)};
        }
        assertThat(fx.infer("/v2/models/" + signed + "/infer", ServingFixtures.fp32("x", rows)).status())
                .isEqualTo(200);
        await().atMost(Duration.ofSeconds(15)).until(() -> jdbc.sql(
                "SELECT count(*) FROM monitored_predictions WHERE deployment = :d").param("d", signed)
                .query(Long.class).single() > 0);
        sketches.flush();
        Response r = http.get("/api/v1/deployments/" + signed + "/drift");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().get("features")).extracting(f -> f.get("name").asString())
                .containsExactly("income", "age", "segment");
        assertThat(column(r.json().get("features"), "income").get("drifted").asBoolean()).isTrue();
        assertThat(column(r.json().get("features"), "age").get("drifted").asBoolean()).isFalse();
        // Without cairn.label the answer is judged against the version's answers on the training set.
        assertThat(column(r.json().get("outputs"), "answer").get("drifted").asBoolean()).isTrue();
    }

    @Test
    void aDeploymentCanNameItsReferenceAndItsRule() {
        String path = "/api/v1/deployments/" + deployment + "/monitoring";
        assertThat(http.get(path).json().at("/drift/numeric/method").asString()).isEqualTo("auto");
        Response put = fx.put(path, Map.of("reference_training_set", trainingSet, "drift", Map.of(
                "numeric", Map.of("method", "psi", "threshold", 5.0), "share", 0.3)));
        assertThat(put.status()).as(put.body()).isEqualTo(200);
        JsonNode d = drift();
        assertThat(d.at("/reference/chosen_by").asString()).isEqualTo("deployment");
        JsonNode income = column(d.get("features"), view + ":income");
        assertThat(income.get("rule").asString()).isEqualTo("psi > 5.0");
        assertThat(income.get("drifted").asBoolean()).as("PSI of a one-sd shift is far below 5").isFalse();
        assertThat(d.get("dataset_drifted").asBoolean()).isFalse();
        assertThat(http.get("/api/v1/audit?entity_type=deployment&entity_id=" + deployment).body())
                .contains("monitoring-settings");

        assertThat(fx.put(path, Map.of("reference_training_sets", trainingSet)).status()).isEqualTo(400);
        assertThat(fx.put(path, Map.of("drift", Map.of("numeric", Map.of("method", "t-test")))).body())
                .contains("drift.numeric.method");
        assertThat(fx.put(path, Map.of("drift", Map.of("numeric", Map.of("method", "ks", "threshold", 2)))).body())
                .contains("p-value");
        assertThat(fx.put(path, Map.of("drift", Map.of("share", 0))).status()).isEqualTo(400);
        assertThat(fx.put(path, Map.of("reference_training_set", "no_such_set")).status()).isEqualTo(400);
        assertThat(fx.put(path, "{\"drift\": ").status()).isEqualTo(400);
        assertThat(fx.put("/api/v1/deployments/no-such-deployment/monitoring", Map.of()).status()).isEqualTo(404);
    }

    @Test
    void theEvaluationJobStoresDriftPerWindowAndRaisesTheEventWhenTheDatasetDrifts() {
        // One feature of three drifts: with share 0.3 that makes the dataset drift.
        assertThat(fx.put("/api/v1/deployments/" + deployment + "/monitoring", Map.of("drift", Map.of("share", 0.3)))
                .status()).isEqualTo(200);
        assertThat(evaluation.evaluateUntil(Instant.now().plus(Duration.ofHours(1)))).isPositive();
        Map<String, Object> history = jdbc.sql("SELECT dataset_drifted, share_drifted, row_count, features::text AS f "
                + "FROM drift_history WHERE deployment = :d").param("d", deployment).query().singleRow();
        assertThat(history.get("dataset_drifted")).isEqualTo(true);
        assertThat((Double) history.get("share_drifted")).isCloseTo(1 / 3.0, within(1e-12));
        assertThat(history.get("row_count")).isEqualTo((long) LIVE_ROWS);
        assertThat((String) history.get("f")).contains(view + ":income");
        String detail = jdbc.sql("SELECT detail::text FROM monitoring_events WHERE deployment = :d AND kind = 'drift'")
                .param("d", deployment).query(String.class).single();
        assertThat(detail).contains("\"drifted_features\": [\"" + view + ":income\"]").contains(trainingSet);
    }

    @Test
    void withoutAReferenceDriftIsAConflictThatSaysHowToGiveOne() {
        String model = fx.model("orphan");
        int version = fx.version(model, OnnxModels.identity(TensorProto.DataType.FLOAT_VALUE, -1, 3), Map.of());
        fx.alias(model, "champion", version);
        String orphan = fx.deployReady("orphan", model, "champion");
        assertThat(fx.infer("/v2/models/" + orphan + "/infer", ServingFixtures.fp32("x", new float[][] {{1, 2, 3}}))
                .status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(15)).until(() -> jdbc.sql(
                "SELECT count(*) FROM monitored_predictions WHERE deployment = :d").param("d", orphan)
                .query(Long.class).single() > 0);
        sketches.flush();
        Response r = http.get("/api/v1/deployments/" + orphan + "/drift");
        assertThat(r.status()).as(r.body()).isEqualTo(409);
        assertThat(r.body()).contains("log-to-run").contains("reference_training_set");
        assertThat(http.get("/api/v1/deployments/" + orphan + "/drift?from=2020-01-01T00:00:00Z"
                + "&to=2020-01-02T00:00:00Z").status()).isEqualTo(404);
        assertThat(http.get("/api/v1/deployments/" + orphan + "/drift?from=soon").status()).isEqualTo(400);
    }
}
