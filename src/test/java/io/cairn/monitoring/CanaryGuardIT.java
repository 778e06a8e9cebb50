package io.cairn.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cairn.HttpJson;
import io.cairn.HttpJson.Response;
import io.cairn.IntegrationTest;
import io.cairn.artifacts.ArtifactStore;
import io.cairn.serving.OnnxModels;
import io.cairn.serving.ServingFixtures;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
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
 * Guarded canaries with real traffic and labels: a champion whose score is right, a canary whose score is inverted
 * (wrong answers) and one that is as good as the champion. The guard pulls the bad canary back, with the evidence in
 * the audit trail and an event, and leaves the good one alone. Rollback moves the primary alias back.
 */
@IntegrationTest
class CanaryGuardIT {

    private static final int REQUESTS = 300;

    @LocalServerPort
    int port;

    @Autowired
    ArtifactStore store;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    CanaryGuardian guardian;

    ServingFixtures fx;
    HttpJson http;
    String model;
    int right;

    private static final Map<String, String> TAGS = Map.of("cairn.task", "binary_classification",
            "cairn.score_output", "output:0");

    @BeforeEach
    void setUp() {
        fx = new ServingFixtures(port, store);
        http = new HttpJson("http://127.0.0.1:" + port);
        model = fx.model("guarded");
        right = fx.version(model, OnnxModels.linear(new float[][] {{1}}, new float[] {0}), TAGS);
        int inverted = fx.version(model, OnnxModels.linear(new float[][] {{-1}}, new float[] {1}), TAGS);
        int alsoRight = fx.version(model, OnnxModels.linear(new float[][] {{1}}, new float[] {0}), TAGS);
        fx.alias(model, "champion", right);
        fx.alias(model, "bad", inverted);
        fx.alias(model, "good", alsoRight);
    }

    @AfterEach
    void cleanUp() {
        fx.cleanUp();
    }

    private String deployGuarded(String canaryAlias) {
        return fx.deployReady("guarded", model, "champion", "canary", Map.of("alias", canaryAlias, "percent", 50,
                "guard", Map.of("metric", "accuracy", "max_degradation", 0.05, "min_samples", 50)));
    }

