package io.cairn.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.HttpJson;
import io.cairn.HttpJson.Response;
import io.cairn.IntegrationTest;
import io.cairn.artifacts.ArtifactLocations;
import io.cairn.artifacts.ArtifactPaths;
import io.cairn.artifacts.ArtifactStore;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/**
 * The card's lineage as MLflow's clients leave it: owners from the {@code mlflow.user} tag, dataset sources shown
 * readably, and a refresh that catches a card up with what was logged to its run after it was made.
 */
@IntegrationTest
class ModelCardLineageIT {

    @LocalServerPort
    int port;

    @Autowired
    ArtifactStore store;

    @Autowired
    ArtifactLocations locations;

    HttpJson http;
    RegistryFixtures fixtures;
    String name;

    @BeforeEach
    void setUp() {
        http = new HttpJson("http://127.0.0.1:" + port);
        fixtures = new RegistryFixtures(http, store, locations);
        name = "lineage-card-" + UUID.randomUUID().toString().substring(0, 8);
        fixtures.createModel(name);
    }

    @Test
    void ownersComeFromTheMlflowUserTagAsMlflowClientsSetIt() {
        // The way mlflow.start_run() creates a run: the user in the mlflow.user tag, user_id left out.
        String experiment = http.post("/api/2.0/mlflow/experiments/create", Map.of("name", "exp-" + UUID.randomUUID()))
                .json().get("experiment_id").asString();
        JsonNode run = http.post("/api/2.0/mlflow/runs/create", Map.of("experiment_id", experiment,
                "tags", List.of(Map.of("key", "mlflow.user", "value", "dora")))).json();
        String runId = run.at("/run/info/run_id").asString();
        String base = locations.storePath(run.at("/run/info/artifact_uri").asString()).orElseThrow();
        fixtures.write(ArtifactPaths.join(base, "model/MLmodel"), RegistryFixtures.MLMODEL);
        fixtures.write(ArtifactPaths.join(base, "model/model.onnx"), "not really onnx");
        fixtures.createVersion(name, runId);

        JsonNode card = http.get(cardPath()).json().get("card");
        assertThat(card.at("/model_details/owners")).hasSize(1);
        assertThat(card.at("/model_details/owners/0/name").asString()).isEqualTo("dora");
    }

    @Test
    void aRefreshFillsWhatWasLoggedLaterKeepsHumanEditsAndShowsSourcesReadably() {
        String runId = fixtures.trainedRun();
        fixtures.createVersion(name, runId);
        Response edited = http.send(HttpRequest.newBuilder(URI.create(http.base() + cardPath()))
                .header("Content-Type", "application/merge-patch+json").header("X-Cairn-User", "carol")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(
                        "{\"model_details\": {\"overview\": \"Written by carol\"}}")));
        assertThat(edited.json().get("revision").asInt()).isEqualTo(2);

        // After the card was made: a saved training set and an S3 dataset are logged to the run, a metric, and
        // the run's note and user change.
        String setId = savedTrainingSetLoggedTo(runId);
        http.post("/api/2.0/mlflow/runs/log-inputs", Map.of("run_id", runId, "datasets", List.of(Map.of(
                "tags", List.of(Map.of("key", "mlflow.data.context", "value", "eval")),
                "dataset", Map.of("name", "holdout", "digest", "abc123", "source_type", "s3",
                        "source", "{\"uri\": \"s3://bucket/holdout.parquet\"}")))));
        http.post("/api/2.0/mlflow/runs/log-metric", Map.of("run_id", runId, "key", "f1", "value", 0.8,
                "timestamp", 1_700_000_000_000L, "step", 0));
        http.post("/api/2.0/mlflow/runs/set-tag", Map.of("run_id", runId, "key", "mlflow.note.content",
                "value", "A newer note"));
        http.post("/api/2.0/mlflow/runs/set-tag", Map.of("run_id", runId, "key", "mlflow.user", "value", "bob"));
        assertThat(http.get(cardPath()).json().at("/card/model_parameters/data")).hasSize(1);

