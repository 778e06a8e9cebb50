package io.cairn.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.HttpJson;
import io.cairn.HttpJson.Response;
import io.cairn.IntegrationTest;
import io.cairn.artifacts.ArtifactStore;
import io.cairn.serving.OnnxModels;
import io.cairn.serving.ServingFixtures;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/** The MLflow registry API refuses monitoring tags monitoring could not use, at creation and at set-tag. */
@IntegrationTest
class MonitoringTagsIT {

    @LocalServerPort
    int port;

    @Autowired
    ArtifactStore store;

    @Test
    void unusableMonitoringTagsAreAnInvalidParameterValueAndUsableOnesAreStored() {
        ServingFixtures fx = new ServingFixtures(port, store);
        HttpJson http = new HttpJson("http://127.0.0.1:" + port);
        String model = fx.model("tagged");
        int version = fx.version(model, OnnxModels.scaling(2, 2f), Map.of("cairn.task", "regression"));

        Response bad = http.post("/api/2.0/mlflow/model-versions/set-tag", Map.of("name", model,
                "version", String.valueOf(version), "key", "cairn.threshold", "value", "2"));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.errorCode()).isEqualTo("INVALID_PARAMETER_VALUE");
        assertThat(bad.json().get("message").asString()).contains("cairn.threshold");

        Response good = http.post("/api/2.0/mlflow/model-versions/set-tag", Map.of("name", model,
                "version", String.valueOf(version), "key", "cairn.score_output", "value", "output:0"));
        assertThat(good.status()).as(good.body()).isEqualTo(200);
        Response got = http.get("/api/2.0/mlflow/model-versions/get?name=" + model + "&version=" + version);
        assertThat(got.body()).contains("cairn.score_output").contains("output:0").contains("regression")
                .doesNotContain("cairn.threshold");

        Response badAtCreate = http.post("/api/2.0/mlflow/model-versions/create", Map.of("name", model,
                "source", got.json().at("/model_version/source").asString(),
                "tags", java.util.List.of(Map.of("key", "cairn.task", "value", "ranking"))));
        assertThat(badAtCreate.status()).isEqualTo(400);
        assertThat(badAtCreate.json().get("message").asString()).contains("cairn.task");
        assertThat(http.get("/api/2.0/mlflow/model-versions/get?name=" + model + "&version=" + (version + 1))
                .status()).as("nothing half-written").isEqualTo(404);
    }

    @Test
    void theModelCardShowsTheMonitoringTagsAsTheyAreNow() {
        ServingFixtures fx = new ServingFixtures(port, store);
        HttpJson http = new HttpJson("http://127.0.0.1:" + port);
        String model = fx.model("carded");
        int version = fx.version(model, OnnxModels.scaling(2, 2f), Map.of("cairn.task", "binary_classification",
                "cairn.score_output", "probabilities:1", "cairn.features", "v:a, v:b"));
        String card = "/api/v1/models/" + model + "/versions/" + version + "/card";
        Response json = http.get(card);
        assertThat(json.status()).as(json.body()).isEqualTo(200);
        assertThat(json.json().at("/monitoring/task").asString()).isEqualTo("binary_classification");
        assertThat(json.json().at("/monitoring/score_output").asString()).isEqualTo("probabilities:1");
        assertThat(json.json().at("/monitoring/threshold").asDouble()).isEqualTo(0.5);
        assertThat(json.json().at("/monitoring/features").toString()).isEqualTo("[\"v:a\",\"v:b\"]");
        // A tag set after the card was written shows at once: the section is read from the tags, not stored.
        assertThat(http.post("/api/2.0/mlflow/model-versions/set-tag", Map.of("name", model, "version",
                String.valueOf(version), "key", "cairn.threshold", "value", "0.7")).status()).isEqualTo(200);
        assertThat(http.get(card).json().at("/monitoring/threshold").asDouble()).isEqualTo(0.7);
        String html = http.get(card + ".html").body();
        assertThat(html).contains("<h2>Monitoring</h2>").contains("<td>Task (cairn.task)</td><td>binary_classification")
                .contains("<td>0.7</td>").contains("v:a, v:b");
        // A version without monitoring tags has no section.
        int plain = fx.version(model, OnnxModels.scaling(2, 2f), Map.of());
        assertThat(http.get("/api/v1/models/" + model + "/versions/" + plain + "/card").json().has("monitoring"))
                .isFalse();
    }
}
