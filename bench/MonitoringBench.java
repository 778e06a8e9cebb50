import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Load generator for monitoring (issue #15). Single file; needs the ONNX protobuf classes (tribuo-util-onnx,
 * protobuf-java) and the PostgreSQL driver on the class path; bench/monitoring.sh runs it in these modes (MODE):
 * <ul>
 *   <li>{@code setup}: a tabular binary classifier (FP32 [batch, 20] → MatMul, Add, Softmax → [batch, 2]) with the
 *       monitoring tags (task, score output, 20 feature references), registered and deployed as {@code mon-bench};
 *       a feature view {@code bench} of the same 20 features with REFERENCE_ROWS rows, saved as a training set and
 *       named as the deployment's drift reference;</li>
 *   <li>{@code body}: writes a V2 request of ROWS rows to BODY_FILE, for wrk (the script's load generator: a Java
 *       client on these two cores was the bottleneck, at a few hundred requests a second);</li>
 *   <li>{@code load}: the same from Java: CLIENTS threads send V2 requests of ROWS rows back to back for DURATION_S
 *       seconds after WARMUP_S, and it prints the request rate (each response checked for 200);</li>
 *   <li>{@code seed}: sends BUCKET_ROWS rows (one sketch bucket's share of a day of DAY_ROWS predictions) with feature
 *       0 shifted, through the real serving path;</li>
 *   <li>{@code drift}: times GET /drift over the last day, DRIFT_ROUNDS times (after one untimed call that builds the
 *       reference sketches), beside reading the same sketch rows' bytes over JDBC (the floor of any sketch-based
 *       answer), and checks the answer (rows, the shifted feature drifted, the others not).</li>
 * </ul>
 */
public class MonitoringBench {

    static final int FEATURES = 20;
    static final String DEPLOYMENT = "mon-bench";

