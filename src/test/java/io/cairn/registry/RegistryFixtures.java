package io.cairn.registry;

import io.cairn.HttpJson;
import io.cairn.artifacts.ArtifactLocations;
import io.cairn.artifacts.ArtifactPaths;
import io.cairn.artifacts.ArtifactStore;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import tools.jackson.databind.JsonNode;

/** Builds runs with logged data and stored model files, the lineage registry tests register versions from. */
final class RegistryFixtures {

    static final String MLMODEL = """
            artifact_path: model
            flavors:
              onnx:
                onnx_version: 1.16.0
                data: model.onnx
            signature:
              inputs: '[{"type": "double", "name": "tenure"}, {"type": "double", "name": "monthly_charges"}]'
              outputs: '[{"type": "long", "name": "churn"}]'
            """;

    private final HttpJson http;
    private final ArtifactStore store;
    private final ArtifactLocations locations;

    RegistryFixtures(HttpJson http, ArtifactStore store, ArtifactLocations locations) {
        this.http = http;
        this.store = store;
        this.locations = locations;
    }

    /** A finished run with params, metrics (overall, a slice, a confidence interval), a dataset and model files. */
    String trainedRun() {
        String experimentId = http.post("/api/2.0/mlflow/experiments/create", Map.of("name", "registry-" + UUID.randomUUID()))
                .json().get("experiment_id").asString();
        JsonNode run = http.post("/api/2.0/mlflow/runs/create", Map.of("experiment_id", experimentId, "user_id", "alice",
                "tags", List.of(Map.of("key", "mlflow.note.content", "value", "Predicts churn <monthly>")))).json();
        String runId = run.at("/run/info/run_id").asString();
        http.post("/api/2.0/mlflow/runs/log-batch", Map.of("run_id", runId,
                "params", List.of(Map.of("key", "model_type", "value", "gradient-boosted trees"),
                        Map.of("key", "max_depth", "value", "6")),
                "metrics", List.of(metric("auc", 0.91), metric("auc.ci_lower", 0.89), metric("auc.ci_upper", 0.93),
                        metric("auc/country:DE", 0.87))));
        http.post("/api/2.0/mlflow/runs/log-inputs", Map.of("run_id", runId, "datasets", List.of(Map.of(
                "tags", List.of(Map.of("key", "mlflow.data.context", "value", "training")),
                "dataset", Map.of("name", "churn-2026q1", "digest", "9f8e7d", "source_type", "training_set",
                        "source", "cairn:training-sets/churn-2026q1")))));
        String base = locations.storePath(run.at("/run/info/artifact_uri").asString()).orElseThrow();
        write(ArtifactPaths.join(base, "model/MLmodel"), MLMODEL);
        write(ArtifactPaths.join(base, "model/model.onnx"), "not really onnx");
        return runId;
    }

    void write(String path, String content) {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        store.write(path, new ByteArrayInputStream(bytes), bytes.length);
    }

    String createModel(String name) {
        HttpJson.Response response = http.post("/api/2.0/mlflow/registered-models/create", Map.of("name", name));
        if (response.status() != 200) {
            throw new IllegalStateException(response.body());
        }
        return name;
    }

    JsonNode createVersion(String name, String runId) {
        HttpJson.Response response = http.post("/api/2.0/mlflow/model-versions/create",
                Map.of("name", name, "source", "runs:/" + runId + "/model", "run_id", runId));
        if (response.status() != 200) {
            throw new IllegalStateException(response.body());
        }
        return response.json().get("model_version");
    }

    private static Map<String, Object> metric(String key, double value) {
        return Map.of("key", key, "value", value, "timestamp", 1_700_000_000_000L, "step", 0);
    }
}