    /** Sends one-row requests and labels each with the truth (x ≥ 0.5), which the champion answers. */
    private void trafficWithLabels(String deployment) {
        Random random = new Random(9);
        List<Map<String, Object>> labels = new ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) {
            float x = 0.01f + 0.98f * random.nextFloat();
            Response r = fx.infer("/v2/models/" + deployment + "/infer", ServingFixtures.fp32("input",
                    new float[][] {{x}}));
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            labels.add(Map.of("prediction_id", r.json().at("/parameters/prediction_id").asString(), "value",
                    x >= 0.5f ? 1 : 0));
        }
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(known(deployment)).isEqualTo(REQUESTS));
        Response loaded = http.post("/api/v1/deployments/" + deployment + "/ground-truth", Map.of("labels", labels));
        assertThat(loaded.status()).as(loaded.body()).isEqualTo(200);
    }

    private long known(String deployment) {
        return jdbc.sql("SELECT count(*) FROM monitored_predictions WHERE deployment = :d").param("d", deployment)
                .query(Long.class).single();
    }

    private CanaryGuardian.Decision decisionFor(String deployment) {
        return guardian.checkAll(Instant.now()).stream().filter(d -> d.deployment().equals(deployment)).findFirst()
                .orElseThrow(() -> new AssertionError("no decision for " + deployment));
    }

    @Test
    void aCanaryThatAnswersWorseIsPulledBackWithTheEvidence() {
        String deployment = deployGuarded("bad");
        assertThat(http.get("/api/v1/deployments/" + deployment).json().at("/canary/guard/metric").asString())
                .isEqualTo("accuracy");
        trafficWithLabels(deployment);

        CanaryGuardian.Decision decision = decisionFor(deployment);
        assertThat(decision.pulledBack()).isTrue();
        assertThat((Double) decision.evidence().get("degradation_ci_low")).isGreaterThan(0.05);
        JsonNode now = http.get("/api/v1/deployments/" + deployment).json();
        assertThat(now.at("/canary/percent").asInt()).isZero();
        assertThat(now.at("/canary/alias").asString()).isEqualTo("bad");
        String trail = http.get("/api/v1/audit?entity_type=deployment&entity_id=" + deployment).body();
        assertThat(trail).contains("canary-pulled-back").contains("degradation_ci_low").contains("monitoring-canary_guard");
        assertThat(jdbc.sql("SELECT count(*) FROM monitoring_events WHERE deployment = :d AND kind = 'canary_guard'")
                .param("d", deployment).query(Long.class).single()).isEqualTo(1);
        // Pulled back, it has no share left to judge.
        assertThat(guardian.checkAll(Instant.now())).noneMatch(d -> d.deployment().equals(deployment));
    }

    @Test
    void aCanaryAsGoodAsTheChampionStays() {
        String deployment = deployGuarded("good");
        trafficWithLabels(deployment);
        CanaryGuardian.Decision decision = decisionFor(deployment);
        assertThat(decision.pulledBack()).isFalse();
        assertThat((Double) decision.evidence().get("degradation_ci_low")).isLessThan(0.05);
        assertThat(http.get("/api/v1/deployments/" + deployment).json().at("/canary/percent").asInt()).isEqualTo(50);
    }

    @Test
    void badGuardsAre400s() {
        String name = ServingFixtures.unique("guarded");
        Map<String, Object> body = new LinkedHashMap<>(Map.of("model", model, "alias", "champion"));
        body.put("canary", Map.of("alias", "bad", "percent", 10, "guard", Map.of("metric", "vibes",
                "max_degradation", 0.1)));
        assertThat(fx.deploy(name, body).body()).contains("canary.guard.metric");
        body.put("canary", Map.of("alias", "bad", "percent", 10, "guard", Map.of("metric", "accuracy")));
        assertThat(fx.deploy(name, body).body()).contains("max_degradation");
        body.put("canary", Map.of("alias", "bad", "percent", 10, "guard", Map.of("metric", "accuracy",
                "max_degradation", 0.1, "minimum", 3)));
        assertThat(fx.deploy(name, body).status()).isEqualTo(400);
    }

    @Test
    void rollbackMovesThePrimaryAliasBackToItsPreviousVersion() {
        String deployment = fx.deployReady("rollback", model, "champion");
        int good = Integer.parseInt(http.get("/api/2.0/mlflow/registered-models/alias?name=" + model
                + "&alias=good").json().at("/model_version/version").asString());
        fx.alias(model, "champion", good);
        Response r = http.post("/api/v1/deployments/" + deployment + "/rollback", "");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().get("from_version").asString()).isEqualTo(Integer.toString(good));
        assertThat(r.json().get("to_version").asString()).isEqualTo(Integer.toString(right));
        assertThat(http.get("/api/2.0/mlflow/registered-models/alias?name=" + model + "&alias=champion").json()
                .at("/model_version/version").asString()).isEqualTo(Integer.toString(right));
        assertThat(http.get("/api/v1/audit?entity_type=deployment&entity_id=" + deployment).body())
                .contains("\"action\":\"rollback\"");
        fx.await(deployment, d -> d.at("/state/aliases/0/loaded_version").asString().equals(Integer.toString(right)));

        // An alias set once has nothing to go back to.
        String fresh = fx.model("rollback");
        int only = fx.version(fresh, OnnxModels.linear(new float[][] {{1}}, new float[] {0}), Map.of());
        fx.alias(fresh, "champion", only);
        String other = fx.deployReady("rollback", fresh, "champion");
        Response none = http.post("/api/v1/deployments/" + other + "/rollback", "");
        assertThat(none.status()).isEqualTo(409);
        assertThat(none.body()).contains("no earlier version");
        assertThat(http.post("/api/v1/deployments/no-such-deployment/rollback", "").status()).isEqualTo(404);
    }
}
