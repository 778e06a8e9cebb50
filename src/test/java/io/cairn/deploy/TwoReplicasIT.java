package io.cairn.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cairn.HttpJson;
import io.cairn.HttpJson.Response;
import io.cairn.IntegrationTest;
import io.cairn.TestS3Proxy;
import io.cairn.artifacts.ArtifactStore;
import io.cairn.serving.OnnxModels;
import io.cairn.serving.ServingFixtures;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Two replicas behave as one. Replica A is the shared test context; replica B is a second server process on the same
 * PostgreSQL database, Redis and S3 bucket (the in-JVM S3Proxy), started the way the container image starts it: from
 * the jar's layers as the Dockerfile lays them out, with the image's entry point and {@code JAVA_TOOL_OPTIONS}, its
 * settings as environment variables, and a 1 GiB memory limit emulated with {@code -XX:MaxRAM}. What one replica
 * writes — runs, registry aliases, artifacts, feature definitions and online values — the other reads.
 *
 * <p>Serving too: a deployment made on A is served by B, and an alias moved on either replica is served by the other
 * within 5 s (each replica polls deployments and alias targets every second).
 */
@IntegrationTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class TwoReplicasIT {

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(240);
    /** The memory limit replica B runs under, as a container's would be. */
    private static final long MEMORY_LIMIT = 1024L * 1024 * 1024;
    /** Replica B's cairn.features.online.registry-ttl (default 5 s), shorter so the test waits less. */
    private static final Duration REGISTRY_TTL = Duration.ofSeconds(1);

    @LocalServerPort
    int port;

    @Autowired
    ArtifactStore artifactStore;

    @Autowired
    JdbcClient jdbc;

    // Replica B gets exactly the stores the test context uses.
    @Value("${spring.datasource.url}")
    String datasourceUrl;
    @Value("${spring.datasource.username}")
    String datasourceUser;
    @Value("${spring.datasource.password:}")
    String datasourcePassword;
    @Value("${spring.data.redis.host}")
    String redisHost;
    @Value("${spring.data.redis.port}")
    int redisPort;
    @Value("${cairn.artifacts.root}")
    String artifactRoot;
    @Value("${cairn.artifacts.s3.endpoint}")
    String s3Endpoint;

    /** Replica A, the shared test context. */
    HttpJson a;
    /** Replica B, the second process. */
    HttpJson b;

    private ImageLayout image;
    private Process replicaB;
    private Path work;
    private Map<String, String> replicaBEnvironment;
    private final List<String> featureViews = new ArrayList<>();
    /** Each view's entity, by view name. */
    private final Map<String, String> entities = new LinkedHashMap<>();

    @BeforeAll
    void startReplicaB() throws Exception {
        a = new HttpJson("http://127.0.0.1:" + port);
        work = Path.of("target", "two-replicas-it").toAbsolutePath();
        image = ImageLayout.build(work);
        int portB = freePort();
        Map<String, String> env = new LinkedHashMap<>();
        env.put("SERVER_PORT", String.valueOf(portB));
        env.put("SPRING_DATASOURCE_URL", datasourceUrl);
        env.put("SPRING_DATASOURCE_USERNAME", datasourceUser);
        env.put("SPRING_DATASOURCE_PASSWORD", datasourcePassword);
        env.put("SPRING_DATA_REDIS_HOST", redisHost);
        env.put("SPRING_DATA_REDIS_PORT", String.valueOf(redisPort));
        env.put("CAIRN_ARTIFACTS_ROOT", artifactRoot);
        env.put("CAIRN_ARTIFACTS_S3_ENDPOINT", s3Endpoint);
        env.put("CAIRN_ARTIFACTS_S3_PATH_STYLE_ACCESS", "true");
        env.put("CAIRN_ARTIFACTS_S3_REGION", TestS3Proxy.REGION);
        env.put("AWS_ACCESS_KEY_ID", TestS3Proxy.ACCESS_KEY);
        env.put("AWS_SECRET_ACCESS_KEY", TestS3Proxy.SECRET_KEY);
        env.put("CAIRN_FEATURES_ONLINE_REGISTRY_TTL", REGISTRY_TTL.toSeconds() + "s");
        env.put("JAVA_TOOL_OPTIONS", image.javaToolOptions + " -XX:MaxRAM=" + MEMORY_LIMIT);
        replicaBEnvironment = env;

        ProcessBuilder builder = new ProcessBuilder(image.command()).directory(image.appDirectory.toFile())
                .redirectErrorStream(true).redirectOutput(work.resolve("replica-b.log").toFile());
        // Only what a container would be given: nothing inherited that Spring or the AWS SDK would read.
        builder.environment().keySet().removeIf(k -> k.startsWith("SPRING_") || k.startsWith("CAIRN_")
                || k.startsWith("AWS_") || k.equals("JAVA_TOOL_OPTIONS") || k.equals("SERVER_PORT"));
        builder.environment().putAll(env);
        replicaB = builder.start();
        b = new HttpJson("http://127.0.0.1:" + portB);
        awaitReady();
    }

    @AfterAll
    void stopReplicaB() throws Exception {
        try {
            // Deleting the views also removes their values from the shared Redis.
            for (String view : featureViews) {
                a.send(HttpRequest.newBuilder(URI.create(a.base() + "/api/v1/feature-views/" + view)).DELETE());
                a.send(HttpRequest.newBuilder(URI.create(a.base() + "/api/v1/entities/" + entities.get(view)))
                        .DELETE());
            }
        } finally {
            if (replicaB != null) {
                replicaB.destroy();
                if (!replicaB.waitFor(30, TimeUnit.SECONDS)) {
                    replicaB.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
        }
    }

    // ---- the image's runtime ----------------------------------------------------------------------------------

    @Test
    void replicaBRunsFromTheImageLayersWithItsHeapSizedByTheMemoryLimit() {
        JsonNode heap = b.get("/actuator/metrics/jvm.memory.max?tag=area:heap").json();
        double max = heap.at("/measurements/0/value").asDouble();
        // -XX:MaxRAMPercentage=75 of the limit; G1 rounds to its region size.
        assertThat(max).isBetween(0.70 * MEMORY_LIMIT, 0.76 * MEMORY_LIMIT);

        // The image's HEALTHCHECK command, run as Docker would (sh -c, the container's environment).
        Tools.Result result = Tools.run(List.of("sh", "-c", image.healthCheck), replicaBEnvironment, List.of(), 30);
        assertThat(result.exitCode()).as(image.healthCheck + ": " + result.output()).isZero();
    }

    // ---- tracking ---------------------------------------------------------------------------------------------

    @Test
    void aRunLoggedOnOneReplicaIsReadOnTheOther() {
        String experiment = ok(a.post("/api/2.0/mlflow/experiments/create",
                Map.of("name", "two-replicas-" + UUID.randomUUID()))).get("experiment_id").asString();
        String runId = ok(a.post("/api/2.0/mlflow/runs/create", Map.of("experiment_id", experiment,
                "run_name", "on-a"))).at("/run/info/run_id").asString();
        ok(a.post("/api/2.0/mlflow/runs/log-batch", Map.of("run_id", runId,
                "params", List.of(Map.of("key", "lr", "value", "0.1")),
                "metrics", List.of(metric("auc", 0.91, 1), metric("auc", 0.93, 2)))));

        JsonNode onB = ok(b.get("/api/2.0/mlflow/runs/get?run_id=" + runId)).get("run");
        assertThat(onB.at("/info/run_name").asString()).isEqualTo("on-a");
        assertThat(onB.at("/data/params/0/key").asString()).isEqualTo("lr");
        assertThat(onB.at("/data/params/0/value").asString()).isEqualTo("0.1");
        assertThat(onB.at("/data/metrics/0/value").asDouble()).isEqualTo(0.93);
        JsonNode history = ok(b.get("/api/2.0/mlflow/metrics/get-history?run_id=" + runId + "&metric_key=auc"));
        assertThat(history.get("metrics")).hasSize(2);

        // And back: logged on B, found by a search on A.
        ok(b.post("/api/2.0/mlflow/runs/log-metric", metric("loss", 0.2, 3, runId)));
        ok(b.post("/api/2.0/mlflow/runs/update", Map.of("run_id", runId, "status", "FINISHED")));
        JsonNode found = ok(a.post("/api/2.0/mlflow/runs/search", Map.of("experiment_ids", List.of(experiment),
                "filter", "metrics.loss < 0.5 and attributes.status = 'FINISHED'")));
        assertThat(found.get("runs")).hasSize(1);
        assertThat(found.at("/runs/0/info/run_id").asString()).isEqualTo(runId);
    }

    // ---- registry ---------------------------------------------------------------------------------------------

    @Test
    void anAliasSetOnOneReplicaIsResolvedOnTheOtherAndMovedBack() {
        String runId = runWithModelFiles(a);
        String model = "two-replicas-" + UUID.randomUUID();
        ok(a.post("/api/2.0/mlflow/registered-models/create", Map.of("name", model)));
        createVersion(a, model, runId);
        // The second version is registered through B: its model card is filled from the MLmodel uploaded via A.
        createVersion(b, model, runId);
        setAlias(a, model, "champion", 1);

        assertThat(ok(b.get("/api/2.0/mlflow/registered-models/alias?name=" + model + "&alias=champion"))
                .at("/model_version/version").asString()).isEqualTo("1");
        setAlias(b, model, "champion", 2);
        assertThat(ok(a.get("/api/2.0/mlflow/registered-models/alias?name=" + model + "&alias=champion"))
                .at("/model_version/version").asString()).isEqualTo("2");
        JsonNode card = ok(a.get("/api/v1/models/" + model + "/versions/2/card"));
        assertThat(card.at("/card/model_parameters/input_format").toString()).contains("tenure");
    }

    // ---- serving ----------------------------------------------------------------------------------------------

    @Test
    void anAliasMovedOnOneReplicaIsServedByTheOtherWithinFiveSeconds() {
        ServingFixtures fixtures = new ServingFixtures(port, artifactStore);
        String model = fixtures.model("two-replicas");
        int v1 = fixtures.version(model, OnnxModels.scaling(2, 1f), Map.of());
        int v2 = fixtures.version(model, OnnxModels.scaling(2, 2f), Map.of());
        int v3 = fixtures.version(model, OnnxModels.scaling(2, 3f), Map.of());
        setAlias(a, model, "champion", v1);
        String deployment = fixtures.deployReady("two-replicas", model, "champion");
        String infer = "/v2/models/" + deployment + "/infer";
        Map<String, Object> request = ServingFixtures.fp32("input", new float[][] {{1, 1}});
        try {
            // B learns of the deployment on its poll and loads v1 from S3 itself.
            within(READY_TIMEOUT, () -> servedBy(b, infer, request).equals(String.valueOf(v1)), System.nanoTime());

            long moved = System.nanoTime();
            setAlias(a, model, "champion", v2);
            Duration took = within(Duration.ofSeconds(5),
                    () -> servedBy(b, infer, request).equals(String.valueOf(v2)), moved);
            assertThat(took).isLessThan(Duration.ofSeconds(5));
            assertThat(ok(b.post(infer, request)).at("/outputs/0/data").toString()).isEqualTo("[2.0,2.0]");

            moved = System.nanoTime();
            setAlias(b, model, "champion", v3);
            within(Duration.ofSeconds(5), () -> servedBy(a, infer, request).equals(String.valueOf(v3)), moved);
        } finally {
            fixtures.delete("/api/v1/deployments/" + deployment);
        }
    }

    /**
     * Both replicas run the monitoring evaluation job every minute on the same database: a window that closed two hours
     * ago, with predictions whose accuracy is under the deployment's quality threshold, is evaluated once and raises
     * its event once, however many times the two replicas' jobs come round.
     */
    @Test
    void theMonitoringJobOfTwoReplicasEvaluatesAClosedWindowOnce() throws Exception {
        ServingFixtures fixtures = new ServingFixtures(port, artifactStore);
        String model = fixtures.model("two-replicas-monitored");
        int version = fixtures.version(model, OnnxModels.scaling(2, 1f), Map.of());
        setAlias(a, model, "champion", version);
        String deployment = fixtures.deployReady("two-replicas-monitored", model, "champion");
        try {
            ok(put(b, "/api/v1/deployments/" + deployment + "/monitoring",
                    Map.of("quality", Map.of("metric", "accuracy", "min", 0.5))));
            Instant at = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(2)).plusSeconds(600);
            for (int i = 0; i < 10; i++) {
                UUID id = UUID.randomUUID();
                jdbc.sql("""
                        INSERT INTO monitored_predictions (prediction_id, deployment, model, version, alias, row_count,
                                                           latency_ms, predicted_at, task, scores, predicted)
                        VALUES (:id, :d, :m, :v, 'champion', 1, 1.0, :at, 'binary_classification', '{0.9}', '{1}')""")
                        .param("id", id).param("d", deployment).param("m", model).param("v", version)
                        .param("at", java.sql.Timestamp.from(at.plusSeconds(i))).update();
                // Two of ten answers right: accuracy 0.2, under the threshold.
                jdbc.sql("""
                        INSERT INTO ground_truth (prediction_id, row_index, deployment, value_text, value_number,
                                                  labelled_at, labelled_by)
                        VALUES (:id, 0, :d, :label, CAST(:label AS float8), now(), 'test')""")
                        .param("id", id).param("d", deployment).param("label", i < 2 ? "1" : "0").update();
            }
            String events = "SELECT count(*) FROM monitoring_events WHERE deployment = :d AND kind = 'quality'";
            within(Duration.ofSeconds(150), () -> jdbc.sql(events).param("d", deployment).query(Long.class).single() > 0,
                    System.nanoTime());
            // Still one event after long enough for both replicas' jobs (every minute) to have come round again.
            await().during(Duration.ofSeconds(70)).atMost(Duration.ofSeconds(80)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> jdbc.sql(events).param("d", deployment).query(Long.class).single() == 1);
            assertThat(jdbc.sql("SELECT count(*) FROM quality_history WHERE deployment = :d AND window_start = :w")
                    .param("d", deployment).param("w", java.sql.Timestamp.from(at.truncatedTo(ChronoUnit.HOURS)))
                    .query(Long.class).single()).isEqualTo(1);
            assertThat(ok(b.get("/api/v1/audit?entity_type=deployment&entity_id=" + deployment)).toString())
                    .contains("monitoring-quality");
        } finally {
            fixtures.delete("/api/v1/deployments/" + deployment);
        }
    }

    /** The model version that answered an inference on the given replica, or "" when it did not answer 200. */
    private static String servedBy(HttpJson replica, String infer, Map<String, Object> request) {
        Response r = replica.post(infer, request);
        return r.status() == 200 && r.json() != null && r.json().get("model_version") != null
                ? r.json().get("model_version").asString() : "";
    }

    // ---- artifacts --------------------------------------------------------------------------------------------

    @Test
    void anArtifactUploadedThroughOneReplicaIsDownloadedListedAndDeletedThroughTheOther() {
        byte[] body = new byte[3 * 1024 * 1024 + 17];
        new Random(42).nextBytes(body);
        String dir = "two-replicas/" + UUID.randomUUID();
        String path = "/api/2.0/mlflow-artifacts/artifacts/" + dir + "/weights.bin";
        Response put = a.send(HttpRequest.newBuilder(URI.create(a.base() + path))
                .header("Content-Type", "application/octet-stream").PUT(HttpRequest.BodyPublishers.ofByteArray(body)));
        assertThat(put.status()).as(put.body()).isEqualTo(200);

        Response listed = b.get("/api/2.0/mlflow-artifacts/artifacts?path=" + dir);
        assertThat(ok(listed).at("/files/0/path").asString()).isEqualTo("weights.bin");
        assertThat(ok(listed).at("/files/0/file_size").asLong()).isEqualTo(body.length);
        assertThat(sha256(downloadBytes(b, path))).isEqualTo(sha256(body));

        Response deleted = b.send(HttpRequest.newBuilder(URI.create(b.base() + path)).DELETE());
        assertThat(deleted.status()).isEqualTo(200);
        assertThat(a.get(path).status()).isEqualTo(404);
    }

    // ---- feature store ----------------------------------------------------------------------------------------

    @Test
    void aFeatureViewDefinedAndFilledOnOneReplicaIsReadOnTheOther() {
        String view = featureView(a, "conv_rate", "FLOAT64");
        // Pushed through A, read through B.
        ok(a.post("/push", Map.of("push_source_name", view, "df", Map.of("driver_id", List.of(1, 2),
                "event_timestamp", List.of("2026-03-01T00:00:00Z", "2026-03-01T00:00:00Z"),
                "conv_rate", List.of(0.25, 0.5)))));
        JsonNode read = ok(b.post("/get-online-features", Map.of("features", List.of(view + ":conv_rate"),
                "entities", Map.of("driver_id", List.of(1, 2, 3)))));
        assertThat(read.at("/results/1/values").toString()).isEqualTo("[0.25,0.5,null]");

        // Offline rows written through B, materialized by A, read through B.
        ok(b.post("/api/v1/feature-views/" + view + "/rows", Map.of("rows", List.of(Map.of("driver_id", 3,
                "event_timestamp", "2026-03-02T00:00:00Z", "conv_rate", 0.75)))));
        ok(a.post("/api/v1/materialize", Map.of("feature_views", List.of(view), "start", "2026-03-02T00:00:00Z",
                "end", "2026-03-03T00:00:00Z")));
        JsonNode after = ok(b.post("/get-online-features", Map.of("features", List.of(view + ":conv_rate"),
                "entities", Map.of("driver_id", List.of(3)))));
        assertThat(after.at("/results/1/values").toString()).isEqualTo("[0.75]");
    }

    @Test
    void aFeatureViewChangedOnOneReplicaIsServedByTheOtherWithinTheRegistryTtl() {
        String view = featureView(a, "conv_rate", "FLOAT64");
        // B reads the view once, so it holds the definition in its registry cache.
        ok(b.post("/get-online-features", Map.of("features", List.of(view + ":conv_rate"),
                "entities", Map.of("driver_id", List.of(1)))));

        long changed = System.nanoTime();
        putFeatureView(a, view, List.of(Map.of("name", "conv_rate", "type", "FLOAT64"),
                Map.of("name", "trips", "type", "INT64")));
        ok(a.post("/push", Map.of("push_source_name", view, "df", Map.of("driver_id", List.of(1),
                "event_timestamp", List.of("2026-03-01T00:00:00Z"), "conv_rate", List.of(0.5),
                "trips", List.of(7)))));
        Duration took = within(REGISTRY_TTL.plusSeconds(2), () -> {
            Response r = b.post("/get-online-features", Map.of("features", List.of(view + ":trips"),
                    "entities", Map.of("driver_id", List.of(1))));
            return r.status() == 200 && r.json().at("/results/1/values").toString().equals("[7]");
        }, changed);
        assertThat(took).isLessThanOrEqualTo(REGISTRY_TTL.plusSeconds(2));
    }

    // ---- helpers for this class and the serving tests to come -------------------------------------------------

    /** Points {@code alias} of {@code model} at {@code version}, through the given replica. */
    void setAlias(HttpJson replica, String model, String alias, int version) {
        ok(replica.post("/api/2.0/mlflow/registered-models/alias", Map.of("name", model, "alias", alias,
                "version", String.valueOf(version))));
    }

    /**
     * Polls {@code condition} until it holds, failing after {@code limit} counted from {@code since}
     * ({@link System#nanoTime()}); returns how long it took.
     */
    static Duration within(Duration limit, Supplier<Boolean> condition, long since) {
        Duration left = limit.minusNanos(System.nanoTime() - since);
        await().alias("true within " + limit).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(100))
                .atMost(left.compareTo(Duration.ofMillis(1)) > 0 ? left : Duration.ofMillis(1))
                .until(condition::get);
        return Duration.ofNanos(System.nanoTime() - since);
    }

    private String runWithModelFiles(HttpJson replica) {
        String experiment = ok(replica.post("/api/2.0/mlflow/experiments/create",
                Map.of("name", "two-replicas-model-" + UUID.randomUUID()))).get("experiment_id").asString();
        JsonNode run = ok(replica.post("/api/2.0/mlflow/runs/create", Map.of("experiment_id", experiment))).get("run");
        String artifactUri = run.at("/info/artifact_uri").asString();
        assertThat(artifactUri).startsWith("mlflow-artifacts:/");
        String proxy = "/api/2.0/mlflow-artifacts/artifacts/" + artifactUri.substring("mlflow-artifacts:/".length());
        for (Map.Entry<String, String> file : Map.of("model/MLmodel", """
                artifact_path: model
                flavors:
                  onnx:
                    data: model.onnx
                signature:
                  inputs: '[{"type": "double", "name": "tenure"}]'
                  outputs: '[{"type": "long", "name": "churn"}]'
                """, "model/model.onnx", "not really onnx").entrySet()) {
            Response put = replica.send(HttpRequest.newBuilder(URI.create(replica.base() + proxy + "/" + file.getKey()))
                    .PUT(HttpRequest.BodyPublishers.ofString(file.getValue())));
            assertThat(put.status()).as(put.body()).isEqualTo(200);
        }
        return run.at("/info/run_id").asString();
    }

    private static void createVersion(HttpJson replica, String model, String runId) {
        ok(replica.post("/api/2.0/mlflow/model-versions/create", Map.of("name", model,
                "source", "runs:/" + runId + "/model", "run_id", runId)));
    }

    private String featureView(HttpJson replica, String feature, String type) {
        String entity = "two_replicas_driver_" + UUID.randomUUID().toString().substring(0, 8);
        Response e = put(replica, "/api/v1/entities/" + entity, Map.of("join_key", "driver_id", "value_type", "INT64"));
        assertThat(e.status()).as(e.body()).isEqualTo(201);
        String view = "two_replicas_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        featureViews.add(view);
        entities.put(view, entity);
        putFeatureView(replica, view, List.of(Map.of("name", feature, "type", type)));
        return view;
    }

    private void putFeatureView(HttpJson replica, String view, List<Map<String, String>> features) {
        Response r = put(replica, "/api/v1/feature-views/" + view, Map.of("entities", List.of(entities.get(view)),
                "features", features, "online", true));
        assertThat(r.status()).as(r.body()).isIn(200, 201);
    }

    private static Response put(HttpJson replica, String path, Object body) {
        return replica.send(HttpRequest.newBuilder(URI.create(replica.base() + path))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(HttpJson.mapper().writeValueAsString(body))));
    }

    private static byte[] downloadBytes(HttpJson replica, String path) {
        try {
            java.net.http.HttpResponse<byte[]> response = java.net.http.HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(replica.base() + path)).GET().build(),
                    java.net.http.HttpResponse.BodyHandlers.ofByteArray());
            assertThat(response.statusCode()).isEqualTo(200);
            return response.body();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, Object> metric(String key, double value, long step) {
        return Map.of("key", key, "value", value, "timestamp", System.currentTimeMillis(), "step", step);
    }

    private static Map<String, Object> metric(String key, double value, long step, String runId) {
        Map<String, Object> m = new LinkedHashMap<>(metric(key, value, step));
        m.put("run_id", runId);
        return m;
    }

    private static JsonNode ok(Response response) {
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.json();
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void awaitReady() {
        await().atMost(READY_TIMEOUT).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            if (!replicaB.isAlive()) {
                throw new IllegalStateException("replica B exited during start-up (" + replicaB.exitValue() + "): "
                        + tail());
            }
            assertThat(readiness()).as(() -> "replica B's readiness; its log: " + tail()).contains("\"UP\"");
        });
    }

    /** The readiness answer's body when it is 200, else empty (also while the port is not open yet). */
    private String readiness() {
        try {
            Response ready = b.get("/actuator/health/readiness");
            return ready.status() == 200 ? ready.body() : "";
        } catch (IllegalStateException e) {
            return ""; // connection refused until the port opens
        }
    }

    private String tail() {
        try {
            List<String> lines = Files.readAllLines(work.resolve("replica-b.log"));
            return "\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException | RuntimeException e) {
            return "(no log: " + e + ")";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
