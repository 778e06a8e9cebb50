import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;

/**
 * Load generator for Cairn's model serving (issue #5). Single file; needs ONNX Runtime, tribuo-util-onnx (the ONNX
 * protobuf classes) and protobuf-java on the class path. bench/serving.sh launches it with the source launcher:
 *
 * <pre>CLASSPATH=onnxruntime.jar:tribuo-util-onnx.jar:protobuf-java.jar java bench/ServingBench.java</pre>
 *
 * (the class path goes in the environment, not on the command line: ONNX Runtime 1.29's native start-up crashes when
 * the process command line is longer than about 4 KB).
 *
 * <p>It builds an MLP in Java (FP32 [batch, IN] → MatMul/Add/Relu ×2 → [batch, OUT], fixed seed), uploads it through
 * the artifact proxy, registers it, points alias {@code bench} at it and creates two deployments of it: unbatched
 * ({@code max_batch_size} 1) and batched ({@code BATCH} rows, {@code DELAY_MS}). In the same run it opens the same model
 * in-process with the server's default session options and measures:
 * <ol>
 *   <li>latency at concurrency 1: one-row requests, {@code LATENCY_REQUESTS} each, in-process ORT vs /v2 infer on
 *       both deployments; overhead = HTTP minus in-process, at p50 and p99;</li>
 *   <li>concurrency {@code CLIENTS}: the same for {@code DURATION_S} s (after {@code WARMUP_S}), with throughput;</li>
 *   <li>ORT alone running full batches of {@code BATCH} rows on {@code ORT_BATCH_THREADS} threads (default: one per
 *       core, as many batches as the server runs of one model at a time), in rows/s, against the batched
 *       deployment's throughput.</li>
 * </ol>
 * HTTP is spoken over plain keep-alive sockets with pre-encoded requests, so the client adds next to nothing to the
 * measured latency. Every response is checked (status 200; the first one per deployment against the in-process output,
 * bit for bit).
 */
public class ServingBench {

    record Config(String baseUrl, int in, int hidden, int out, int latencyRequests, int clients, int durationS,
                  int warmupS, int batch, int delayMs, long serverPid, int ortBatchThreads, boolean binary) {

        static Config fromEnv() {
            return new Config(env("BASE_URL", "http://127.0.0.1:5079"), intEnv("IN", 64), intEnv("HIDDEN", 256),
                    intEnv("OUT", 8), intEnv("LATENCY_REQUESTS", 5000), intEnv("CLIENTS", 16), intEnv("DURATION_S", 15),
                    intEnv("WARMUP_S", 5), intEnv("BATCH", 32), intEnv("DELAY_MS", 2),
                    Long.parseLong(env("SERVER_PID", "0")), intEnv("ORT_BATCH_THREADS", Runtime.getRuntime().availableProcessors()),
                    env("BINARY", "0").equals("1"));
        }

        private static String env(String name, String def) {
            String v = System.getenv(name);
            return v == null || v.isBlank() ? def : v.trim();
        }

        private static int intEnv(String name, int def) {
            return Integer.parseInt(env(name, Integer.toString(def)));
        }
    }

    /** USER_HZ: the unit of /proc CPU times (100 on Linux). */
    static final double CLOCK_TICKS = 100;

    private final Config cfg;
    private final List<String> summary = new ArrayList<>();
    private final List<String> otherCpu = new ArrayList<>();
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private OrtSession session;
    private String host;
    private int port;

    ServingBench(Config cfg) {
        this.cfg = cfg;
        URI base = URI.create(cfg.baseUrl());
        this.host = base.getHost();
        this.port = base.getPort();
    }

