package io.cairn.serving;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.HttpJson;
import io.cairn.HttpJson.Response;
import io.cairn.artifacts.ArtifactStore;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.awaitility.Awaitility;
import tools.jackson.databind.JsonNode;

/**
 * Registers ONNX models in the registry the way a client would (files in the artifact store, a version whose source
 * is their {@code mlflow-artifacts:/} URI, an alias) and deploys them over HTTP. Deletes what it deployed.
 */
public final class ServingFixtures {

    static final String MLMODEL = """
            artifact_path: model
            flavors:
              onnx:
                onnx_version: 1.16.0
                data: model.onnx
              python_function:
                loader_module: mlflow.onnx
                data: model.onnx
            """;

    final HttpJson http;
    private final String base;
    private final ArtifactStore store;
    private final List<String> deployed = new ArrayList<>();

    public ServingFixtures(int port, ArtifactStore store) {
        this.base = "http://127.0.0.1:" + port;
        this.http = new HttpJson(base);
        this.store = store;
    }

    public static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** A registered model with a unique name. */
    public String model(String prefix) {
        String name = unique(prefix);
        Response r = http.post("/api/2.0/mlflow/registered-models/create", Map.of("name", name));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return name;
    }

    /** A new version stored in MLflow's ONNX layout (model/MLmodel + model/model.onnx); returns its number. */
    public int version(String model, byte[] onnx, Map<String, String> tags) {
        String dir = "serving-tests/" + model + "/" + UUID.randomUUID() + "/model";
        write(dir + "/MLmodel", MLMODEL.getBytes(StandardCharsets.UTF_8));
        write(dir + "/model.onnx", onnx);
        return versionFrom(model, "mlflow-artifacts:/" + dir, tags);
    }

    /** A new version of a run (so its lineage reaches the run's datasets), in MLflow's ONNX layout. */
    public int versionOfRun(String model, byte[] onnx, Map<String, String> tags, String runId) {
        return versionOfRun(model, onnx, tags, runId, MLMODEL);
    }

    /** The same with an MLmodel file of the caller's (a signature, say). */
    public int versionOfRun(String model, byte[] onnx, Map<String, String> tags, String runId, String mlmodel) {
        String dir = "serving-tests/" + model + "/" + UUID.randomUUID() + "/model";
        write(dir + "/MLmodel", mlmodel.getBytes(StandardCharsets.UTF_8));
        write(dir + "/model.onnx", onnx);
        List<Map<String, String>> tagList = new ArrayList<>();
        tags.forEach((k, v) -> tagList.add(Map.of("key", k, "value", v)));
        Response r = http.post("/api/2.0/mlflow/model-versions/create", Map.of("name", model, "source",
                "mlflow-artifacts:/" + dir, "run_id", runId, "tags", tagList));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return Integer.parseInt(r.json().at("/model_version/version").asString());
    }

    /** A new version whose source holds the given files (name → bytes), in no particular layout. */
    public int versionWithFiles(String model, Map<String, byte[]> files) {
        String dir = "serving-tests/" + model + "/" + UUID.randomUUID();
        files.forEach((name, bytes) -> write(dir + "/" + name, bytes));
        return versionFrom(model, "mlflow-artifacts:/" + dir, Map.of());
    }

    private int versionFrom(String model, String source, Map<String, String> tags) {
        List<Map<String, String>> tagList = new ArrayList<>();
        tags.forEach((k, v) -> tagList.add(Map.of("key", k, "value", v)));
        Response r = http.post("/api/2.0/mlflow/model-versions/create", Map.of("name", model, "source", source,
                "tags", tagList));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return Integer.parseInt(r.json().at("/model_version/version").asString());
    }

    public void alias(String model, String alias, int version) {
        Response r = http.post("/api/2.0/mlflow/registered-models/alias", Map.of("name", model, "alias", alias,
                "version", String.valueOf(version)));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }

    private void write(String path, byte[] bytes) {
        store.write(path, new ByteArrayInputStream(bytes), bytes.length);
    }

    public Response put(String path, Object body) {
        String json = body instanceof String s ? s : HttpJson.mapper().writeValueAsString(body);
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json)));
    }

    public Response delete(String path) {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).DELETE());
    }

    /** PUTs the deployment (remembered for {@link #cleanUp()}) and returns the answer. */
    public Response deploy(String name, Map<String, Object> body) {
        deployed.add(name);
        return put("/api/v1/deployments/" + name, body);
    }

    /** Deploys {@code model@alias} with the extra settings given and waits until it is ready. */
    public String deployReady(String prefix, String model, String alias, Object... settings) {
        String name = unique(prefix);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("model", model);
        body.put("alias", alias);
        for (int i = 0; i < settings.length; i += 2) {
            body.put((String) settings[i], settings[i + 1]);
        }
        Response r = deploy(name, body);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        await(name, d -> d.at("/state/ready").asBoolean());
        return name;
    }

    /** Polls the deployment until the condition holds (failing after 30 s), and returns the state that held it. */
    public JsonNode await(String name, Predicate<JsonNode> condition) {
        AtomicReference<JsonNode> last = new AtomicReference<>();
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
            Response r = http.get("/api/v1/deployments/" + name);
            last.set(r.json());
            assertThat(r.status() == 200 && condition.test(r.json()))
                    .as("Deployment %s reached the expected state; last: %s", name, r.body()).isTrue();
        });
        return last.get();
    }

    public Response infer(String path, Object body) {
        return http.post(path, body);
    }

    /** A V2 request with one FP32 input of shape [rows, columns]. */
    public static Map<String, Object> fp32(String input, float[][] rows) {
        List<Float> data = new ArrayList<>();
        for (float[] row : rows) {
            for (float v : row) {
                data.add(v);
            }
        }
        return Map.of("inputs", List.of(Map.of("name", input, "shape", List.of(rows.length, rows[0].length),
                "datatype", "FP32", "data", data)));
    }

    public static float[] floats(JsonNode array) {
        float[] out = new float[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = Float.parseFloat(array.get(i).toString());
        }
        return out;
    }

    public void cleanUp() {
        for (String name : deployed) {
            delete("/api/v1/deployments/" + name);
        }
        deployed.clear();
    }
}
