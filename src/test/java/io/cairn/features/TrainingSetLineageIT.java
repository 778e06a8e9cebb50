package io.cairn.features;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.HttpJson.Response;
import io.cairn.IntegrationTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/** A saved training set becomes a run's dataset input, so a model's lineage reaches the rows it was trained on. */
@IntegrationTest
class TrainingSetLineageIT {

    @LocalServerPort
    int port;

    @Test
    void aSavedSetLoggedToARunShowsUpAsItsDatasetInput() {
        FeatureHttp http = new FeatureHttp(port);
        FeatureFixtures fixtures = new FeatureFixtures(http);
        String driver = fixtures.entity("driver", "driver_id", "INT64");
        String view = fixtures.view("stats", List.of(driver), 0, "conv_rate", "FLOAT64");
        fixtures.rows(view, "{\"rows\": [{\"driver_id\": 7, \"event_timestamp\": \"2026-01-01T00:00:00Z\", "
                + "\"conv_rate\": 0.5}]}");
        String name = FeatureHttp.unique("train");
        Response saved = http.post("/api/v1/training-sets", "{\"features\": [\"" + view + ":conv_rate\"], "
                + "\"entity_rows\": [{\"driver_id\": 7, \"event_timestamp\": \"2026-01-02T00:00:00Z\", \"y\": 1, "
                + "\"weight\": 2, \"ok\": true, \"note\": \"a\"}, {\"driver_id\": 7, \"event_timestamp\": "
                + "\"2026-01-03T00:00:00Z\", \"y\": 0, \"weight\": 0.5, \"ok\": null, \"note\": 3}], "
                + "\"save_as\": \"" + name + "\"}");
        assertThat(saved.status()).as(saved.body()).isEqualTo(201);
        JsonNode meta = http.get("/api/v1/training-sets/" + name).json();

        String experiment = http.post("/api/2.0/mlflow/experiments/create", Map.of("name", FeatureHttp.unique("exp")))
                .json().get("experiment_id").asString();
        String runId = http.post("/api/2.0/mlflow/runs/create", Map.of("experiment_id", experiment)).json()
                .at("/run/info/run_id").asString();
        Response logged = http.post("/api/v1/training-sets/" + name + "/log-to-run", Map.of("run_id", runId));
        assertThat(logged.status()).as(logged.body()).isEqualTo(200);

        JsonNode input = http.get("/api/2.0/mlflow/runs/get?run_id=" + runId).json().at("/run/inputs/dataset_inputs/0");
        assertThat(input.at("/dataset/name").asString()).isEqualTo(name);
        assertThat(input.at("/dataset/digest").asString()).isEqualTo(meta.get("digest").asString().substring(0, 32));
        assertThat(input.at("/dataset/source_type").asString()).isEqualTo("cairn_training_set");
        assertThat(input.at("/dataset/source").asString()).contains("cairn:/api/v1/training-sets/" + meta.get("id").asString());
        assertThat(input.at("/dataset/profile").asString()).isEqualTo("{\"num_rows\":2}");
        assertThat(input.at("/dataset/schema").asString()).contains("{\"type\":\"double\",\"name\":\"conv_rate\"}")
                .contains("{\"type\":\"long\",\"name\":\"driver_id\"}")
                // Carried-through columns are typed by their values: an integer label stays an integer.
                .contains("{\"type\":\"long\",\"name\":\"y\"}")
                .contains("{\"type\":\"double\",\"name\":\"weight\"}")
                .contains("{\"type\":\"boolean\",\"name\":\"ok\"}")
                .contains("{\"type\":\"string\",\"name\":\"note\"}");
        assertThat(input.at("/tags/0/key").asString()).isEqualTo("mlflow.data.context");
        assertThat(input.at("/tags/0/value").asString()).isEqualTo("training");

        assertThat(http.post("/api/v1/training-sets/nope_" + name + "/log-to-run", Map.of("run_id", runId)).status())
                .isEqualTo(404);
        assertThat(http.post("/api/v1/training-sets/" + name + "/log-to-run", Map.of("run_id", "0".repeat(32))).status())
                .isEqualTo(404);
    }

    @Test
    void anIntegerLabelInCsvEntityRowsIsALongInTheMlflowSchema() {
        FeatureHttp http = new FeatureHttp(port);
        FeatureFixtures fixtures = new FeatureFixtures(http);
        String driver = fixtures.entity("driver", "driver_id", "INT64");
        String view = fixtures.view("stats", List.of(driver), 0, "trips", "INT64");
        fixtures.rows(view, "{\"rows\": [{\"driver_id\": 7, \"event_timestamp\": \"2026-01-01T00:00:00Z\", "
                + "\"trips\": 3}]}");
        String name = FeatureHttp.unique("train_csv");
        Response saved = http.postCsv("/api/v1/training-sets?features=" + view + ":trips&save_as=" + name,
                "driver_id,event_timestamp,label,big,zip\n7,2026-01-02T00:00:00Z,1,9223372036854775808,007\n"
                        + "7,2026-01-03T00:00:00Z,,-4,12\n7,2026-01-04T00:00:00Z,0,5,30\n");
        assertThat(saved.status()).as(saved.body()).isEqualTo(201);
        String experiment = http.post("/api/2.0/mlflow/experiments/create", Map.of("name", FeatureHttp.unique("exp")))
                .json().get("experiment_id").asString();
        String runId = http.post("/api/2.0/mlflow/runs/create", Map.of("experiment_id", experiment)).json()
                .at("/run/info/run_id").asString();
        Response logged = http.post("/api/v1/training-sets/" + name + "/log-to-run", Map.of("run_id", runId));
        assertThat(logged.status()).as(logged.body()).isEqualTo(200);
        String schema = http.get("/api/2.0/mlflow/runs/get?run_id=" + runId).json()
                .at("/run/inputs/dataset_inputs/0/dataset/schema").asString();
        assertThat(schema).contains("{\"type\":\"long\",\"name\":\"label\"}")
                .contains("{\"type\":\"long\",\"name\":\"trips\"}")
                // Past a long, and zero-padded codes, are not integers.
                .contains("{\"type\":\"double\",\"name\":\"big\"}")
                .contains("{\"type\":\"string\",\"name\":\"zip\"}");
    }
}