    public static void main(String[] args) {
        ServingBench bench = new ServingBench(Config.fromEnv());
        try {
            bench.run();
        } catch (Throwable t) {
            System.out.flush();
            System.err.println();
            System.err.println("BENCH FAILED: " + t);
            t.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }

    void run() throws Exception {
        System.out.printf(Locale.ROOT, "ServingBench: server %s, ONNX Runtime %s%n  %s%n  client JVM %s, %d processors%n",
                cfg.baseUrl(), env.getVersion(), cfg, System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors());
        byte[] model = mlp(cfg.in(), cfg.hidden(), cfg.out(), 5);
        System.out.printf(Locale.ROOT, "model: MLP FP32 [batch, %d] -> %d -> Relu -> %d -> Relu -> %d (%.1f MB)%n",
                cfg.in(), cfg.hidden(), cfg.hidden(), cfg.out(), model.length / 1e6);
        String unbatched = "bench-unbatched";
        String batched = "bench-batched";
        deploy(model, unbatched, batched);
        session = env.createSession(model, serverOptions());

        Random random = new Random(11);
        float[][] inputs = new float[256][];
        byte[][] bodies = new byte[inputs.length][];
        for (int i = 0; i < inputs.length; i++) {
            inputs[i] = new float[cfg.in()];
            for (int k = 0; k < cfg.in(); k++) {
                inputs[i][k] = (float) random.nextGaussian();
            }
            bodies[i] = body(inputs[i]);
        }
        for (String d : List.of(unbatched, batched)) {
            try (Conn c = new Conn()) {
                String response = new String(c.post(d, bodies[0]), StandardCharsets.UTF_8);
                float[] served = parseData(response);
                float[] local = ortRun(inputs[0], 1);
                if (!Arrays.equals(served, local)) {
                    throw new IllegalStateException(d + " answered " + Arrays.toString(served) + ", in-process ORT "
                            + Arrays.toString(local));
                }
            }
        }
        System.out.println("check: both deployments answer exactly what the in-process session computes");

        // JIT compilation of the server's request path takes tens of thousands of requests: warm both deployments
        // (and the in-process path) with concurrent traffic before anything is measured.
        System.out.printf(Locale.ROOT, "%n[warm-up] %d s of concurrent requests to both deployments%n", cfg.warmupS());
        warmUp(List.of(unbatched, batched), bodies, inputs);

        // ---- 1. concurrency 1 ----
        System.out.printf(Locale.ROOT, "%n[concurrency 1] %d one-row requests each (after %d warm-up)%n",
                cfg.latencyRequests(), cfg.latencyRequests() / 5);
        long[] ort1 = sequential(cfg.latencyRequests(), i -> ortRun(inputs[i % inputs.length], 1));
        long[] http1 = sequentialHttp(unbatched, bodies);
        long[] http1b = sequentialHttp(batched, bodies);
        Stats o1 = new Stats(ort1), h1 = new Stats(http1), b1 = new Stats(http1b);
        o1.print("in-process ORT");
        h1.print("HTTP /v2 unbatched");
        b1.print("HTTP /v2 batched (lone requests)");
        System.out.printf(Locale.ROOT, "  overhead unbatched: p50 %.3f ms, p99 %.3f ms; batched: p50 %.3f ms, p99 %.3f ms%n",
                h1.p(0.5) - o1.p(0.5), h1.p(0.99) - o1.p(0.99), b1.p(0.5) - o1.p(0.5), b1.p(0.99) - o1.p(0.99));
        summary.add(String.format(Locale.ROOT, "| c=1 latency p50 / p99: in-process ORT | %.3f / %.3f ms |",
                o1.p(0.5), o1.p(0.99)));
        summary.add(String.format(Locale.ROOT, "| c=1 latency p50 / p99: /v2 infer, unbatched | %.3f / %.3f ms |",
                h1.p(0.5), h1.p(0.99)));
        summary.add(String.format(Locale.ROOT, "| c=1 overhead p50 / p99 (unbatched − in-process) | **%.3f** / %.3f ms |",
                h1.p(0.5) - o1.p(0.5), h1.p(0.99) - o1.p(0.99)));
        summary.add(String.format(Locale.ROOT, "| c=1 overhead p50 / p99, batched deployment (lone requests) | %.3f / %.3f ms |",
                b1.p(0.5) - o1.p(0.5), b1.p(0.99) - o1.p(0.99)));

        // ---- 2. concurrency CLIENTS ----
        int c = cfg.clients();
        System.out.printf(Locale.ROOT, "%n[concurrency %d] one-row requests, warm-up %d s, measure %d s%n", c,
                cfg.warmupS(), cfg.durationS());
        Window ortC = window("in-process ORT c=" + c, c, worker -> {
            int[] i = {worker * 7};
            return () -> ortRun(inputs[(i[0]++) % inputs.length], 1);
        });
        Window httpC = window("HTTP unbatched c=" + c, c, worker -> httpWorker(unbatched, bodies, worker));
        Window batchC = window("HTTP batched c=" + c, c, worker -> httpWorker(batched, bodies, worker));
        summary.add(String.format(Locale.ROOT, "| c=%d latency p50 / p99: in-process ORT (%d threads) | %.3f / %.3f ms |",
                c, c, ortC.stats.p(0.5), ortC.stats.p(0.99)));
        summary.add(String.format(Locale.ROOT, "| c=%d latency p50 / p99: /v2 infer, unbatched | %.3f / %.3f ms |",
                c, httpC.stats.p(0.5), httpC.stats.p(0.99)));
        summary.add(String.format(Locale.ROOT, "| c=%d overhead p50 / p99 (unbatched − in-process) | %.3f / %.3f ms |",
                c, httpC.stats.p(0.5) - ortC.stats.p(0.5), httpC.stats.p(0.99) - ortC.stats.p(0.99)));
        summary.add(String.format(Locale.ROOT, "| c=%d latency p50 / p99: /v2 infer, batched | %.3f / %.3f ms |",
                c, batchC.stats.p(0.5), batchC.stats.p(0.99)));

        // ---- 3. ORT alone on full batches ----
        int rows = cfg.batch();
        System.out.printf(Locale.ROOT, "%n[ORT alone] full batches of %d rows on %d thread(s), warm-up %d s, measure %d s%n",
                rows, cfg.ortBatchThreads(), cfg.warmupS(), cfg.durationS());
        float[] full = new float[rows * cfg.in()];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(inputs[r % inputs.length], 0, full, r * cfg.in(), cfg.in());
        }
        Window ortFull = window("ORT alone, batches of " + rows, cfg.ortBatchThreads(), worker -> () -> ortRun(full, rows));
        double ortRows = ortFull.rate * rows;
        System.out.printf(Locale.ROOT, "  ORT alone: %,.0f rows/s%n", ortRows);
        summary.add(String.format(Locale.ROOT, "| c=%d throughput: in-process ORT, one row per call | %,.0f rows/s |",
                c, ortC.rate));
        summary.add(String.format(Locale.ROOT, "| c=%d throughput: /v2 infer, unbatched | %,.0f rows/s |", c, httpC.rate));
        summary.add(String.format(Locale.ROOT, "| c=%d throughput: /v2 infer, batched (max %d, %d ms) | %,.0f rows/s |",
                c, rows, cfg.delayMs(), batchC.rate));
        summary.add(String.format(Locale.ROOT, "| ORT alone, full batches of %d, %d thread(s) | %,.0f rows/s |", rows,
                cfg.ortBatchThreads(), ortRows));
        summary.add(String.format(Locale.ROOT, "| batched / ORT alone | **%.0f%%** (batched / unbatched %.2fx) |",
                100 * batchC.rate / ortRows, batchC.rate / httpC.rate));
        printBatchSizes(batched);

        System.out.println();
        System.out.println("==================== SUMMARY (markdown) ====================");
        System.out.println("| Measurement | Result |");
        System.out.println("|---|---|");
        summary.forEach(System.out::println);
        if (!otherCpu.isEmpty()) {
            System.out.println("| CPU used by other processes during the measured windows | "
                    + String.join(", ", otherCpu) + " |");
        }
        System.out.println("=============================================================");
        session.close();
    }

