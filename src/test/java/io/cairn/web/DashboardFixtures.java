package io.cairn.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.HttpJson;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Experiments, runs and artifacts made through the MLflow REST API, as a training script would. */
final class DashboardFixtures {

    private final HttpJson http;

    DashboardFixtures(HttpJson http) {
        this.http = http;
    }

    String experiment(String name) {
        HttpJson.Response r = http.post("/api/2.0/mlflow/experiments/create", Map.of("name", name));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().get("experiment_id").asString();
    }

    /** A finished run with the given name, params, tags and latest metrics; returns its id. */
    String run(String experimentId, String name, long startTime, Map<String, String> params, Map<String, String> tags,
               Map<String, Double> metrics) {
        HttpJson.Response created = http.post("/api/2.0/mlflow/runs/create", Map.of("experiment_id", experimentId,
                "start_time", startTime, "run_name", name));
        assertThat(created.status()).as(created.body()).isEqualTo(200);
        String runId = created.json().at("/run/info/run_id").asString();
        List<Map<String, Object>> metricList = new ArrayList<>();
        metrics.forEach((k, v) -> metricList.add(Map.of("key", k, "value", v, "timestamp", startTime, "step", 0)));
        HttpJson.Response logged = http.post("/api/2.0/mlflow/runs/log-batch", Map.of("run_id", runId,
                "metrics", metricList, "params", keyValues(params), "tags", keyValues(tags)));
        assertThat(logged.status()).as(logged.body()).isEqualTo(200);
        HttpJson.Response finished = http.post("/api/2.0/mlflow/runs/update", Map.of("run_id", runId,
                "status", "FINISHED", "end_time", startTime + 65_000));
        assertThat(finished.status()).as(finished.body()).isEqualTo(200);
        return runId;
    }

    /** Logs {@code points} steps of a metric (value = f(step)) in batches of 1000, MLflow's limit. */
    void history(String runId, String key, int points, java.util.function.LongToDoubleFunction value) {
        for (int start = 0; start < points; start += 1000) {
            List<Map<String, Object>> batch = new ArrayList<>();
            for (long step = start; step < Math.min(points, start + 1000); step++) {
                batch.add(Map.of("key", key, "value", value.applyAsDouble(step), "timestamp",
                        1_700_000_000_000L + step, "step", step));
            }
            HttpJson.Response r = http.post("/api/2.0/mlflow/runs/log-batch", Map.of("run_id", runId,
                    "metrics", batch));
            assertThat(r.status()).as(r.body()).isEqualTo(200);
        }
    }

    /** Uploads a file into the run's artifacts through the artifact proxy. */
    void artifact(String experimentId, String runId, String path, byte[] content) {
        HttpJson.Response r = http.send(HttpRequest.newBuilder(URI.create(http.base()
                        + "/api/2.0/mlflow-artifacts/artifacts/" + experimentId + "/" + runId + "/artifacts/" + path))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(content)));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }

    private static List<Map<String, String>> keyValues(Map<String, String> values) {
        return values.entrySet().stream().map(e -> Map.of("key", e.getKey(), "value", e.getValue())).toList();
    }
}
