import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;

/**
 * Load generator for what authentication costs (session 7). Single file; needs the ONNX protobuf classes
 * (tribuo-util-onnx, protobuf-java), spring-security-crypto (+ commons-logging) and pgjdbc on the class path, and
 * {@code wrk} and {@code redis-benchmark} on the PATH. bench/security.sh launches it twice with the source launcher:
 *
 * <pre>CLASSPATH=... java bench/SecurityBench.java onoff        # two servers: security off and on
 * CLASSPATH=... java bench/SecurityBench.java credentials  # security on, with and without remembered credentials</pre>
 *
 * <p>{@code onoff}: sets up through the secured server with the admin's credentials — an entity, an online feature
 * view of 4 features, 100 entities pushed to Redis, a normal user and its API token, a small ONNX model (MLP 64 →
 * 256 → 256 → 8) uploaded, registered, aliased and deployed — and waits until both servers serve the deployment
 * (each loads deployments itself). Checks that both servers answer the same, that the secured one refuses a request
 * without credentials, then runs wrk closed loops in {@code ROUNDS} rounds, {@code ROUND_S} s per run: one-entity
 * {@code POST /get-online-features} on each server's feature-server port and one-row {@code POST /v2/models/<name>/infer}
 * on each main port, off and on in ABBA order within a round (off, on, on, off; even rounds on, off, off, on), the
 * secured server always with {@code Authorization: Bearer <token>}; then redis-benchmark's raw HMGET of the same hash.
 * The figure is the median of the per-round on/off ratios; beside it each server's CPU per request (from /proc).
 * State for the second phase goes to {@code STATE_FILE}.
 *
 * <p>{@code credentials}: {@code GET /api/v1/tokens} (two indexed queries, the same work in every case) with
 * {@code wrk -t1 -c1} against the secured server (credentials remembered for 10 s: each request checks a cache) and
 * against a server with {@code credential-cache-ttl=0s} (each request verifies again): Basic (a BCrypt check, plus
 * the sign-in throttle's look-up) and Bearer (SHA-256 and a PostgreSQL look-up). The cost of a login / a token check is
 * the difference of mean latencies, per round, median of rounds. Beside it, in this process, BCrypt
 * ({@code BCryptPasswordEncoder(10).matches}) and SHA-256 of a token, as raw figures.
 *
 * <p>Every answer is checked; any wrk error, non-2xx answer or disagreement stops the bench with a non-zero exit.
 */
public class SecurityBench {

    record Config(String offUrl, String offFsUrl, String onUrl, String onFsUrl, String nocacheUrl, String adminUser,
                  String adminPassword, String jdbcUrl, String jdbcUser, String redisHost, int redisPort, int redisDb,
                  int rounds, int roundS, int warmupS, int clients, int loginRounds, int loginRoundS,
                  int loginWarmupS, Path stateFile, Path workDir, long offPid, long onPid, long nocachePid) {

        static Config fromEnv() {
            Path state = Path.of(env("STATE_FILE", "/tmp/cairn-bench-security.properties"));
            return new Config(env("OFF_URL", "http://127.0.0.1:5081"), env("OFF_FS_URL", "http://127.0.0.1:5082"),
                    env("ON_URL", "http://127.0.0.1:5083"), env("ON_FS_URL", "http://127.0.0.1:5084"),
                    env("NOCACHE_URL", "http://127.0.0.1:5085"), env("ADMIN_USER", "bench-admin"),
                    env("ADMIN_PASSWORD", ""), env("JDBC_URL", "jdbc:postgresql://127.0.0.1:5432/cairn_bench_security"),
                    env("JDBC_USER", "postgres"), env("REDIS_HOST", "127.0.0.1"), intEnv("REDIS_PORT", 6379),
                    intEnv("REDIS_DB", 5), intEnv("ROUNDS", 5), intEnv("ROUND_S", 6), intEnv("WARMUP_S", 20),
                    intEnv("CLIENTS", 8), intEnv("LOGIN_ROUNDS", 5), intEnv("LOGIN_ROUND_S", 5),
                    intEnv("LOGIN_WARMUP_S", 15), state, state.toAbsolutePath().getParent(),
                    Long.parseLong(env("OFF_PID", "0")), Long.parseLong(env("ON_PID", "0")),
                    Long.parseLong(env("NOCACHE_PID", "0")));
        }
    }