    // ---- measurements ----------------------------------------------------------------------------------------------

    interface Call {
        void run() throws Exception;
    }

    interface IndexedCall {
        void run(int i) throws Exception;
    }

    interface WorkerFactory {
        Call create(int worker) throws Exception;
    }

    void warmUp(List<String> deployments, byte[][] bodies, float[][] inputs) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        long end = System.nanoTime() + Duration.ofSeconds(cfg.warmupS()).toNanos();
        List<Future<Long>> workers = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
            int worker = w;
            workers.add(pool.submit(() -> {
                long n = 0;
                if (worker == 3) {
                    while (System.nanoTime() < end) {
                        ortRun(inputs[(int) (n++ % inputs.length)], 1);
                    }
                    return n;
                }
                try (Conn c = new Conn()) {
                    while (System.nanoTime() < end) {
                        c.post(deployments.get((int) (n % deployments.size())), bodies[(int) (n++ % bodies.length)]);
                    }
                }
                return n;
            }));
        }
        long requests = 0;
        for (int w = 0; w < 3; w++) {
            requests += workers.get(w).get();
        }
        workers.get(3).get();
        pool.shutdown();
        System.out.printf(Locale.ROOT, "  %,d requests%n", requests);
    }

    long[] sequential(int n, IndexedCall call) throws Exception {
        for (int i = 0; i < n / 5; i++) {
            call.run(i);
        }
        long[] latencies = new long[n];
        for (int i = 0; i < n; i++) {
            long start = System.nanoTime();
            call.run(i);
            latencies[i] = System.nanoTime() - start;
        }
        return latencies;
    }

    long[] sequentialHttp(String deployment, byte[][] bodies) throws Exception {
        try (Conn c = new Conn()) {
            return sequential(cfg.latencyRequests(), i -> c.post(deployment, bodies[i % bodies.length]));
        }
    }

    interface ClosingCall extends Call, Closeable {
    }

    Call httpWorker(String deployment, byte[][] bodies, int worker) throws IOException {
        Conn c = new Conn();
        int[] i = {worker * 7};
        return new ClosingCall() {
            @Override
            public void run() throws IOException {
                c.post(deployment, bodies[(i[0]++) % bodies.length]);
            }

            @Override
            public void close() throws IOException {
                c.close();
            }
        };
    }

    record Window(Stats stats, double rate) {
    }

    /** Runs {@code workers} threads back to back: warm-up, then a measured window; rate is calls per second. */
    Window window(String phase, int workers, WorkerFactory factory) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        long warmEnd = System.nanoTime() + Duration.ofSeconds(cfg.warmupS()).toNanos();
        long measureEnd = warmEnd + Duration.ofSeconds(cfg.durationS()).toNanos();
        CpuMeter cpu = new CpuMeter(phase);
        List<Future<long[]>> results = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            int worker = w;
            results.add(pool.submit(() -> {
                Call call = factory.create(worker);
                long[] latencies = new long[1 << 16];
                int n = 0;
                while (true) {
                    long start = System.nanoTime();
                    if (start >= measureEnd) {
                        break;
                    }
                    call.run();
                    long end = System.nanoTime();
                    if (start >= warmEnd && end <= measureEnd) {
                        if (n == latencies.length) {
                            latencies = Arrays.copyOf(latencies, n * 2);
                        }
                        latencies[n++] = end - start;
                    }
                }
                if (call instanceof Closeable closeable) {
                    closeable.close();
                }
                return Arrays.copyOf(latencies, n);
            }));
        }
        while (System.nanoTime() < warmEnd) {
            Thread.sleep(10);
        }
        cpu.begin();
        while (System.nanoTime() < measureEnd) {
            Thread.sleep(10);
        }
        long[] used = cpu.end();
        List<long[]> all = new ArrayList<>();
        for (Future<long[]> f : results) {
            all.add(f.get());
        }
        pool.shutdown();
        long[] merged = all.stream().flatMapToLong(Arrays::stream).toArray();
        Stats stats = new Stats(merged);
        double rate = merged.length / (double) cfg.durationS();
        stats.print(phase);
        System.out.printf(Locale.ROOT, "    %,.0f calls/s", rate);
        if (used != null && merged.length > 0) {
            double tickUs = 1e6 / CLOCK_TICKS;
            System.out.printf(Locale.ROOT, "; CPU per call: server %.0f us, PostgreSQL %.0f us, load generator %.0f us",
                    used[0] * tickUs / merged.length, used[1] * tickUs / merged.length, used[2] * tickUs / merged.length);
        }
        System.out.println();
        return new Window(stats, rate);
    }

    /** Latency percentiles of nanosecond samples (HdrHistogram, three significant digits: within 0.1 %). */
    static final class Stats {
        final Histogram latencies = new Histogram(3);

        Stats(long[] nanos) {
            for (long v : nanos) {
                latencies.recordValue(v);
            }
        }

        /** The latency at quantile {@code q} (0 to 1), in ms. */
        double p(double q) {
            return latencies.getTotalCount() == 0 ? Double.NaN : latencies.getValueAtPercentile(q * 100) / 1e6;
        }

        void print(String what) {
            System.out.printf(Locale.ROOT, "  %-36s n=%,d  p50 %.3f ms  p90 %.3f ms  p99 %.3f ms  max %.3f ms%n", what,
                    latencies.getTotalCount(), p(0.5), p(0.9), p(0.99), p(1));
        }
    }

    // ---- ONNX Runtime in-process -------------------------------------------------------------------------------------

    /** The options the server's sessions get by default (cairn.serving.session.*). */
    static OrtSession.SessionOptions serverOptions() throws Exception {
        OrtSession.SessionOptions o = new OrtSession.SessionOptions();
        o.setIntraOpNumThreads(1);
        o.setInterOpNumThreads(1);
        o.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
        o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        o.setCPUArenaAllocator(true);
        o.setMemoryPatternOptimization(true);
        o.addConfigEntry("session.intra_op.allow_spinning", "0");
        o.addConfigEntry("session.inter_op.allow_spinning", "0");
        return o;
    }

    /** What an application embedding ORT does per call: tensor in, run, outputs copied out. */
    float[] ortRun(float[] input, int rows) throws Exception {
        try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(input), new long[] {rows, cfg.in()});
             OrtSession.Result r = session.run(Map.of("input", t))) {
            FloatBuffer b = ((OnnxTensor) r.get(0)).getFloatBuffer();
            float[] out = new float[b.remaining()];
            b.get(out);
            return out;
        }
    }

    static byte[] mlp(int in, int hidden, int out, long seed) {
        Random random = new Random(seed);
        GraphProto.Builder g = GraphProto.newBuilder().setName("bench-mlp")
                .addInput(value("input", in)).addOutput(value("output", out))
                .addInitializer(weights("w1", random, in, hidden)).addInitializer(weights("b1", random, hidden))
                .addInitializer(weights("w2", random, hidden, hidden)).addInitializer(weights("b2", random, hidden))
                .addInitializer(weights("w3", random, hidden, out)).addInitializer(weights("b3", random, out));
        String x = "input";
        for (int layer = 1; layer <= 3; layer++) {
            g.addNode(node("MatMul", "m" + layer, x, "w" + layer));
            String added = layer == 3 ? "output" : "a" + layer;
            g.addNode(node("Add", added, "m" + layer, "b" + layer));
            if (layer < 3) {
                g.addNode(node("Relu", "r" + layer, added));
                x = "r" + layer;
            }
        }
        return ModelProto.newBuilder().setIrVersion(8).setProducerName("cairn-bench")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(13))
                .setGraph(g).build().toByteArray();
    }

    private static NodeProto node(String op, String output, String... inputs) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(output).addOutput(output);
        for (String i : inputs) {
            n.addInput(i);
        }
        return n.build();
    }

    private static ValueInfoProto value(String name, int width) {
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(
                        TensorShapeProto.newBuilder()
                                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("batch"))
                                .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(width))))).build();
    }

    private static TensorProto weights(String name, Random random, int... dims) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE);
        int n = 1;
        for (int d : dims) {
            t.addDims(d);
            n *= d;
        }
        double scale = 1 / Math.sqrt(dims[0]);
        for (int i = 0; i < n; i++) {
            t.addFloatData((float) (random.nextGaussian() * scale));
        }
        return t.build();
    }

    // ---- setup over the API ----------------------------------------------------------------------------------------

    void deploy(byte[] model, String unbatched, String batched) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        String dir = "bench-serving/" + UUID.randomUUID() + "/model";
        send(http, "PUT", "/api/2.0/mlflow-artifacts/artifacts/" + dir + "/model.onnx", model, "application/octet-stream");
        send(http, "PUT", "/api/2.0/mlflow-artifacts/artifacts/" + dir + "/MLmodel",
                "flavors:\n  onnx:\n    data: model.onnx\n".getBytes(StandardCharsets.UTF_8), "application/octet-stream");
        String name = "bench-mlp-" + System.currentTimeMillis();
        send(http, "POST", "/api/2.0/mlflow/registered-models/create", json("{\"name\": \"%s\"}", name), null);
        String created = send(http, "POST", "/api/2.0/mlflow/model-versions/create",
                json("{\"name\": \"%s\", \"source\": \"mlflow-artifacts:/%s\"}", name, dir), null);
        Matcher version = Pattern.compile("\"version\"\\s*:\\s*\"(\\d+)\"").matcher(created);
        if (!version.find()) {
            throw new IllegalStateException("no version in " + created);
        }
        send(http, "POST", "/api/2.0/mlflow/registered-models/alias",
                json("{\"name\": \"%s\", \"alias\": \"bench\", \"version\": \"%s\"}", name, version.group(1)), null);
        String unbatchedState = send(http, "PUT", "/api/v1/deployments/" + unbatched,
                json("{\"model\": \"%s\", \"alias\": \"bench\", \"device\": \"cpu\"}", name), null);
        String batchedState = send(http, "PUT", "/api/v1/deployments/" + batched,
                json("{\"model\": \"%s\", \"alias\": \"bench\", \"device\": \"cpu\", \"max_batch_size\": %d, "
                        + "\"max_queue_delay_ms\": %d}", name, cfg.batch(), cfg.delayMs()), null);
        for (String state : List.of(unbatchedState, batchedState)) {
            if (!state.contains("\"ready\":true")) {
                throw new IllegalStateException("deployment not ready: " + state);
            }
        }
        System.out.printf(Locale.ROOT, "deployed model %s version %s as %s and %s (max_batch_size %d, "
                + "max_queue_delay_ms %d)%n", name, version.group(1), unbatched, batched, cfg.batch(), cfg.delayMs());
    }

    private static byte[] json(String format, Object... args) {
        return String.format(Locale.ROOT, format, args).getBytes(StandardCharsets.UTF_8);
    }

    private String send(HttpClient http, String method, String path, byte[] body, String type) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(cfg.baseUrl() + path))
                .header("Content-Type", type == null ? "application/json" : type)
                .method(method, HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException(method + " " + path + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }

    void printBatchSizes(String deployment) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String scrape = http.send(HttpRequest.newBuilder(URI.create(cfg.baseUrl() + "/actuator/prometheus")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        double sum = metric(scrape, "cairn_inference_batch_size_sum", deployment);
        double count = metric(scrape, "cairn_inference_batch_size_count", deployment);
        System.out.printf(Locale.ROOT, "  batched deployment: %,.0f ORT runs, %.1f requests per run on average%n", count,
                sum / count);
        summary.add(String.format(Locale.ROOT, "| batched deployment: requests per ORT run (mean over the run) | %.1f |",
                sum / count));
    }

    private static double metric(String scrape, String name, String deployment) {
        Matcher m = Pattern.compile("^" + name + "\\{[^}]*deployment=\"" + deployment + "\"[^}]*} (\\S+)$",
                Pattern.MULTILINE).matcher(scrape);
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }

    /** Length of the JSON header of a binary request (the same for every request of one model); -1 for JSON. */
    private int binaryHeaderLength = -1;

    byte[] body(float[] input) {
        if (cfg.binary()) {
            // The protocol's binary tensor data extension: a JSON header, then the raw little-endian floats.
            byte[] header = ("{\"inputs\":[{\"name\":\"input\",\"shape\":[1," + cfg.in()
                    + "],\"datatype\":\"FP32\",\"parameters\":{\"binary_data_size\":" + 4 * input.length + "}}]}")
                    .getBytes(StandardCharsets.UTF_8);
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(header.length + 4 * input.length)
                    .order(java.nio.ByteOrder.LITTLE_ENDIAN);
            b.put(header);
            for (float v : input) {
                b.putFloat(v);
            }
            binaryHeaderLength = header.length;
            return b.array();
        }
        StringBuilder s = new StringBuilder("{\"inputs\":[{\"name\":\"input\",\"shape\":[1,").append(cfg.in())
                .append("],\"datatype\":\"FP32\",\"data\":[");
        for (int i = 0; i < input.length; i++) {
            if (i > 0) {
                s.append(',');
            }
            s.append(input[i]);
        }
        return s.append("]}]}").toString().getBytes(StandardCharsets.UTF_8);
    }

    static float[] parseData(String response) {
        Matcher m = Pattern.compile("\"data\":\\[([^\\]]*)]").matcher(response);
        if (!m.find()) {
            throw new IllegalStateException("no data in " + response);
        }
        String[] parts = m.group(1).split(",");
        float[] out = new float[parts.length];
        for (int i = 0; i < parts.length; i++) {
            out[i] = Float.parseFloat(parts[i]);
        }
        return out;
    }

    // ---- a minimal keep-alive HTTP/1.1 client ----------------------------------------------------------------------

    /**
     * One keep-alive connection; requests are written in one go, responses read by Content-Length. Tomcat closes a
     * connection after 100 requests (server.tomcat.max-keep-alive-requests, left at its default); the client then
     * reconnects at once, inside the timed call that got the last answer, so that cost is in the numbers too.
     */
    final class Conn implements Closeable {
        private Socket socket;
        private OutputStream out;
        private InputStream in;
        private final ByteArrayOutputStream head = new ByteArrayOutputStream(256);

        Conn() throws IOException {
            connect();
        }

        private void connect() throws IOException {
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(host, port), 5000);
            out = socket.getOutputStream();
            in = new BufferedInputStream(socket.getInputStream(), 65536);
        }

        byte[] post(String deployment, byte[] body) throws IOException {
            byte[] headers = ("POST /v2/models/" + deployment + "/infer HTTP/1.1\r\nHost: " + host + ":" + port
                    + (binaryHeaderLength >= 0 ? "\r\nContent-Type: application/octet-stream\r\nInference-Header-Content-Length: "
                    + binaryHeaderLength : "\r\nContent-Type: application/json")
                    + "\r\nContent-Length: " + body.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
            byte[] request = Arrays.copyOf(headers, headers.length + body.length);
            System.arraycopy(body, 0, request, headers.length, body.length);
            out.write(request);
            out.flush();
            head.reset();
            int last4 = 0;
            while (last4 != 0x0d0a0d0a) { // the blank line after the headers
                int b = in.read();
                if (b < 0) {
                    throw new IOException("connection closed");
                }
                head.write(b);
                last4 = (last4 << 8) | b;
            }
            String text = head.toString(StandardCharsets.US_ASCII);
            int length = -1;
            boolean close = false;
            for (String line : text.split("\r\n")) {
                if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                    length = Integer.parseInt(line.substring(15).trim());
                } else if (line.regionMatches(true, 0, "Connection:", 0, 11) && line.toLowerCase(Locale.ROOT).contains("close")) {
                    close = true;
                }
            }
            if (length < 0) {
                throw new IOException("no Content-Length in " + text);
            }
            byte[] response = in.readNBytes(length);
            if (!text.startsWith("HTTP/1.1 200")) {
                throw new IOException(text.lines().findFirst().orElse("") + ": "
                        + new String(response, StandardCharsets.UTF_8));
            }
            if (close) {
                socket.close();
                connect();
            }
            return response;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    // ---- CPU accounting ------------------------------------------------------------------------------------------

    /**
     * Where the machine's CPU went during a measured window (Linux /proc): this bench's processes (the server JVM,
     * this JVM, every PostgreSQL process, which the prediction log writes to) versus interrupts, steal and every
     * other process. "Other" well above zero means something else ran beside the measurement.
     */
    final class CpuMeter {
        private final String phase;
        private long[] cpuStart;
        private Map<Long, Long> oursStart = Map.of();

        CpuMeter(String phase) {
            this.phase = phase;
        }

        void begin() {
            cpuStart = cpuLine();
            oursStart = oursTicks();
        }

        /** Prints where the CPU went; returns the ticks of {server, PostgreSQL, this JVM}, or null without /proc. */
        long[] end() {
            long[] cpuEnd = cpuLine();
            if (cpuStart == null || cpuEnd == null) {
                return null;
            }
            long total = 0;
            long[] d = new long[cpuEnd.length];
            for (int i = 0; i < d.length; i++) {
                d[i] = cpuEnd[i] - cpuStart[i];
                total += d[i];
            }
            if (total <= 0) {
                return null;
            }
            long idle = d[3] + d[4];
            long irq = d[5] + d[6];
            long steal = d.length > 7 ? d[7] : 0;
            long ours = 0;
            long[] byRole = new long[3];
            long me = ProcessHandle.current().pid();
            for (Map.Entry<Long, Long> e : oursTicks().entrySet()) {
                // A process that started inside the window counts from zero; one that ended is lost (rare here).
                long delta = e.getValue() - oursStart.getOrDefault(e.getKey(), 0L);
                ours += delta;
                byRole[e.getKey() == cfg.serverPid() ? 0 : e.getKey() == me ? 2 : 1] += delta;
            }
            long other = Math.max(0, total - idle - irq - steal - ours);
            double t = total / 100.0;
            System.out.printf(Locale.ROOT, "    CPU (%d CPUs = 100%%): busy %.0f%%, this bench %.0f%%, irq %.0f%%, "
                            + "steal %.0f%%, other processes %.0f%%%n", Runtime.getRuntime().availableProcessors(),
                    (total - idle) / t, ours / t, irq / t, steal / t, other / t);
            otherCpu.add(String.format(Locale.ROOT, "%s %.0f%%", phase, other / t));
            if (other / t > 10) {
                System.out.printf(Locale.ROOT, "    WARNING: other processes used %.0f%% of the CPU during %s; the "
                        + "numbers are skewed by concurrent load%n", other / t, phase);
            }
            return byRole;
        }

        /** CPU ticks so far of this JVM, the server and every PostgreSQL process, by pid. */
        private Map<Long, Long> oursTicks() {
            Map<Long, Long> out = new java.util.HashMap<>();
            long me = ProcessHandle.current().pid();
            out.put(me, ticks(me));
            if (cfg.serverPid() > 0) {
                out.put(cfg.serverPid(), ticks(cfg.serverPid()));
            }
            try (var procs = Files.list(Path.of("/proc"))) {
                for (Path p : (Iterable<Path>) procs::iterator) {
                    String name = p.getFileName().toString();
                    if (name.chars().allMatch(Character::isDigit)) {
                        try {
                            if (Files.readString(p.resolve("comm")).trim().equals("postgres")) {
                                out.put(Long.parseLong(name), ticks(Long.parseLong(name)));
                            }
                        } catch (IOException e) {
                            // gone meanwhile
                        }
                    }
                }
            } catch (IOException e) {
                // no /proc: nothing to attribute
            }
            return out;
        }

        private static long[] cpuLine() {
            try {
                String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
                long[] out = new long[Math.min(8, f.length - 1)];
                for (int i = 0; i < out.length; i++) {
                    out[i] = Long.parseLong(f[i + 1]);
                }
                return out;
            } catch (Exception e) {
                return null;
            }
        }

        private static long ticks(long pid) {
            try {
                String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                return Long.parseLong(f[11]) + Long.parseLong(f[12]);
            } catch (Exception e) {
                return 0;
            }
        }
    }
}
