package io.cairn.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnx.proto.OnnxMl.TensorProto;
import io.cairn.HttpJson;
import io.cairn.HttpJson.Response;
import io.cairn.serving.OnnxModels;
import io.cairn.serving.ServingFixtures;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

/**
 * A monitored regression deployment with a training set behind it, as the drift tests and the dashboard's use it: a
 * feature view of income (normal, mean 50, sd 10), age and segment with {@code rows} rows, a saved training set of
 * them logged to a run, an identity model version of that run tagged with the three features, regression task and
 * label {@code target}, and a deployment of it behind {@code champion}, ready.
 *
 * @param referenceIncome the training set's income values, in entity order, for exact statistics
 */
public record IncomeReference(String view, String trainingSet, String runId, String model, String deployment,
                              double[] referenceIncome) {

    public static IncomeReference create(ServingFixtures fx, HttpJson http, int rows, Random random) {
        String entity = unique("user");
        ok(fx.put("/api/v1/entities/" + entity, Map.of("join_key", "user_id", "value_type", "INT64")), 201);
        String view = unique("u");
        ok(fx.put("/api/v1/feature-views/" + view, Map.of("entities", List.of(entity), "ttl_seconds", 0,
                "features", List.of(Map.of("name", "income", "type", "FLOAT64"),
                        Map.of("name", "age", "type", "FLOAT64"), Map.of("name", "segment", "type", "INT64")))), 201);
        double[] income = new double[rows];
        StringBuilder csv = new StringBuilder("user_id,event_timestamp,income,age,segment\n");
        List<Map<String, Object>> entityRows = new ArrayList<>();
        for (int i = 0; i < rows; i++) {
            income[i] = 50 + 10 * random.nextGaussian();
            csv.append(i + 1).append(",2026-01-01T00:00:00Z,").append(income[i]).append(',')
                    .append(40 + 5 * random.nextGaussian()).append(',').append(random.nextInt(3)).append('\n');
            entityRows.add(Map.of("user_id", i + 1, "event_timestamp", "2026-01-02T00:00:00Z", "target", income[i]));
        }
        ok(http.send(HttpRequest.newBuilder(URI.create(http.base() + "/api/v1/feature-views/" + view + "/rows"))
                .header("Content-Type", "text/csv").POST(HttpRequest.BodyPublishers.ofString(csv.toString()))), 200);
        String trainingSet = unique("train");
        ok(http.post("/api/v1/training-sets", Map.of("features", List.of(view + ":income", view + ":age",
                view + ":segment"), "entity_rows", entityRows, "save_as", trainingSet)), 201);
        String experiment = http.post("/api/2.0/mlflow/experiments/create", Map.of("name", unique("exp"))).json()
                .get("experiment_id").asString();
        String runId = http.post("/api/2.0/mlflow/runs/create", Map.of("experiment_id", experiment)).json()
                .at("/run/info/run_id").asString();
        ok(http.post("/api/v1/training-sets/" + trainingSet + "/log-to-run", Map.of("run_id", runId)), 200);
        String model = fx.model("drift");
        int version = fx.versionOfRun(model, OnnxModels.identity(TensorProto.DataType.FLOAT_VALUE, -1, 3), Map.of(
                "cairn.features", view + ":income," + view + ":age," + view + ":segment",
                "cairn.task", "regression", "cairn.score_output", "y:0", "cairn.label", "target"), runId);
        fx.alias(model, "champion", version);
        String deployment = fx.deployReady("drift", model, "champion");
        return new IncomeReference(view, trainingSet, runId, model, deployment, income);
    }

    static String unique(String prefix) {
        return prefix + "_" + UUID.randomUUID().toString().substring(0, 8).replace('-', '_');
    }

    private static void ok(Response r, int status) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
    }
}