    static String env(String name, String def) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? def : v.trim();
    }

    static int intEnv(String name, int def) {
        return Integer.parseInt(env(name, Integer.toString(def)));
    }

    static final String[] FEATURES = {"conv_rate", "acc_rate", "trips_today", "is_premium"};
    static final String[] TYPES = {"FLOAT64", "FLOAT64", "INT64", "BOOL"};
    static final int ENTITIES = 100;
    static final int IN = 64;
    static final int HIDDEN = 256;
    static final int OUT = 8;
    static final String USER = "bench-user";

    final Config cfg;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    final List<String> summary = new ArrayList<>();
    final String adminAuth;

    SecurityBench(Config cfg) {
        this.cfg = cfg;
        this.adminAuth = basic(cfg.adminUser(), cfg.adminPassword());
    }

    public static void main(String[] args) {
        Config cfg = Config.fromEnv();
        String phase = args.length > 0 ? args[0] : "onoff";
        System.out.printf(Locale.ROOT, "%nSecurityBench %s: %d processors, JVM %s, %s; server pids off %d, on %d, "
                        + "no cache %d%n", phase, Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"), Instant.now(), cfg.offPid(), cfg.onPid(), cfg.nocachePid());
        try {
            SecurityBench bench = new SecurityBench(cfg);
            switch (phase) {
                case "onoff" -> bench.onOff();
                case "credentials" -> bench.credentials();
                default -> throw new IllegalArgumentException("phase must be onoff or credentials, not " + phase);
            }
            System.out.println();
            System.out.println("==================== summary (" + phase + ", paste into docs/benchmarks.md) ====================");
            bench.summary.forEach(System.out::println);
            System.out.println("==========================================================================================");
        } catch (Throwable t) {
            System.out.flush();
            System.err.println("BENCH FAILED: " + t);
            t.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }

    // ---- phase 1: security off vs on --------------------------------------------------------------------------------

    void onOff() throws Exception {
        if (cfg.adminPassword().isEmpty()) {
            throw new IllegalStateException("ADMIN_PASSWORD is not set");
        }
        String suffix = Long.toString(System.currentTimeMillis() % 1_000_000);
        String entity = "driver_" + suffix;
        String view = "driver_stats_" + suffix;
        String deployment = "bench-security-" + suffix;

        // Definitions and data, through the secured server, as its admin.
        send(cfg.onUrl(), "PUT", "/api/v1/entities/" + entity, adminAuth,
                "{\"join_key\": \"driver_id\", \"value_type\": \"INT64\"}");
        StringBuilder viewBody = new StringBuilder("{\"entities\": [\"" + entity
                + "\"], \"ttl_seconds\": 0, \"online\": true, \"features\": [");
        for (int i = 0; i < FEATURES.length; i++) {
            viewBody.append(i > 0 ? ", " : "").append("{\"name\": \"").append(FEATURES[i]).append("\", \"type\": \"")
                    .append(TYPES[i]).append("\"}");
        }
        send(cfg.onUrl(), "PUT", "/api/v1/feature-views/" + view, adminAuth, viewBody.append("]}").toString());
        String pushed = send(cfg.onUrl(), "POST", "/push", adminAuth, pushBody(view));
        if (!pushed.contains("\"written_online\":" + ENTITIES)) {
            throw new IllegalStateException("push did not write " + ENTITIES + " entities online: " + pushed);
        }
        System.out.printf(Locale.ROOT, "set up: entity %s, online view %s (%d features), %d entities pushed: %s%n",
                entity, view, FEATURES.length, ENTITIES, pushed);

        // A normal user (no grants: the default READ on everything) and its API token.
        String userPassword = "bench-user-" + UUID.randomUUID();
        send(cfg.onUrl(), "POST", "/api/2.0/mlflow/users/create", adminAuth,
                "{\"username\": \"" + USER + "\", \"password\": \"" + userPassword + "\"}");
        String created = send(cfg.onUrl(), "POST", "/api/v1/tokens", basic(USER, userPassword), "{\"name\": \"bench\"}");
        String token = field(created, "token");
        if (!token.startsWith("cairn_")) {
            throw new IllegalStateException("unexpected token answer: " + created);
        }
        String bearer = "Bearer " + token;
        System.out.printf(Locale.ROOT, "user %s created, API token %s... (%d characters)%n", USER,
                token.substring(0, 10), token.length());

        deploy(deployment);
        waitReady(cfg.offUrl(), deployment, null);
        waitReady(cfg.onUrl(), deployment, bearer);

        // Both servers answer the same; the secured one refuses a request without credentials or with a wrong token.
        String featureRefs = String.join(", ", Arrays.stream(FEATURES).map(f -> "\"" + view + ":" + f + "\"").toList());
        String readBody = "{\"features\": [" + featureRefs + "], \"entities\": {\"driver_id\": [42]}}";
        String offRead = send(cfg.offFsUrl(), "POST", "/get-online-features", null, readBody);
        String onRead = send(cfg.onFsUrl(), "POST", "/get-online-features", bearer, readBody);
        String mainRead = send(cfg.onUrl(), "POST", "/get-online-features", bearer, readBody);
        if (!offRead.equals(onRead) || !offRead.equals(mainRead) || !offRead.contains("PRESENT")
                || offRead.contains("NOT_FOUND")) {
            throw new IllegalStateException("online answers differ or miss values:\n off " + offRead + "\n on  "
                    + onRead + "\n on, main port " + mainRead);
        }
        String inferBody = inferBody();
        String offInfer = send(cfg.offUrl(), "POST", "/v2/models/" + deployment + "/infer", null, inferBody);
        String onInfer = send(cfg.onUrl(), "POST", "/v2/models/" + deployment + "/infer", bearer, inferBody);
        if (!data(offInfer).equals(data(onInfer))) {
            throw new IllegalStateException("inference answers differ:\n off " + offInfer + "\n on  " + onInfer);
        }
        expectStatus(cfg.onFsUrl(), "POST", "/get-online-features", null, readBody, 401);
        expectStatus(cfg.onUrl(), "POST", "/v2/models/" + deployment + "/infer", null, inferBody, 401);
        expectStatus(cfg.onUrl(), "POST", "/v2/models/" + deployment + "/infer", "Bearer cairn_wrong", inferBody, 401);
        System.out.println("check: both servers answer the same read and inference; the secured one refuses requests "
                + "without credentials or with a wrong token (401)");

        Properties state = new Properties();
        state.setProperty("user", USER);
        state.setProperty("password", userPassword);
        state.setProperty("token", token);
        state.setProperty("view", view);
        state.setProperty("deployment", deployment);
        try (OutputStream out = Files.newOutputStream(cfg.stateFile())) {
            state.store(out, "SecurityBench state (bench-only secrets of a throw-away database)");
        }

        // wrk scripts: a one-entity read over the 100 pushed entities in turn; a fixed one-row inference body.
        Path readsOff = wrkReads(featureRefs, null, "reads-off");
        Path readsOn = wrkReads(featureRefs, bearer, "reads-on");
        Path inferOff = wrkPost(inferBody, null, "infer-off");
        Path inferOn = wrkPost(inferBody, bearer, "infer-on");
        Target rOff = new Target("reads, security off", cfg.offFsUrl(), readsOff, cfg.offPid());
        Target rOn = new Target("reads, security on", cfg.onFsUrl(), readsOn, cfg.onPid());
        String inferPath = "/v2/models/" + deployment + "/infer";
        Target iOff = new Target("infer, security off", cfg.offUrl() + inferPath, inferOff, cfg.offPid());
        Target iOn = new Target("infer, security on", cfg.onUrl() + inferPath, inferOn, cfg.onPid());

        String onlineKey;
        try (Connection c = DriverManager.getConnection(cfg.jdbcUrl(), cfg.jdbcUser(), "");
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT online_key FROM feature_views WHERE name = '" + view + "'")) {
            rs.next();
            onlineKey = rs.getString(1);
        }
        String redisKey = "cairn:fs:" + onlineKey + ":42";
        String exists = run(List.of("redis-cli", "-h", cfg.redisHost(), "-p", Integer.toString(cfg.redisPort()), "-n",
                Integer.toString(cfg.redisDb()), "EXISTS", redisKey)).trim();
        if (!exists.equals("1")) {
            throw new IllegalStateException("Redis hash " + redisKey + " not found (" + exists + ")");
        }
        List<String> hmget = new ArrayList<>(List.of("HMGET", redisKey, "_ts"));
        hmget.addAll(Arrays.asList(FEATURES));

        System.out.printf(Locale.ROOT, "%n[warm-up] %d s of wrk on each of the four targets (C2 compiles the paths), "
                + "not measured%n", cfg.warmupS());
        for (Target t : List.of(rOff, rOn, iOff, iOn)) {
            Wrk w = wrk(t, cfg.clients(), cfg.warmupS());
            System.out.printf(Locale.ROOT, "  %-22s %,8.0f req/s%n", t.label(), w.rps());
        }

        System.out.printf(Locale.ROOT, "%n[rounds] %d rounds; each: reads off/on/on/off, inference off/on/on/off (%d s "
                + "each, wrk -t2 -c%d; even rounds on/off/off/on), then redis-benchmark HMGET of %d fields, %d clients%n",
                cfg.rounds(), cfg.roundS(), cfg.clients(), hmget.size() - 2, cfg.clients());
        List<double[]> rounds = new ArrayList<>();
        double maxOther = 0;
        for (int r = 1; r <= cfg.rounds(); r++) {
            boolean offFirst = r % 2 == 1;
            Wrk[] reads = abba(rOff, rOn, offFirst);
            Wrk[] infer = abba(iOff, iOn, offFirst);
            double raw = redisBenchmark(hmget, 200_000);
            // Per endpoint and side: the mean rate of the round's two runs, the mean of their p99s, and the server's
            // CPU per request over both.
            double[] x = {rate(reads, 0), rate(reads, 1), rate(infer, 0), rate(infer, 1), raw, p99(reads, 0),
                    p99(reads, 1), p99(infer, 0), p99(infer, 1), cpuUs(reads, 0), cpuUs(reads, 1), cpuUs(infer, 0),
                    cpuUs(infer, 1)};
            rounds.add(x);
            double other = 0;
            for (Wrk w : reads) {
                other = Math.max(other, w.otherPct());
            }
            for (Wrk w : infer) {
                other = Math.max(other, w.otherPct());
            }
            maxOther = Math.max(maxOther, other);
            System.out.printf(Locale.ROOT, "[round %d, %s first] reads off %,.0f req/s (p99 %.2f ms, server CPU %.0f "
                            + "us/req), on %,.0f (p99 %.2f ms, %.0f us/req) = %.1f %%; infer off %,.0f req/s (p99 %.2f ms, "
                            + "%.0f us/req), on %,.0f (p99 %.2f ms, %.0f us/req) = %.1f %%; redis-benchmark HMGET %,.0f "
                            + "req/s; other processes up to %.0f %% CPU%n", r, offFirst ? "off" : "on", x[0], x[5], x[9],
                    x[1], x[6], x[10], 100 * x[1] / x[0], x[2], x[7], x[11], x[3], x[8], x[12], 100 * x[3] / x[2],
                    x[4], other);
            System.out.printf(Locale.ROOT, "  runs in order: reads %s; infer %s%n", runs(reads, offFirst),
                    runs(infer, offFirst));
        }

        double readsRatio = medianRatio(rounds, 1, 0);
        double inferRatio = medianRatio(rounds, 3, 2);
        summary.add("| Round | reads off | reads on | **on / off** | infer off | infer on | **on / off** | "
                + "redis-benchmark HMGET |");
        summary.add("|---|---|---|---|---|---|---|---|");
        for (int r = 0; r < rounds.size(); r++) {
            double[] x = rounds.get(r);
            summary.add(String.format(Locale.ROOT, "| %d (%s) | %,.0f req/s, p99 %.2f ms, %.0f µs CPU | %,.0f req/s, "
                            + "p99 %.2f ms, %.0f µs CPU | %.1f %% | %,.0f req/s, p99 %.2f ms, %.0f µs CPU | %,.0f req/s, "
                            + "p99 %.2f ms, %.0f µs CPU | %.1f %% | %,.0f req/s |",
                    r + 1, r % 2 == 0 ? "off-on-on-off" : "on-off-off-on", x[0], x[5], x[9], x[1], x[6], x[10],
                    100 * x[1] / x[0], x[2], x[7], x[11], x[3], x[8], x[12], 100 * x[3] / x[2], x[4]));
        }
        summary.add(String.format(Locale.ROOT, "| **median** | %,.0f req/s, p99 %.2f ms, %.0f µs CPU | %,.0f req/s, "
                        + "p99 %.2f ms, %.0f µs CPU | **%.1f %%** | %,.0f req/s, p99 %.2f ms, %.0f µs CPU | %,.0f req/s, "
                        + "p99 %.2f ms, %.0f µs CPU | **%.1f %%** | %,.0f req/s |",
                median(rounds, 0), median(rounds, 5), median(rounds, 9), median(rounds, 1), median(rounds, 6),
                median(rounds, 10), readsRatio, median(rounds, 2), median(rounds, 7), median(rounds, 11),
                median(rounds, 3), median(rounds, 8), median(rounds, 12), inferRatio, median(rounds, 4)));
        summary.add(String.format(Locale.ROOT, "server CPU per request, median of the per-round ratios on / off: reads "
                + "%.1f %%, inference %.1f %%", medianRatio(rounds, 10, 9), medianRatio(rounds, 12, 11)));
        summary.add(String.format(Locale.ROOT, "goal on/off >= 90 %%: reads %s (%.1f %%), inference %s (%.1f %%); "
                        + "other processes took up to %.0f %% of the CPU in a measured window",
                readsRatio >= 90 ? "met" : "NOT met", readsRatio, inferRatio >= 90 ? "met" : "NOT met", inferRatio,
                maxOther));
    }

    /**
     * The off and on runs of one round in ABBA order (off, on, on, off, or on, off, off, on), so a drift of the
     * machine within the round, or a penalty for running second, weighs on both alike. Returned as {off, off, on, on}.
     */
    Wrk[] abba(Target off, Target on, boolean offFirst) throws Exception {
        Target a = offFirst ? off : on;
        Target b = offFirst ? on : off;
        Wrk a1 = wrk(a, cfg.clients(), cfg.roundS());
        Wrk b1 = wrk(b, cfg.clients(), cfg.roundS());
        Wrk b2 = wrk(b, cfg.clients(), cfg.roundS());
        Wrk a2 = wrk(a, cfg.clients(), cfg.roundS());
        return offFirst ? new Wrk[] {a1, a2, b1, b2} : new Wrk[] {b1, b2, a1, a2};
    }

    /** Side 0: off, 1: on; the mean rate of its two runs. */
    static double rate(Wrk[] w, int side) {
        return (w[2 * side].rps() + w[2 * side + 1].rps()) / 2;
    }

    static double p99(Wrk[] w, int side) {
        return (w[2 * side].p99() + w[2 * side + 1].p99()) / 2;
    }

    /** The server's CPU per request over both runs of a side, in microseconds. */
    static double cpuUs(Wrk[] w, int side) {
        long ticks = w[2 * side].serverTicks() + w[2 * side + 1].serverTicks();
        long requests = w[2 * side].requests() + w[2 * side + 1].requests();
        return ticks * 10_000.0 / Math.max(1, requests);
    }

    /** The rates of a round's runs in the order they ran. */
    static String runs(Wrk[] w, boolean offFirst) {
        int[] order = offFirst ? new int[] {0, 2, 3, 1} : new int[] {2, 0, 1, 3};
        List<String> out = new ArrayList<>();
        for (int i : order) {
            out.add(String.format(Locale.ROOT, "%s %,.0f", i < 2 ? "off" : "on", w[i].rps()));
        }
        return String.join(", ", out);
    }

    String pushBody(String view) {
        Random rnd = new Random(7);
        StringBuilder ids = new StringBuilder();
        StringBuilder ts = new StringBuilder();
        StringBuilder[] cols = new StringBuilder[FEATURES.length];
        for (int f = 0; f < FEATURES.length; f++) {
            cols[f] = new StringBuilder();
        }
        Instant now = Instant.now().minusSeconds(60);
        for (int i = 0; i < ENTITIES; i++) {
            String sep = i > 0 ? ", " : "";
            ids.append(sep).append(i);
            ts.append(sep).append('"').append(now.plusMillis(i)).append('"');
            cols[0].append(sep).append(Math.round(rnd.nextDouble() * 10_000) / 10_000.0);
            cols[1].append(sep).append(Math.round(rnd.nextDouble() * 10_000) / 10_000.0);
            cols[2].append(sep).append(rnd.nextInt(1000));
            cols[3].append(sep).append(rnd.nextBoolean());
        }
        StringBuilder df = new StringBuilder("{\"driver_id\": [" + ids + "], \"event_timestamp\": [" + ts + "]");
        for (int f = 0; f < FEATURES.length; f++) {
            df.append(", \"").append(FEATURES[f]).append("\": [").append(cols[f]).append(']');
        }
        return "{\"push_source_name\": \"" + view + "\", \"df\": " + df + "}, \"to\": \"online\"}";
    }

    void deploy(String deployment) throws Exception {
        byte[] model = mlp(IN, HIDDEN, OUT, 5);
        String dir = "bench-security/" + UUID.randomUUID() + "/model";
        sendBytes(cfg.onUrl(), "PUT", "/api/2.0/mlflow-artifacts/artifacts/" + dir + "/model.onnx", adminAuth, model,
                "application/octet-stream");
        sendBytes(cfg.onUrl(), "PUT", "/api/2.0/mlflow-artifacts/artifacts/" + dir + "/MLmodel", adminAuth,
                "flavors:\n  onnx:\n    data: model.onnx\n".getBytes(StandardCharsets.UTF_8), "application/octet-stream");
        String name = "bench-security-mlp-" + System.currentTimeMillis();
        send(cfg.onUrl(), "POST", "/api/2.0/mlflow/registered-models/create", adminAuth, "{\"name\": \"" + name + "\"}");
        String created = send(cfg.onUrl(), "POST", "/api/2.0/mlflow/model-versions/create", adminAuth,
                "{\"name\": \"" + name + "\", \"source\": \"mlflow-artifacts:/" + dir + "\"}");
        Matcher version = Pattern.compile("\"version\"\\s*:\\s*\"(\\d+)\"").matcher(created);
        if (!version.find()) {
            throw new IllegalStateException("no version in " + created);
        }
        send(cfg.onUrl(), "POST", "/api/2.0/mlflow/registered-models/alias", adminAuth, "{\"name\": \"" + name
                + "\", \"alias\": \"bench\", \"version\": \"" + version.group(1) + "\"}");
        send(cfg.onUrl(), "PUT", "/api/v1/deployments/" + deployment, adminAuth, "{\"model\": \"" + name
                + "\", \"alias\": \"bench\"}");
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        String state;
        while (!(state = send(cfg.onUrl(), "GET", "/api/v1/deployments/" + deployment, adminAuth, null))
                .replace(" ", "").contains("\"ready\":true")) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("deployment not ready after 120 s: " + state);
            }
            Thread.sleep(250);
        }
        System.out.printf(Locale.ROOT, "deployed MLP FP32 [1, %d] -> %d -> %d -> %d (%.1f MB), model %s version %s, "
                + "as %s%n", IN, HIDDEN, HIDDEN, OUT, model.length / 1e6, name, version.group(1), deployment);
    }

    /** Polls {@code GET /v2/models/<name>/ready} until 200 (each server loads deployments itself). */
    void waitReady(String base, String deployment, String auth) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        long t0 = System.nanoTime();
        while (true) {
            HttpResponse<String> r = http.send(request(base, "GET", "/v2/models/" + deployment + "/ready", auth,
                    null, null), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200) {
                System.out.printf(Locale.ROOT, "  %s serves %s (after %.1f s)%n", base, deployment,
                        (System.nanoTime() - t0) / 1e9);
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(base + ": deployment " + deployment + " not ready after 120 s: HTTP "
                        + r.statusCode() + " " + r.body());
            }
            Thread.sleep(250);
        }
    }

    static String inferBody() {
        Random random = new Random(11);
        StringBuilder s = new StringBuilder("{\"inputs\":[{\"name\":\"input\",\"shape\":[1," + IN
                + "],\"datatype\":\"FP32\",\"data\":[");
        for (int i = 0; i < IN; i++) {
            s.append(i > 0 ? "," : "").append((float) random.nextGaussian());
        }
        return s.append("]}]}").toString();
    }

    static String data(String inferAnswer) {
        Matcher m = Pattern.compile("\"data\"\\s*:\\s*\\[([^\\]]*)]").matcher(inferAnswer);
        if (!m.find()) {
            throw new IllegalStateException("no data in " + inferAnswer);
        }
        return m.group(1);
    }

    // ---- phase 2: the cost of a login and of a token check --------------------------------------------------------

    void credentials() throws Exception {
        Properties state = new Properties();
        try (InputStream in = Files.newInputStream(cfg.stateFile())) {
            state.load(in);
        }
        String user = state.getProperty("user");
        String basicAuth = basic(user, state.getProperty("password"));
        String bearer = "Bearer " + state.getProperty("token");
        String path = "/api/v1/tokens";
        // The same answer everywhere: the user's one token.
        for (String base : List.of(cfg.onUrl(), cfg.nocacheUrl())) {
            for (String auth : List.of(basicAuth, bearer)) {
                String listed = send(base, "GET", path, auth, null);
                if (!listed.contains("\"name\":\"bench\"") && !listed.contains("\"name\": \"bench\"")) {
                    throw new IllegalStateException("unexpected token list from " + base + ": " + listed);
                }
            }
        }
        List<Target> targets = List.of(
                new Target("Basic, remembered", cfg.onUrl() + path, wrkGet(basicAuth, "basic"), cfg.onPid()),
                new Target("Basic, verified each time", cfg.nocacheUrl() + path, wrkGet(basicAuth, "basic"),
                        cfg.nocachePid()),
                new Target("Bearer, remembered", cfg.onUrl() + path, wrkGet(bearer, "bearer"), cfg.onPid()),
                new Target("Bearer, verified each time", cfg.nocacheUrl() + path, wrkGet(bearer, "bearer"),
                        cfg.nocachePid()));

        // The third server starts cold: warm each path with 4 connections (JIT), then measure with one.
        System.out.printf(Locale.ROOT, "%n[credentials] GET %s as %s, wrk -t1 -c1; warm-up %d s each with 4 "
                + "connections%n", path, user, cfg.loginWarmupS());
        for (Target t : targets) {
            Wrk w = wrk(t, 4, cfg.loginWarmupS());
            System.out.printf(Locale.ROOT, "  %-28s %,8.0f req/s (%.3f ms per request)%n", t.label(), w.rps(),
                    1000 / w.rps());
        }
        List<double[]> rounds = new ArrayList<>();
        for (int r = 1; r <= cfg.loginRounds(); r++) {
            double[] x = new double[targets.size() * 3];
            List<Integer> order = new ArrayList<>(List.of(0, 1, 2, 3));
            if (r % 2 == 0) {
                java.util.Collections.reverse(order);
            }
            double other = 0;
            for (int i : order) {
                Wrk w = wrk(targets.get(i), 1, cfg.loginRoundS());
                // One connection back to back: the mean time per request is the run's time over its requests. (wrk's
                // own "Latency Avg" came out above 1/rate on one connection on this VM, which cannot be.)
                x[i] = 1000 / w.rps();
                x[targets.size() + i] = w.rps();
                x[2 * targets.size() + i] = w.cpuUs();
                other = Math.max(other, w.otherPct());
            }
            rounds.add(x);
            System.out.printf(Locale.ROOT, "[round %d] mean per request: Basic %.3f ms remembered, %.3f ms verified "
                            + "(login +%.3f ms); Bearer %.3f ms remembered, %.3f ms verified (token check +%.3f ms); other "
                            + "processes up to %.0f %% CPU; server CPU per request %.0f / %.0f / %.0f / %.0f us%n", r, x[0],
                    x[1], x[1] - x[0], x[2], x[3], x[3] - x[2], other, x[8], x[9], x[10], x[11]);
        }

        // In-process: the same checks without HTTP, PostgreSQL or the rest of the request.
        BCryptPasswordEncoder bcrypt = new BCryptPasswordEncoder(10);
        String password = state.getProperty("password");
        String hash = bcrypt.encode(password);
        for (int i = 0; i < 3; i++) {
            bcrypt.matches(password, hash);
        }
        long[] bcryptNs = new long[20];
        for (int i = 0; i < bcryptNs.length; i++) {
            long t0 = System.nanoTime();
            if (!bcrypt.matches(password, hash)) {
                throw new IllegalStateException("BCrypt did not match");
            }
            bcryptNs[i] = System.nanoTime() - t0;
        }
        Arrays.sort(bcryptNs);
        String token = state.getProperty("token");
        long sink = 0;
        int n = 200_000;
        for (int i = 0; i < n; i++) {
            sink += sha256Hex(token).charAt(3);
        }
        double[] shaNs = new double[5];
        for (int k = 0; k < shaNs.length; k++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                sink += sha256Hex(token).charAt(3);
            }
            shaNs[k] = (System.nanoTime() - t0) / (double) n;
        }
        Arrays.sort(shaNs);
        System.out.printf(Locale.ROOT, "[in-process] BCryptPasswordEncoder(10).matches: median %.1f ms (min %.1f, max "
                        + "%.1f, %d calls); SHA-256 + hex of a %d-character token: median %.0f ns (%d x %,d calls)%s%n",
                bcryptNs[bcryptNs.length / 2] / 1e6, bcryptNs[0] / 1e6, bcryptNs[bcryptNs.length - 1] / 1e6,
                bcryptNs.length, token.length(), shaNs[shaNs.length / 2], shaNs.length, n, sink == 42 ? " " : "");

        summary.add("| Request `GET /api/v1/tokens`, wrk -t1 -c1 | time per request = 1 / rate (median of rounds) | per round | "
                + "server CPU per request (median) | cost (verified − remembered, median of rounds) |");
        summary.add("|---|---|---|---|---|");
        String[] labels = {"Basic, remembered (cache hit)", "Basic, verified each time (`credential-cache-ttl=0s`)",
                "Bearer token, remembered", "Bearer token, verified each time"};
        for (int i = 0; i < 4; i++) {
            int idx = i;
            String per = String.join(" / ", rounds.stream().map(x -> String.format(Locale.ROOT, "%.3f", x[idx]))
                    .toList());
            String cost = i == 1 ? String.format(Locale.ROOT, "**login: %.2f ms** (server CPU +%.1f ms)",
                    medianDiff(rounds, 1, 0), medianDiff(rounds, 9, 8) / 1000)
                    : i == 3 ? String.format(Locale.ROOT, "**token check: %.3f ms** (server CPU +%.0f µs)",
                    medianDiff(rounds, 3, 2), medianDiff(rounds, 11, 10)) : "";
            summary.add(String.format(Locale.ROOT, "| %s | %.3f ms (%,.0f req/s) | %s ms | %.0f µs | %s |", labels[i],
                    median(rounds, i), median(rounds, 4 + i), per, median(rounds, 8 + i), cost));
        }
        summary.add(String.format(Locale.ROOT, "| in-process `BCryptPasswordEncoder(10).matches` | %.1f ms (median of "
                        + "%d; min %.1f) | | | |", bcryptNs[bcryptNs.length / 2] / 1e6, bcryptNs.length, bcryptNs[0] / 1e6));
        summary.add(String.format(Locale.ROOT, "| in-process SHA-256 + hex of a token | %.0f ns (median of %d x %,d) "
                + "| | | |", shaNs[shaNs.length / 2], shaNs.length, n));
    }

    static String sha256Hex(String value) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(value.getBytes(StandardCharsets.UTF_8)));
    }

    // ---- wrk --------------------------------------------------------------------------------------------------------

    /** A wrk target: what it is, the URL, the wrk script and the pid of the server that answers. */
    record Target(String label, String url, Path script, long serverPid) {
    }

    /**
     * Throughput, latency (ms), requests, the answering server's CPU ticks and the share of the CPU that processes
     * outside this bench took meanwhile.
     */
    record Wrk(double rps, double mean, double p50, double p99, long requests, long serverTicks, double otherPct) {

        /** The server's CPU time per request in microseconds (ticks are 10 ms). */
        double cpuUs() {
            return serverTicks * 10_000.0 / Math.max(1, requests);
        }
    }

    static String luaString(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    static String authLine(String auth) {
        return auth == null ? "" : "wrk.headers[\"Authorization\"] = " + luaString(auth) + "\n";
    }

    Path wrkReads(String featureRefs, String auth, String name) throws IOException {
        Path file = cfg.workDir().resolve("wrk-" + name + ".lua");
        Files.writeString(file, """
                wrk.method = "POST"
                wrk.headers["Content-Type"] = "application/json"
                %slocal n = 0
                request = function()
                  n = n + 1
                  return wrk.format(nil, "/get-online-features", nil,
                    '{"features": [%s], "entities": {"driver_id": [' .. tostring((n * 7919) %% %d) .. ']}}')
                end
                """.formatted(authLine(auth), featureRefs, ENTITIES));
        return file;
    }

    Path wrkPost(String body, String auth, String name) throws IOException {
        Path file = cfg.workDir().resolve("wrk-" + name + ".lua");
        Files.writeString(file, "wrk.method = \"POST\"\nwrk.headers[\"Content-Type\"] = \"application/json\"\n"
                + authLine(auth) + "wrk.body = " + luaString(body) + "\n");
        return file;
    }

    Path wrkGet(String auth, String name) throws IOException {
        Path file = cfg.workDir().resolve("wrk-get-" + name + ".lua");
        Files.writeString(file, "wrk.method = \"GET\"\n" + authLine(auth));
        return file;
    }

    /** Runs wrk against {@code t} for {@code seconds}, with CPU accounting over the run. */
    Wrk wrk(Target t, int connections, int seconds) throws Exception {
        CpuMeter cpu = new CpuMeter(cfg.offPid(), cfg.onPid(), cfg.nocachePid());
        cpu.begin();
        Process p = new ProcessBuilder("wrk", "-t" + Math.min(2, connections), "-c" + connections, "-d" + seconds + "s",
                "--timeout", "10s", "--latency", "-s", t.script().toString(), t.url()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int rc = p.waitFor(); // reaped: its CPU time is now in this JVM's children's times
        double other = cpu.otherPct();
        long serverTicks = cpu.delta(t.serverPid());
        if (rc != 0 || out.contains("Non-2xx") || out.contains("Socket errors")) {
            throw new IllegalStateException("wrk failed or saw errors against " + t.label() + ":\n" + out);
        }
        Matcher rps = Pattern.compile("Requests/sec:\\s+([0-9.]+)").matcher(out);
        Matcher mean = Pattern.compile("^\\s+Latency\\s+([0-9.]+)(us|ms|s)\\s", Pattern.MULTILINE).matcher(out);
        if (!rps.find() || !mean.find()) {
            throw new IllegalStateException("unexpected wrk output:\n" + out);
        }
        Matcher requests = Pattern.compile("(\\d+) requests in").matcher(out);
        if (!requests.find()) {
            throw new IllegalStateException("no request count in wrk output:\n" + out);
        }
        return new Wrk(Double.parseDouble(rps.group(1)), ms(mean.group(1), mean.group(2)), wrkPercentile(out, "50%"),
                wrkPercentile(out, "99%"), Long.parseLong(requests.group(1)), serverTicks, other);
    }

    static double ms(String value, String unit) {
        double v = Double.parseDouble(value);
        return switch (unit) {
            case "us" -> v / 1000;
            case "s" -> v * 1000;
            default -> v;
        };
    }

    /** wrk prints e.g. "     99%    3.27ms" (units us, ms or s); returns milliseconds. */
    static double wrkPercentile(String out, String label) {
        Matcher m = Pattern.compile("^\\s+" + Pattern.quote(label) + "\\s+([0-9.]+)(us|ms|s)\\s*$", Pattern.MULTILINE)
                .matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("no " + label + " latency in wrk output:\n" + out);
        }
        return ms(m.group(1), m.group(2));
    }

    double redisBenchmark(List<String> command, int requests) throws Exception {
        List<String> args = new ArrayList<>(List.of("redis-benchmark", "-h", cfg.redisHost(), "-p",
                Integer.toString(cfg.redisPort()), "--dbnum", Integer.toString(cfg.redisDb()), "-c",
                Integer.toString(cfg.clients()), "-n", Integer.toString(requests), "-q"));
        args.addAll(command);
        String out = run(args);
        Matcher rps = Pattern.compile("([0-9.]+) requests per second").matcher(out);
        if (!rps.find()) {
            throw new IllegalStateException("unexpected redis-benchmark output: " + out);
        }
        return Double.parseDouble(rps.group(1));
    }

    static String run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
        }
        return out;
    }

    // ---- CPU accounting -----------------------------------------------------------------------------------------

    /**
     * The share of the machine's CPU that went to processes outside this bench during a wrk run (Linux /proc): busy
     * time minus interrupts, steal, the bench's servers, this JVM and the children it reaped (wrk), redis-server and
     * every PostgreSQL process. Well above zero means something else ran beside the measurement (the machine is shared).
     */
    static final class CpuMeter {
        private final long[] pids;
        private long[] cpuStart;
        private Map<Long, Long> oursStart = Map.of();
        private Map<Long, Long> oursEnd = Map.of();

        CpuMeter(long... pids) {
            this.pids = pids;
        }

        void begin() {
            cpuStart = cpuLine();
            oursStart = oursTicks();
        }

        double otherPct() {
            long[] end = cpuLine();
            if (cpuStart == null || end == null) {
                return Double.NaN;
            }
            long total = 0;
            long[] d = new long[end.length];
            for (int i = 0; i < d.length; i++) {
                d[i] = end[i] - cpuStart[i];
                total += d[i];
            }
            if (total <= 0) {
                return Double.NaN;
            }
            long idle = d[3] + d[4];
            long irq = d[5] + d[6];
            long steal = d.length > 7 ? d[7] : 0;
            long ours = 0;
            oursEnd = oursTicks();
            for (Map.Entry<Long, Long> e : oursEnd.entrySet()) {
                ours += e.getValue() - oursStart.getOrDefault(e.getKey(), 0L);
            }
            return 100.0 * Math.max(0, total - idle - irq - steal - ours) / total;
        }

        /** CPU ticks of one process between begin and otherPct. */
        long delta(long pid) {
            return oursEnd.getOrDefault(pid, 0L) - oursStart.getOrDefault(pid, 0L);
        }

        private Map<Long, Long> oursTicks() {
            Map<Long, Long> out = new HashMap<>();
            long me = ProcessHandle.current().pid();
            out.put(me, ticks(me));
            for (long pid : pids) {
                if (pid > 0) {
                    out.put(pid, ticks(pid));
                }
            }
            try (var procs = Files.list(Path.of("/proc"))) {
                for (Path p : (Iterable<Path>) procs::iterator) {
                    String name = p.getFileName().toString();
                    if (name.chars().allMatch(Character::isDigit)) {
                        try {
                            String comm = Files.readString(p.resolve("comm")).trim();
                            if (comm.equals("postgres") || comm.equals("redis-server")) {
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

        /** utime + stime of the process and of the children it reaped (cutime + cstime). */
        private static long ticks(long pid) {
            try {
                String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                return Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
            } catch (Exception e) {
                return 0;
            }
        }
    }

    // ---- HTTP plumbing ----------------------------------------------------------------------------------------------

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    HttpRequest request(String base, String method, String path, String auth, byte[] body, String type) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        if (body != null) {
            b.header("Content-Type", type == null ? "application/json" : type);
        }
        if (auth != null) {
            b.header("Authorization", auth);
        }
        return b.build();
    }

    String send(String base, String method, String path, String auth, String json) throws Exception {
        return sendBytes(base, method, path, auth, json == null ? null : json.getBytes(StandardCharsets.UTF_8), null);
    }

    String sendBytes(String base, String method, String path, String auth, byte[] body, String type) throws Exception {
        HttpResponse<String> r = http.send(request(base, method, path, auth, body, type),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException(method + " " + base + path + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }

    void expectStatus(String base, String method, String path, String auth, String json, int status) throws Exception {
        HttpResponse<String> r = http.send(request(base, method, path, auth,
                json == null ? null : json.getBytes(StandardCharsets.UTF_8), null), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != status) {
            throw new IllegalStateException(method + " " + base + path + " with " + (auth == null ? "no credentials"
                    : "credentials " + auth.substring(0, Math.min(12, auth.length())) + "...") + " answered "
                    + r.statusCode() + ", expected " + status + ": " + r.body());
        }
    }

    static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(name) + "\"\\s*:\\s*\"([^\"]*)\"").matcher(json);
        if (!m.find()) {
            throw new IllegalStateException("no " + name + " in " + json);
        }
        return m.group(1);
    }

    // ---- statistics -------------------------------------------------------------------------------------------------

    static double median(List<double[]> rounds, int i) {
        double[] v = rounds.stream().mapToDouble(x -> x[i]).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    static double medianRatio(List<double[]> rounds, int num, int den) {
        return median(rounds.stream().map(x -> new double[] {100 * x[num] / x[den]}).toList(), 0);
    }

    static double medianDiff(List<double[]> rounds, int a, int b) {
        return median(rounds.stream().map(x -> new double[] {x[a] - x[b]}).toList(), 0);
    }

    // ---- the model --------------------------------------------------------------------------------------------------

    /** The same MLP as bench/ServingBench.java: FP32 [batch, in] → MatMul/Add/Relu ×2 → MatMul/Add → [batch, out]. */
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
}