        Response refreshed = refresh();
        assertThat(refreshed.status()).as(refreshed.body()).isEqualTo(200);
        assertThat(refreshed.json().get("revision").asInt()).isEqualTo(3);
        assertThat(refreshed.json().get("author").asString()).isEqualTo("erin");
        JsonNode card = refreshed.json().get("card");
        JsonNode data = card.at("/model_parameters/data");
        assertThat(data).hasSize(3);
        assertThat(data.toString()).contains("holdout").contains("cairn:/api/v1/training-sets/" + setId);
        assertThat(card.at("/quantitative_analysis/performance_metrics").toString()).contains("\"f1\"");
        // Carol's overview stays; the owner, never edited, follows the run's mlflow.user tag.
        assertThat(card.at("/model_details/overview").asString()).isEqualTo("Written by carol");
        assertThat(card.at("/model_details/owners/0/name").asString()).isEqualTo("bob");

        JsonNode events = http.get("/api/v1/audit?entity_type=model_card&entity_id=" + name + "/1").json()
                .get("events");
        JsonNode last = events.get(events.size() - 1);
        assertThat(last.get("action").asString()).isEqualTo("refresh");
        assertThat(last.get("actor").asString()).isEqualTo("erin");

        // Nothing new in the lineage: no new revision.
        assertThat(refresh().json().get("revision").asInt()).isEqualTo(3);
        assertThat(http.get(cardPath() + "/revisions").json().get("revisions")).hasSize(3);

        // The page shows the sources, not MLflow's JSON: the training set by name with a link, the S3 URI as text.
        Response page = http.get(cardPath() + ".html");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).contains("<a href=\"/features/training-sets/" + setId + "\">training set ")
                .contains("s3://bucket/holdout.parquet")
                .doesNotContain("{&#34;uri").doesNotContain("&quot;uri").doesNotContain("{\"uri");

        assertThat(http.post("/api/v1/models/" + name + "/versions/9/card/refresh", "").status()).isEqualTo(404);
        assertThat(http.post("/api/v1/models/" + name + "/versions/x/card/refresh", "").status()).isEqualTo(400);
    }

    private Response refresh() {
        return http.send(HttpRequest.newBuilder(URI.create(http.base() + cardPath() + "/refresh"))
                .header("X-Cairn-User", "erin").POST(HttpRequest.BodyPublishers.noBody()));
    }

    /** A one-row training set, saved and logged to the run; returns its id. */
    private String savedTrainingSetLoggedTo(String runId) {
        String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        String entity = "card_driver_" + suffix;
        String view = "card_stats_" + suffix;
        assertThat(http.send(put("/api/v1/entities/" + entity, "{\"join_key\": \"driver_id\", \"value_type\": \"INT64\"}"))
                .status()).isEqualTo(201);
        assertThat(http.send(put("/api/v1/feature-views/" + view, "{\"entities\": [\"" + entity + "\"], \"features\": "
                + "[{\"name\": \"conv_rate\", \"type\": \"FLOAT64\"}]}")).status()).isEqualTo(201);
        http.post("/api/v1/feature-views/" + view + "/rows", "{\"rows\": [{\"driver_id\": 7, \"event_timestamp\": "
                + "\"2026-01-01T00:00:00Z\", \"conv_rate\": 0.5}]}");
        String setName = "card-set-" + suffix;
        Response saved = http.post("/api/v1/training-sets", "{\"features\": [\"" + view + ":conv_rate\"], "
                + "\"entity_rows\": [{\"driver_id\": 7, \"event_timestamp\": \"2026-01-02T00:00:00Z\", \"y\": 1}], "
                + "\"save_as\": \"" + setName + "\"}");
        assertThat(saved.status()).as(saved.body()).isEqualTo(201);
        Response logged = http.post("/api/v1/training-sets/" + setName + "/log-to-run", Map.of("run_id", runId));
        assertThat(logged.status()).as(logged.body()).isEqualTo(200);
        return http.get("/api/v1/training-sets/" + setName).json().get("id").asString();
    }

    private HttpRequest.Builder put(String path, String body) {
        return HttpRequest.newBuilder(URI.create(http.base() + path)).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(body));
    }

    private String cardPath() {
        return "/api/v1/models/" + name + "/versions/1/card";
    }
}