    static String env(String name, String def) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? def : v;
    }

    static int intEnv(String name, int def) {
        return Integer.parseInt(env(name, Integer.toString(def)));
    }

    static final String BASE = env("BASE_URL", "http://127.0.0.1:5093");
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    public static void main(String[] args) throws Exception {
        switch (env("MODE", "load")) {
            case "setup" -> setup();
            case "load" -> load();
            case "body" -> java.nio.file.Files.writeString(java.nio.file.Path.of(env("BODY_FILE", "body.json")),
                    request(new Random(3), intEnv("ROWS", 1), 0));
            case "seed" -> seed();
            case "drift" -> drift();
            default -> throw new IllegalArgumentException("MODE must be setup, body, load, seed or drift");
        }
    }

    // ---- setup ---------------------------------------------------------------------------------------------------

    static void setup() throws Exception {
        String entity = "bench_entity";
        send("PUT", "/api/v1/entities/" + entity, "{\"join_key\": \"id\", \"value_type\": \"INT64\"}", null);
        StringBuilder features = new StringBuilder();
        for (int f = 0; f < FEATURES; f++) {
            features.append(f == 0 ? "" : ", ").append("{\"name\": \"f").append(f).append("\", \"type\": \"FLOAT64\"}");
        }
        send("PUT", "/api/v1/feature-views/bench", "{\"entities\": [\"" + entity + "\"], \"ttl_seconds\": 0, "
                + "\"features\": [" + features + "]}", null);
        int referenceRows = intEnv("REFERENCE_ROWS", 100_000);
        Random random = new Random(1);
        StringBuilder csv = new StringBuilder("id,event_timestamp");
        for (int f = 0; f < FEATURES; f++) {
            csv.append(",f").append(f);
        }
        csv.append('\n');
        StringBuilder rows = new StringBuilder("[");
        for (int i = 0; i < referenceRows; i++) {
            csv.append(i).append(",2026-01-01T00:00:00Z");
            for (int f = 0; f < FEATURES; f++) {
                csv.append(',').append((float) random.nextGaussian());
            }
            csv.append('\n');
            rows.append(i == 0 ? "" : ",").append("{\"id\": ").append(i)
                    .append(", \"event_timestamp\": \"2026-01-02T00:00:00Z\"}");
        }
        rows.append(']');
        send("POST", "/api/v1/feature-views/bench/rows", csv.toString(), "text/csv");
        StringBuilder refs = new StringBuilder();
        for (int f = 0; f < FEATURES; f++) {
            refs.append(f == 0 ? "" : ",").append("\"bench:f").append(f).append('"');
        }
        send("POST", "/api/v1/training-sets", "{\"features\": [" + refs + "], \"save_as\": \"bench_reference\", "
                + "\"entity_rows\": " + rows + "}", null);

        String dir = "bench-monitoring/" + UUID.randomUUID() + "/model";
        send("PUT", "/api/2.0/mlflow-artifacts/artifacts/" + dir + "/model.onnx", classifier(), "application/octet-stream");
        send("PUT", "/api/2.0/mlflow-artifacts/artifacts/" + dir + "/MLmodel",
                "flavors:\n  onnx:\n    data: model.onnx\n", "application/octet-stream");
        send("POST", "/api/2.0/mlflow/registered-models/create", "{\"name\": \"mon-bench\"}", null);
        StringBuilder featureTag = new StringBuilder();
        for (int f = 0; f < FEATURES; f++) {
            featureTag.append(f == 0 ? "" : ",").append("bench:f").append(f);
        }
        String created = send("POST", "/api/2.0/mlflow/model-versions/create", "{\"name\": \"mon-bench\", "
                + "\"source\": \"mlflow-artifacts:/" + dir + "\", \"tags\": ["
                + "{\"key\": \"cairn.task\", \"value\": \"binary_classification\"}, "
                + "{\"key\": \"cairn.score_output\", \"value\": \"output:1\"}, "
                + "{\"key\": \"cairn.features\", \"value\": \"" + featureTag + "\"}]}", null);
        Matcher version = Pattern.compile("\"version\"\\s*:\\s*\"(\\d+)\"").matcher(created);
        if (!version.find()) {
            throw new IllegalStateException("no version in " + created);
        }
        send("POST", "/api/2.0/mlflow/registered-models/alias", "{\"name\": \"mon-bench\", \"alias\": \"champion\", "
                + "\"version\": \"" + version.group(1) + "\"}", null);
        String state = send("PUT", "/api/v1/deployments/" + DEPLOYMENT, "{\"model\": \"mon-bench\", "
                + "\"alias\": \"champion\", \"device\": \"cpu\"}", null);
        if (!state.contains("\"ready\":true")) {
            throw new IllegalStateException("deployment not ready: " + state);
        }
        send("PUT", "/api/v1/deployments/" + DEPLOYMENT + "/monitoring",
                "{\"reference_training_set\": \"bench_reference\"}", null);
        System.out.printf(Locale.ROOT, "set up: feature view bench (%d features, %,d rows), training set "
                + "bench_reference, deployment %s%n", FEATURES, referenceRows, DEPLOYMENT);
    }

    /** softmax(x · W + b) with fixed random weights: [batch, 20] → [batch, 2]. */
    static byte[] classifier() {
        Random random = new Random(7);
        TensorProto.Builder w = TensorProto.newBuilder().setName("w").addDims(FEATURES).addDims(2)
                .setDataType(TensorProto.DataType.FLOAT_VALUE);
        for (int i = 0; i < FEATURES * 2; i++) {
            w.addFloatData((float) (random.nextGaussian() / Math.sqrt(FEATURES)));
        }
        TensorProto.Builder b = TensorProto.newBuilder().setName("b").addDims(2)
                .setDataType(TensorProto.DataType.FLOAT_VALUE).addFloatData(0).addFloatData(0);
        GraphProto graph = GraphProto.newBuilder().setName("bench-classifier")
                .addInput(value("input", FEATURES)).addOutput(value("output", 2))
                .addInitializer(w).addInitializer(b)
                .addNode(NodeProto.newBuilder().setOpType("MatMul").addInput("input").addInput("w").addOutput("m"))
                .addNode(NodeProto.newBuilder().setOpType("Add").addInput("m").addInput("b").addOutput("logits"))
                .addNode(NodeProto.newBuilder().setOpType("Softmax").addInput("logits").addOutput("output")
                        .addAttribute(AttributeProto.newBuilder().setName("axis").setI(1)
                                .setType(AttributeProto.AttributeType.INT)))
                .build();
        return ModelProto.newBuilder().setIrVersion(8).setProducerName("cairn-bench")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(13))
                .setGraph(graph).build().toByteArray();
    }

    static ValueInfoProto value(String name, int width) {
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(
                        TensorShapeProto.newBuilder()
                                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("batch"))
                                .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(width))))).build();
    }

    // ---- load ----------------------------------------------------------------------------------------------------

    /** A V2 request of {@code rows} rows; feature 0 shifted by {@code shift} standard deviations. */
    static String request(Random random, int rows, double shift) {
        StringBuilder data = new StringBuilder();
        for (int i = 0; i < rows * FEATURES; i++) {
            double v = random.nextGaussian() + (i % FEATURES == 0 ? shift : 0);
            data.append(i == 0 ? "" : ",").append((float) v);
        }
        return "{\"inputs\": [{\"name\": \"input\", \"shape\": [" + rows + ", " + FEATURES + "], \"datatype\": \"FP32\", "
                + "\"data\": [" + data + "]}]}";
    }

    static void load() throws Exception {
        int clients = intEnv("CLIENTS", 8);
        int rows = intEnv("ROWS", 1);
        int warmup = intEnv("WARMUP_S", 5);
        int duration = intEnv("DURATION_S", 20);
        String label = env("LABEL", "?");
        List<byte[]> bodies = new ArrayList<>();
        Random random = new Random(3);
        for (int i = 0; i < 64; i++) {
            bodies.add(request(random, rows, 0).getBytes(StandardCharsets.UTF_8));
        }
        URI uri = URI.create(BASE + "/v2/models/" + DEPLOYMENT + "/infer");
        AtomicBoolean measuring = new AtomicBoolean(false);
        AtomicBoolean stop = new AtomicBoolean(false);
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Future<long[]>> results = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int offset = c;
            results.add(pool.submit(() -> {
                HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                long counted = 0;
                long failed = 0;
                int i = offset;
                while (!stop.get()) {
                    HttpResponse<Void> r = client.send(HttpRequest.newBuilder(uri)
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofByteArray(bodies.get(i++ % bodies.size()))).build(),
                            HttpResponse.BodyHandlers.discarding());
                    if (measuring.get()) {
                        if (r.statusCode() == 200) {
                            counted++;
                        } else {
                            failed++;
                        }
                    }
                }
                return new long[] {counted, failed};
            }));
        }
        Thread.sleep(warmup * 1000L);
        long start = System.nanoTime();
        measuring.set(true);
        Thread.sleep(duration * 1000L);
        measuring.set(false);
        double seconds = (System.nanoTime() - start) / 1e9;
        stop.set(true);
        long ok = 0;
        long failed = 0;
        for (Future<long[]> f : results) {
            long[] r = f.get();
            ok += r[0];
            failed += r[1];
        }
        pool.shutdown();
        if (failed > 0) {
            throw new IllegalStateException(failed + " requests did not answer 200");
        }
        System.out.printf(Locale.ROOT, "RESULT load monitoring=%s rows=%d clients=%d requests/s=%.1f rows/s=%.1f%n",
                label, rows, clients, ok / seconds, ok * rows / seconds);
    }

    // ---- drift ---------------------------------------------------------------------------------------------------

    static void seed() throws Exception {
        int rows = intEnv("BUCKET_ROWS", 10_417);
        Random random = new Random(5);
        int sent = 0;
        while (sent < rows) {
            int n = Math.min(100, rows - sent);
            send("POST", "/v2/models/" + DEPLOYMENT + "/infer", request(random, n, 1.0), null);
            sent += n;
        }
        System.out.printf(Locale.ROOT, "seeded %,d rows through /v2 (feature 0 shifted by one standard deviation)%n",
                sent);
    }

    static void drift() throws Exception {
        int rounds = intEnv("DRIFT_ROUNDS", 9);
        Instant to = Instant.now().plusSeconds(60);
        Instant from = to.minusSeconds(86_400 + 60);
        String path = "/api/v1/deployments/" + DEPLOYMENT + "/drift?from=" + from + "&to=" + to;
        long first = System.nanoTime();
        String answer = send("GET", path, null, null);
        double firstMs = (System.nanoTime() - first) / 1e6;
        check(answer);
        double[] api = new double[rounds];
        double[] raw = new double[rounds];
        long[] bytes = {0};
        long rowsRead = 0;
        try (Connection db = DriverManager.getConnection(env("JDBC_URL", ""), env("PG_USER", "postgres"), "")) {
            for (int r = 0; r < rounds; r++) {
                long t = System.nanoTime();
                send("GET", path, null, null);
                api[r] = (System.nanoTime() - t) / 1e6;
                t = System.nanoTime();
                bytes[0] = 0;
                rowsRead = 0;
                try (PreparedStatement ps = db.prepareStatement("SELECT sketches FROM drift_sketches "
                        + "WHERE deployment = ? AND bucket_start >= ? AND bucket_start < ?")) {
                    ps.setString(1, DEPLOYMENT);
                    ps.setTimestamp(2, Timestamp.from(from.minusSeconds(900)));
                    ps.setTimestamp(3, Timestamp.from(to));
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            bytes[0] += rs.getBytes(1).length;
                            rowsRead++;
                        }
                    }
                }
                raw[r] = (System.nanoTime() - t) / 1e6;
            }
        }
        Arrays.sort(api);
        Arrays.sort(raw);
        System.out.printf(Locale.ROOT, "RESULT drift first-call-ms=%.0f (builds and stores the reference sketches)%n",
                firstMs);
        System.out.printf(Locale.ROOT, "RESULT drift api-ms median=%.0f min=%.0f max=%.0f rounds=%d%n",
                api[rounds / 2], api[0], api[rounds - 1], rounds);
        System.out.printf(Locale.ROOT, "RESULT drift raw-read-ms median=%.0f min=%.0f max=%.0f (%d sketch rows, "
                + "%,d bytes)%n", raw[rounds / 2], raw[0], raw[rounds - 1], rowsRead, bytes[0]);
    }

    /** The answer must cover the seeded day and flag feature 0, and only it. */
    static void check(String answer) {
        Matcher rows = Pattern.compile("\"rows\":(\\d+),\"dataset_drifted\"").matcher(answer);
        if (!rows.find()) {
            throw new IllegalStateException("no rows in the drift answer: " + answer.substring(0, 300));
        }
        Matcher drifted = Pattern.compile("\"name\":\"bench:f(\\d+)\"[^{}]*?\"drifted\":(true|false)").matcher(answer);
        List<String> flagged = new ArrayList<>();
        int features = 0;
        while (drifted.find()) {
            features++;
            if (drifted.group(2).equals("true")) {
                flagged.add("f" + drifted.group(1));
            }
        }
        System.out.printf(Locale.ROOT, "drift answer: %s rows, %d features judged, drifted: %s%n", rows.group(1),
                features, flagged);
        if (features != FEATURES || !flagged.equals(List.of("f0"))) {
            throw new IllegalStateException("expected 20 features with only f0 drifted: " + flagged);
        }
    }

    static String send(String method, String path, Object body, String type) throws Exception {
        HttpRequest.BodyPublisher publisher = body == null ? HttpRequest.BodyPublishers.noBody()
                : body instanceof byte[] bytes ? HttpRequest.BodyPublishers.ofByteArray(bytes)
                : HttpRequest.BodyPublishers.ofString((String) body);
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(BASE + path))
                .header("Content-Type", type == null ? "application/json" : type)
                .method(method, publisher).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException(method + " " + path + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }
}
