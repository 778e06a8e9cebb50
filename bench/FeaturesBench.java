import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.postgresql.PGConnection;

/**
 * Load generator for Cairn's feature store (issue #4). Single file, JDK + pgjdbc + DuckDB JDBC (bench-only);
 * launched by bench/features.sh with the source launcher:
 *
 * <pre>java -cp postgresql.jar:duckdb_jdbc.jar bench/FeaturesBench.java</pre>
 *
 * Against a running server and its database, in one run:
 * <ol>
 *   <li>generates FEATURE_ROWS feature rows (half per view) and ENTITY_ROWS entity rows as CSV files (seeded);</li>
 *   <li>ingestion: both views' files POSTed to /api/v1/feature-views/{name}/rows concurrently, then the same files
 *       COPYed raw (pgjdbc CopyManager, CSV) into tables of identical definition and indexes: rows/s and ratio;</li>
 *   <li>training set: the entity rows POSTed as CSV to /api/v1/training-sets with Accept: text/csv, the streamed
 *       answer read to the end; beside it, DuckDB (in-process, same data loaded from the same files) runs the
 *       equivalent ASOF JOIN into a table. Both results are checked against each other (counts and sums);</li>
 *   <li>online: both views materialized; POST /get-online-features for 1 entity x 10 features and 100 entities x 10
 *       features at a fixed request rate (latency measured from each request's scheduled time, so queueing counts),
 *       then closed-loop at full speed; beside it redis-benchmark runs the equivalent raw commands (HMGET of the same
 *       hash with the same 11 fields, pipelined 100 deep for the 100-entity case).</li>
 * </ol>
 * Configuration from environment variables (see {@link Config}); any failure exits non-zero.
 */
public class FeaturesBench {

    record Config(String baseUrl, String jdbcUrl, String jdbcUser, String workDir, int featureRows, int entityRows,
                  int drivers, int customers, int trainingRuns, int rate1, int rate100, int durationS, int warmupS,
                  int clients, String redisHost, int redisPort, int redisDb, boolean skipIngest, boolean skipTraining,
                  boolean skipOnline, int requestTimeoutS, int jitWarmupS, String featureServerUrl, int rounds,
                  int roundS) {

        static Config fromEnv() {
            return new Config(env("BASE_URL", "http://127.0.0.1:5078"),
                    env("JDBC_URL", "jdbc:postgresql://127.0.0.1:5432/cairn_bench_features"),
                    env("JDBC_USER", "postgres"), env("WORK_DIR", "/tmp/cairn-features-bench"),
                    intEnv("FEATURE_ROWS", 10_000_000), intEnv("ENTITY_ROWS", 1_000_000), intEnv("DRIVERS", 100_000),
                    intEnv("CUSTOMERS", 250_000), intEnv("TRAINING_RUNS", 2), intEnv("RATE_1", 500),
                    intEnv("RATE_100", 100), intEnv("DURATION_S", 20), intEnv("WARMUP_S", 5), intEnv("CLIENTS", 8),
                    env("REDIS_HOST", "127.0.0.1"), intEnv("REDIS_PORT", 6379), intEnv("REDIS_DB", 0),
                    intEnv("SKIP_INGEST", 0) == 1, intEnv("SKIP_TRAINING", 0) == 1, intEnv("SKIP_ONLINE", 0) == 1,
                    intEnv("REQUEST_TIMEOUT_S", 1800), intEnv("JIT_WARMUP_S", 30),
                    env("FEATURE_SERVER_URL", "http://127.0.0.1:5079"), intEnv("ROUNDS", 5), intEnv("ROUND_S", 10));
        }
    }

    static String env(String name, String def) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? def : v;
    }

    static int intEnv(String name, int def) {
        return Integer.parseInt(env(name, Integer.toString(def)));
    }

    // Feature view A (drivers, 10 features, TTL 7 days) and B (customers, 5 features, no TTL).
    static final String[] A_FEATURES = {"conv_rate", "acc_rate", "avg_daily_trips", "rating", "trips_today",
            "cancel_rate", "tips", "km", "online_hours", "is_premium"};
    static final String[] A_TYPES = {"FLOAT64", "FLOAT64", "INT64", "FLOAT32", "INT32", "FLOAT64", "FLOAT64",
            "FLOAT64", "FLOAT64", "BOOL"};
    static final String[] B_FEATURES = {"spend", "orders", "avg_basket", "returns", "tenure_days"};
    static final String[] B_TYPES = {"FLOAT64", "INT64", "FLOAT64", "INT32", "INT64"};
    static final long A_TTL = 7 * 86400;
    static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
    static final long WINDOW_MICROS = 59L * 86400 * 1_000_000;

    final Config cfg;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    final List<String> summary = new ArrayList<>();
    final String suffix = Long.toString(System.currentTimeMillis() % 1_000_000);
    final String driver = "driver_" + suffix;
    final String customer = "customer_" + suffix;
    final String viewA = "driver_stats_" + suffix;
    final String viewB = "customer_stats_" + suffix;
    Path fileA;
    Path fileB;
    Path fileE;

    FeaturesBench(Config cfg) {
        this.cfg = cfg;
    }

    public static void main(String[] args) throws Exception {
        Config cfg = Config.fromEnv();
        FeaturesBench bench = new FeaturesBench(cfg);
        System.out.printf(Locale.ROOT, "Cairn feature-store bench: %s, %,d feature rows, %,d entity rows, %d cores%n",
                cfg.baseUrl(), cfg.featureRows(), cfg.entityRows(), Runtime.getRuntime().availableProcessors());
        try {
            bench.run();
        } catch (Throwable t) {
            // Worker pools left running would keep the JVM alive after a failure.
            t.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }

    void run() throws Exception {
        define();
        generate();
        if (!cfg.skipIngest()) {
            ingest();
        } else {
            throw new IllegalStateException("SKIP_INGEST needs data; not supported on a fresh run");
        }
        if (!cfg.skipTraining()) {
            training();
        }
        if (!cfg.skipOnline()) {
            online();
        }
        System.out.println();
        System.out.println("==================== summary (paste into docs/benchmarks.md) ====================");
        System.out.println("| Measurement | Result |");
        System.out.println("|---|---|");
        summary.forEach(System.out::println);
        System.out.println("================================================================================");
    }

    // ---- definitions and data ----------------------------------------------------------------------------------

    void define() throws Exception {
        put("/api/v1/entities/" + driver, "{\"join_key\": \"driver_id\", \"value_type\": \"INT64\"}");
        put("/api/v1/entities/" + customer, "{\"join_key\": \"customer_id\", \"value_type\": \"INT64\"}");
        put("/api/v1/feature-views/" + viewA, viewBody(driver, A_FEATURES, A_TYPES, A_TTL));
        put("/api/v1/feature-views/" + viewB, viewBody(customer, B_FEATURES, B_TYPES, 0));
    }

    static String viewBody(String entity, String[] names, String[] types, long ttl) {
        StringBuilder sb = new StringBuilder("{\"entities\": [\"" + entity + "\"], \"ttl_seconds\": " + ttl
                + ", \"online\": true, \"features\": [");
        for (int i = 0; i < names.length; i++) {
            sb.append(i > 0 ? ", " : "").append("{\"name\": \"").append(names[i]).append("\", \"type\": \"")
                    .append(types[i]).append("\"}");
        }
        return sb.append("]}").toString();
    }

    void generate() throws Exception {
        Path dir = Path.of(cfg.workDir());
        Files.createDirectories(dir);
        fileA = dir.resolve("driver_stats.csv");
        fileB = dir.resolve("customer_stats.csv");
        fileE = dir.resolve("entity_rows.csv");
        long t0 = System.nanoTime();
        int half = cfg.featureRows() / 2;
        String marker = cfg.featureRows() + "-" + cfg.entityRows() + "-" + cfg.drivers() + "-" + cfg.customers();
        Path done = dir.resolve("generated-" + marker);
        if (!Files.exists(done)) {
            // The files are about to be rewritten: no other size's marker may vouch for them any more.
            try (var markers = Files.newDirectoryStream(dir, "generated-*")) {
                for (Path m : markers) {
                    Files.delete(m);
                }
            }
            ExecutorService pool = Executors.newFixedThreadPool(3);
            List<Future<?>> jobs = List.of(
                    pool.submit(() -> writeFeatures(fileA, "driver_id", A_FEATURES, A_TYPES, half, cfg.drivers(), 1)),
                    pool.submit(() -> writeFeatures(fileB, "customer_id", B_FEATURES, B_TYPES, half, cfg.customers(), 2)),
                    pool.submit(() -> writeEntities(fileE)));
            for (Future<?> f : jobs) {
                f.get();
            }
            pool.shutdown();
            Files.writeString(done, "ok");
        }
        System.out.printf(Locale.ROOT, "%n[data] %s: %,d + %,d feature rows, %,d entity rows (%.1f s; %,d MB)%n", dir,
                half, half, cfg.entityRows(), (System.nanoTime() - t0) / 1e9,
                (Files.size(fileA) + Files.size(fileB) + Files.size(fileE)) >> 20);
    }

    /** Random rows; event times to the microsecond over 59 days, so two rows of one key practically never tie. */
    Void writeFeatures(Path file, String key, String[] names, String[] types, int rows, int keys, long seed)
            throws IOException {
        Random rnd = new Random(seed);
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write(key + ",event_timestamp,created_timestamp," + String.join(",", names) + "\n");
            StringBuilder sb = new StringBuilder(256);
            for (int i = 0; i < rows; i++) {
                sb.setLength(0);
                long event = (long) (rnd.nextDouble() * WINDOW_MICROS);
                long created = event + (long) (rnd.nextDouble() * 3_600_000_000L);
                sb.append(rnd.nextInt(keys)).append(',').append(ts(event)).append(',').append(ts(created));
                for (String type : types) {
                    sb.append(',');
                    switch (type) {
                        case "FLOAT64", "FLOAT32" -> {
                            if (rnd.nextInt(50) != 0) {
                                sb.append(Math.round(rnd.nextDouble() * 10_000) / 10_000.0);
                            }
                        }
                        case "INT64", "INT32" -> sb.append(rnd.nextInt(1000));
                        default -> sb.append(rnd.nextBoolean());
                    }
                }
                sb.append('\n');
                w.append(sb);
            }
        }
        return null;
    }

    Void writeEntities(Path file) throws IOException {
        Random rnd = new Random(3);
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write("driver_id,customer_id,event_timestamp,label\n");
            long from = 7L * 86400 * 1_000_000;
            for (int i = 0; i < cfg.entityRows(); i++) {
                long t = from + (long) (rnd.nextDouble() * (WINDOW_MICROS - from));
                w.write(rnd.nextInt(cfg.drivers()) + "," + rnd.nextInt(cfg.customers()) + "," + ts(t) + ","
                        + rnd.nextInt(2) + "\n");
            }
        }
        return null;
    }

    static String ts(long microsSinceStart) {
        return START.plusNanos(microsSinceStart * 1000).toString();
    }

    // ---- ingestion ---------------------------------------------------------------------------------------------

    void ingest() throws Exception {
        checkpoint();
        System.out.printf(Locale.ROOT, "%n[ingestion] POST both files to /rows concurrently (one request per view)%n");
        long t0 = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        Future<Long> a = pool.submit(() -> postRows(viewA, fileA));
        Future<Long> b = pool.submit(() -> postRows(viewB, fileB));
        long rows = a.get() + b.get();
        double serverS = (System.nanoTime() - t0) / 1e9;
        double serverRate = rows / serverS;
        System.out.printf(Locale.ROOT, "  %,d rows in %.1f s: %,.0f rows/s%n", rows, serverS, serverRate);

        // The same files into tables of the same definition (columns, types, index), with plain COPY.
        long viewIdA = viewId(viewA);
        long viewIdB = viewId(viewB);
        try (Connection c = connect(); Statement st = c.createStatement()) {
            for (long id : new long[] {viewIdA, viewIdB}) {
                st.execute("DROP TABLE IF EXISTS feature_data.raw_" + id);
                st.execute("CREATE TABLE feature_data.raw_" + id + " (LIKE feature_data.view_" + id
                        + " INCLUDING ALL)");
            }
        }
        checkpoint();
        System.out.printf(Locale.ROOT, "[ingestion] raw COPY ... FROM STDIN (FORMAT csv) of the same files, 2 "
                + "connections%n");
        t0 = System.nanoTime();
        Future<Long> ra = pool.submit(() -> rawCopy(viewIdA, fileA));
        Future<Long> rb = pool.submit(() -> rawCopy(viewIdB, fileB));
        long rawRows = ra.get() + rb.get();
        double rawS = (System.nanoTime() - t0) / 1e9;
        double rawRate = rawRows / rawS;
        pool.shutdown();
        System.out.printf(Locale.ROOT, "  %,d rows in %.1f s: %,.0f rows/s; server / raw = %.1f %%%n", rawRows, rawS,
                rawRate, 100 * serverRate / rawRate);
        try (Connection c = connect(); Statement st = c.createStatement()) {
            st.execute("DROP TABLE feature_data.raw_" + viewIdA);
            st.execute("DROP TABLE feature_data.raw_" + viewIdB);
            long t1 = System.nanoTime();
            st.execute("VACUUM ANALYZE feature_data.view_" + viewIdA);
            st.execute("VACUUM ANALYZE feature_data.view_" + viewIdB);
            System.out.printf(Locale.ROOT, "  VACUUM ANALYZE of both view tables afterwards (the server vacuums "
                    + "after an ingestion of 100k rows or more, so this finds little left): %.1f s%n",
                    (System.nanoTime() - t1) / 1e9);
        }
        summary.add(String.format(Locale.ROOT, "| ingestion through the server: %,d rows (2 views, CSV, 2 requests) | "
                + "%,.0f rows/s (%.1f s) |", rows, serverRate, serverS));
        summary.add(String.format(Locale.ROOT, "| raw COPY (FORMAT csv) of the same files into identical tables | "
                + "%,.0f rows/s (%.1f s); server / raw = %.1f %% |", rawRate, rawS, 100 * serverRate / rawRate));
    }

    long postRows(String view, Path file) throws Exception {
        HttpResponse<String> res = http.send(HttpRequest.newBuilder(URI.create(cfg.baseUrl() + "/api/v1/feature-views/"
                        + view + "/rows")).timeout(Duration.ofSeconds(cfg.requestTimeoutS()))
                .header("Content-Type", "text/csv").POST(HttpRequest.BodyPublishers.ofFile(file)).build(),
                HttpResponse.BodyHandlers.ofString());
        expect(res, 200, "rows of " + view);
        Matcher m = Pattern.compile("\"rows\":(\\d+)").matcher(res.body());
        if (!m.find()) {
            throw new IllegalStateException("no row count in " + res.body());
        }
        return Long.parseLong(m.group(1));
    }

    long rawCopy(long viewId, Path file) throws Exception {
        try (Connection c = connect(); InputStream in = Files.newInputStream(file)) {
            String header = Files.newBufferedReader(file).readLine();
            List<String> cols = Arrays.stream(header.split(",")).map(h -> "\"" + h + "\"").toList();
            return c.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY feature_data.raw_" + viewId + " ("
                    + String.join(", ", cols) + ") FROM STDIN (FORMAT csv, HEADER true)", in);
        }
    }

    // ---- training set ------------------------------------------------------------------------------------------

    /** Counts and sums over a result, to check Cairn and DuckDB agree. */
    record Check(long rows, long convNonNull, double convSum, long tripsSum, long spendNonNull, double spendSum,
                 long ordersSum) {
        boolean matches(Check o) {
            return rows == o.rows && convNonNull == o.convNonNull && spendNonNull == o.spendNonNull
                    && tripsSum == o.tripsSum && ordersSum == o.ordersSum && close(convSum, o.convSum)
                    && close(spendSum, o.spendSum);
        }

        static boolean close(double a, double b) {
            return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a));
        }
    }

    /**
     * Rounds of three runs side by side: Cairn's request, DuckDB's join into a table, DuckDB doing the request's whole
     * job. DuckDB loads the feature rows once, first. The ratios are taken per round and their median reported beside
     * the best times: this machine's speed swings by tens of percent within minutes, and a Cairn run and a DuckDB run
     * minutes apart measured different machines.
     */
    void training() throws Exception {
        String features = String.join(",", Arrays.stream(A_FEATURES).map(f -> viewA + ":" + f).toList()) + ","
                + String.join(",", Arrays.stream(B_FEATURES).map(f -> viewB + ":" + f).toList());
        Class.forName("org.duckdb.DuckDBDriver");
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:"); Statement st = duck.createStatement()) {
            long t0 = System.nanoTime();
            st.execute("CREATE TABLE driver_stats AS SELECT * FROM read_csv('" + fileA + "', header = true, "
                    + "types = {'event_timestamp': 'TIMESTAMP', 'created_timestamp': 'TIMESTAMP'})");
            st.execute("CREATE TABLE customer_stats AS SELECT * FROM read_csv('" + fileB + "', header = true, "
                    + "types = {'event_timestamp': 'TIMESTAMP', 'created_timestamp': 'TIMESTAMP'})");
            st.execute("CREATE TABLE entities AS SELECT row_number() OVER () AS row_id, * FROM read_csv('" + fileE
                    + "', header = true, types = {'event_timestamp': 'TIMESTAMP'})");
            double loadS = (System.nanoTime() - t0) / 1e9;
            ResultSet threads = st.executeQuery("SELECT current_setting('threads')");
            threads.next();
            System.out.printf(Locale.ROOT, "%n[training set] DuckDB %s threads: loaded the three CSV files in %.1f s%n",
                    threads.getString(1), loadS);
            StringBuilder select = new StringBuilder("SELECT e.row_id, e.driver_id, e.customer_id, e.event_timestamp, "
                    + "e.label");
            for (String f : A_FEATURES) {
                select.append(", CASE WHEN a.event_timestamp >= e.event_timestamp - INTERVAL ").append(A_TTL)
                        .append(" SECOND THEN a.").append(f).append(" END AS ").append(f);
            }
            for (String f : B_FEATURES) {
                select.append(", b.").append(f);
            }
            String joins = " ASOF LEFT JOIN driver_stats a ON e.driver_id = a.driver_id AND e.event_timestamp >= a.event_timestamp"
                    + " ASOF LEFT JOIN customer_stats b ON e.customer_id = b.customer_id"
                    + " AND e.event_timestamp >= b.event_timestamp ORDER BY e.row_id";
            String query = "CREATE OR REPLACE TABLE result AS " + select + " FROM entities e" + joins;
            // The same job as Cairn's request: entity rows read from CSV, the join, the result written as CSV.
            Path duckOut = Path.of(cfg.workDir()).resolve("duckdb-result.csv");
            String endToEnd = "COPY (" + select + " FROM (SELECT row_number() OVER () AS row_id, * FROM read_csv('"
                    + fileE + "', header = true, types = {'event_timestamp': 'TIMESTAMP'})) e" + joins + ") TO '"
                    + duckOut + "' (HEADER, DELIMITER ',')";

            List<Double> cairnTimes = new ArrayList<>();
            List<Double> duckTimes = new ArrayList<>();
            List<Double> duckEndToEnd = new ArrayList<>();
            List<Double> joinRatios = new ArrayList<>();
            List<Double> jobRatios = new ArrayList<>();
            Check cairn = null;
            Check duckCheck = null;
            for (int run = 0; run < cfg.trainingRuns(); run++) {
                checkpoint();
                long t1 = System.nanoTime();
                HttpResponse<InputStream> res = http.send(HttpRequest.newBuilder(URI.create(cfg.baseUrl()
                                + "/api/v1/training-sets?features=" + features)).timeout(Duration.ofSeconds(cfg.requestTimeoutS()))
                        .header("Content-Type", "text/csv").header("Accept", "text/csv")
                        .POST(HttpRequest.BodyPublishers.ofFile(fileE)).build(), HttpResponse.BodyHandlers.ofInputStream());
                if (res.statusCode() != 200) {
                    throw new IllegalStateException("training set: HTTP " + res.statusCode() + ": "
                            + new String(res.body().readAllBytes(), StandardCharsets.UTF_8));
                }
                long firstByte = System.nanoTime();
                cairn = readCairn(res.body());
                double cairnS = (System.nanoTime() - t1) / 1e9;
                cairnTimes.add(cairnS);
                System.out.printf(Locale.ROOT, "%n[training set] round %d: Cairn %,d rows x %d columns in %.1f s (first "
                                + "byte after %.1f s); %s%n", run + 1, cairn.rows(),
                        4 + A_FEATURES.length + B_FEATURES.length, cairnS, (firstByte - t1) / 1e9, cairn);

                long t2 = System.nanoTime();
                st.execute(query);
                double joinS = (System.nanoTime() - t2) / 1e9;
                duckTimes.add(joinS);
                ResultSet rs = st.executeQuery("SELECT count(*), count(conv_rate), sum(conv_rate), "
                        + "sum(avg_daily_trips), count(spend), sum(spend), sum(orders) FROM result");
                rs.next();
                duckCheck = new Check(rs.getLong(1), rs.getLong(2), rs.getDouble(3), rs.getLong(4), rs.getLong(5),
                        rs.getDouble(6), rs.getLong(7));
                System.out.printf(Locale.ROOT, "  DuckDB ASOF JOIN into a table: %.2f s; %s%n", joinS, duckCheck);

                long t3 = System.nanoTime();
                st.execute(endToEnd);
                double jobS = (System.nanoTime() - t3) / 1e9;
                duckEndToEnd.add(jobS);
                System.out.printf(Locale.ROOT, "  DuckDB entity CSV -> ASOF JOIN -> result CSV: %.2f s (%,d MB written)%n",
                        jobS, Files.size(duckOut) >> 20);
                joinRatios.add(cairnS / joinS);
                jobRatios.add(cairnS / jobS);
                System.out.printf(Locale.ROOT, "  this round: Cairn / DuckDB = %.1fx (join) / %.1fx (whole job)%n",
                        cairnS / joinS, cairnS / jobS);
            }
            Files.deleteIfExists(duckOut);
            if (!cairn.matches(duckCheck)) {
                throw new IllegalStateException("Cairn and DuckDB disagree: " + cairn + " vs " + duckCheck);
            }
            System.out.println("  Cairn's and DuckDB's results agree (row count, non-null counts and sums)");
            double cairnBest = cairnTimes.stream().mapToDouble(d -> d).min().orElseThrow();
            double duckBest = duckTimes.stream().mapToDouble(d -> d).min().orElseThrow();
            double duckE2e = duckEndToEnd.stream().mapToDouble(d -> d).min().orElseThrow();
            summary.add(String.format(Locale.ROOT, "| training set through the server: %,d entity rows x (%d + %d "
                            + "features), %,d feature rows, CSV in and out (best of %d) | %.1f s |", cfg.entityRows(),
                    A_FEATURES.length, B_FEATURES.length, cfg.featureRows(), cfg.trainingRuns(), cairnBest));
            summary.add(String.format(Locale.ROOT, "| DuckDB ASOF JOIN of the same data, in memory, into a table "
                    + "(best of %d; loading the CSVs took %.1f s more) | %.2f s; Cairn / DuckDB = %.1fx best to best, "
                    + "%.1fx median of rounds |", cfg.trainingRuns(), loadS, duckBest, cairnBest / duckBest,
                    medianOf(joinRatios)));
            summary.add(String.format(Locale.ROOT, "| DuckDB, the same job as the request: entity CSV in, ASOF JOIN, "
                    + "result CSV out (best of %d) | %.2f s; Cairn / DuckDB = %.1fx best to best, %.1fx median of "
                    + "rounds |", cfg.trainingRuns(), duckE2e, cairnBest / duckE2e, medianOf(jobRatios)));
        }
    }

    static double medianOf(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /** Reads Cairn's CSV answer to the end, checking its shape and summing a few columns. */
    Check readCairn(InputStream body) throws IOException {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8), 1 << 16)) {
            String header = r.readLine();
            String[] cols = header.split(",");
            int conv = Arrays.asList(cols).indexOf("conv_rate");
            int trips = Arrays.asList(cols).indexOf("avg_daily_trips");
            int spend = Arrays.asList(cols).indexOf("spend");
            int orders = Arrays.asList(cols).indexOf("orders");
            long rows = 0;
            long convN = 0;
            long spendN = 0;
            long tripsSum = 0;
            long ordersSum = 0;
            double convSum = 0;
            double spendSum = 0;
            String line;
            while ((line = r.readLine()) != null) {
                String[] v = line.split(",", -1);
                if (v.length != cols.length) {
                    throw new IllegalStateException("row " + (rows + 1) + " has " + v.length + " fields: " + line);
                }
                rows++;
                if (!v[conv].isEmpty()) {
                    convN++;
                    convSum += Double.parseDouble(v[conv]);
                }
                if (!v[trips].isEmpty()) {
                    tripsSum += Long.parseLong(v[trips]);
                }
                if (!v[spend].isEmpty()) {
                    spendN++;
                    spendSum += Double.parseDouble(v[spend]);
                }
                if (!v[orders].isEmpty()) {
                    ordersSum += Long.parseLong(v[orders]);
                }
            }
            return new Check(rows, convN, convSum, tripsSum, spendN, spendSum, ordersSum);
        }
    }

    // ---- online ------------------------------------------------------------------------------------------------

    void online() throws Exception {
        long t0 = System.nanoTime();
        HttpResponse<String> m = http.send(HttpRequest.newBuilder(URI.create(cfg.baseUrl() + "/api/v1/materialize"))
                .timeout(Duration.ofSeconds(cfg.requestTimeoutS())).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"feature_views\": [\"" + viewA + "\", \"" + viewB
                        + "\"], \"start\": \"2025-12-01T00:00:00Z\", \"end\": \"2026-04-01T00:00:00Z\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        expect(m, 200, "materialize");
        double matS = (System.nanoTime() - t0) / 1e9;
        Matcher entities = Pattern.compile("\"entities\":(\\d+)").matcher(m.body());
        long total = 0;
        while (entities.find()) {
            total += Long.parseLong(entities.group(1));
        }
        System.out.printf(Locale.ROOT, "%n[online] materialized %,d entities of 2 views in %.1f s (%,.0f entities/s)%n",
                total, matS, total / matS);
        summary.add(String.format(Locale.ROOT, "| materialize %,d feature rows (latest of %,d entities) to Redis | "
                + "%.1f s (%,.0f entities/s) |", cfg.featureRows(), total, matS, total / matS));

        String features = String.join(", ", Arrays.stream(A_FEATURES).map(f -> "\"" + viewA + ":" + f + "\"").toList());
        Random rnd = new Random(9);
        // Warm-up, and a correctness check: a materialized entity's values come back PRESENT.
        HttpResponse<String> probe = post("/get-online-features", body(features, 1, rnd));
        expect(probe, 200, "get-online-features");
        if (!probe.body().contains("PRESENT") || !probe.body().contains("\"feature_names\"")) {
            throw new IllegalStateException("unexpected online answer: " + probe.body());
        }

        String onlineKey;
        try (Connection c = connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT online_key FROM feature_views WHERE name = '" + viewA + "'")) {
            rs.next();
            onlineKey = rs.getString(1);
        }
        List<String> hmget = new ArrayList<>(List.of("HMGET", "cairn:fs:" + onlineKey + ":42", "_ts"));
        hmget.addAll(Arrays.asList(A_FEATURES));

        // The same measurements against both ports that serve Feast's endpoints: the main one (Tomcat + Spring MVC)
        // and the feature server's own (Netty).
        List<String> targets = Arrays.asList(env("ONLINE_TARGETS", "main,feature-server").split(","));
        if (targets.contains("main")) {
            online(new Target("main port (Tomcat, Spring MVC)", cfg.baseUrl(), "http_server_requests"), features,
                    hmget);
        }
        if (targets.contains("feature-server")) {
            online(new Target("feature-server port (Netty)", cfg.featureServerUrl(), "cairn_feature_server_requests"),
                    features, hmget);
        }
    }

    /** Where Feast's endpoints are measured, and the Prometheus histogram that times them inside the server. */
    record Target(String label, String url, String metric) {
    }

    void online(Target target, String features, List<String> hmget) throws Exception {
        System.out.printf(Locale.ROOT, "%n[online] ==== %s: %s ====%n", target.label(), target.url());
        summary.add("| **" + target.label() + "** | |");
        // C2 compiles the read path for tens of seconds on 2 cores; measure the server warm, as it runs in service.
        Path wrk1 = wrkScript(features, 1);
        Path wrk100 = wrkScript(features, 100);
        wrk(target, wrk1, cfg.jitWarmupS());
        wrk(target, wrk100, cfg.jitWarmupS());
        System.out.printf(Locale.ROOT, "[online] JIT warm-up: %d s of each shape at full speed (wrk), not measured%n",
                cfg.jitWarmupS());

        // The floor of the same HTTP stack on this machine: Feast's GET /health, no Redis, no request body.
        fixedRate(target, "baseline GET /health (same server and stack, no Redis)", features, 0, cfg.rate1());
        fixedRate(target, "1 entity x 10 features", features, 1, cfg.rate1());
        fixedRate(target, "100 entities x 10 features", features, 100, cfg.rate100());

        // Closed loops, each right beside the redis-benchmark run it is compared with, in several rounds: on a small
        // VM both swing by ±20 % from one run to the next, so a ratio of two runs far apart means little. The median
        // of the per-round ratios is the figure.
        Path wrkHealth = Path.of(cfg.workDir()).resolve("wrk-health.lua");
        Files.writeString(wrkHealth, "request = function() return wrk.format(\"GET\", \"/health\") end\n");
        List<double[]> rounds = new ArrayList<>();
        for (int r = 1; r <= cfg.rounds(); r++) {
            Wrk one = wrk(target, wrk1, cfg.roundS());
            RedisBench raw1 = redisBenchmark(hmget, 1, 300_000);
            Wrk hundred = wrk(target, wrk100, cfg.roundS());
            RedisBench raw100 = redisBenchmark(hmget, 100, 3_000_000);
            Wrk health = wrk(target, wrkHealth, cfg.roundS());
            double[] x = {one.rps(), raw1.rps(), hundred.rps(), raw100.rps() / 100, health.rps(), one.p50(),
                    one.p99(), hundred.p50(), hundred.p99()};
            rounds.add(x);
            System.out.printf(Locale.ROOT, "[online] round %d: 1 entity %,.0f req/s vs redis-benchmark %,.0f = %.1f %%; "
                    + "100 entities %,.0f req/s vs %,.0f pipelined batches/s = %.1f %%; GET /health %,.0f req/s = %.1f %%"
                    + "%n", r, x[0], x[1], 100 * x[0] / x[1], x[2], x[3], 100 * x[2] / x[3], x[4], 100 * x[4] / x[1]);
        }
        summary.add(String.format(Locale.ROOT, "| get-online-features, 1 entity x 10 features, wrk %d connections back to "
                + "back (median of %d rounds) | %,.0f req/s, p50 %.2f ms, p99 %.2f ms |", cfg.clients(), cfg.rounds(),
                median(rounds, 0), median(rounds, 5), median(rounds, 6)));
        summary.add(String.format(Locale.ROOT, "| get-online-features, 100 entities x 10 features, wrk %d connections "
                + "back to back (median) | %,.0f req/s, p50 %.2f ms, p99 %.2f ms |", cfg.clients(), median(rounds, 2),
                median(rounds, 7), median(rounds, 8)));
        summary.add(String.format(Locale.ROOT, "| ceiling of the HTTP stack: GET /health (no work), wrk %d connections "
                + "(median) | %,.0f req/s |", cfg.clients(), median(rounds, 4)));
        summary.add(String.format(Locale.ROOT, "| redis-benchmark HMGET 11 fields, %d clients, unpipelined (= 1 entity) / "
                + "pipelined 100 deep (= 100 entities), in the same rounds (median) | %,.0f req/s / %,.0f batches/s |",
                cfg.clients(), median(rounds, 1), median(rounds, 3)));
        summary.add(String.format(Locale.ROOT, "| **Cairn / raw, median of the per-round ratios: 1 entity; 100 entities; "
                + "GET /health** (per round: %s) | **%.1f %%; %.1f %%; %.1f %%** |", perRound(rounds),
                medianRatio(rounds, 0, 1), medianRatio(rounds, 2, 3), medianRatio(rounds, 4, 1)));
    }

    static double median(List<double[]> rounds, int i) {
        double[] v = rounds.stream().mapToDouble(x -> x[i]).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    static double medianRatio(List<double[]> rounds, int num, int den) {
        return median(rounds.stream().map(x -> new double[] {100 * x[num] / x[den]}).toList(), 0);
    }

    static String perRound(List<double[]> rounds) {
        List<String> out = new ArrayList<>();
        for (double[] x : rounds) {
            out.add(String.format(Locale.ROOT, "%.0f/%.0f/%.0f", 100 * x[0] / x[1], 100 * x[2] / x[3],
                    100 * x[4] / x[1]));
        }
        return String.join(", ", out) + " %";
    }

    String body(String features, int entities, Random rnd) {
        StringBuilder ids = new StringBuilder();
        for (int i = 0; i < entities; i++) {
            ids.append(i > 0 ? "," : "").append(rnd.nextInt(cfg.drivers()));
        }
        return "{\"features\": [" + features + "], \"entities\": {\"driver_id\": [" + ids + "]}}";
    }

    /** Open loop: requests start on a fixed schedule; latency counts from the scheduled start, so queueing shows. */
    void fixedRate(Target target, String shape, String features, int entities, int rate) throws Exception {
        int workers = Math.max(2, Math.min(16, rate / 100));
        long intervalNs = 1_000_000_000L * workers / rate;
        long start = System.nanoTime() + 200_000_000L;
        long measureFrom = start + cfg.warmupS() * 1_000_000_000L;
        long end = measureFrom + cfg.durationS() * 1_000_000_000L;
        List<long[]> lat = new ArrayList<>();
        AtomicLong late = new AtomicLong();
        String uri = entities == 0 ? "/health" : "/get-online-features";
        java.util.TreeMap<Double, Long> serverBefore = serverBuckets(target.metric(), uri);
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        List<Future<long[]>> futures = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            int worker = w;
            futures.add(pool.submit(() -> {
                RawHttp client = new RawHttp(URI.create(target.url()));
                Random rnd = new Random(100 + worker);
                long[] out = new long[(int) ((end - start) / intervalNs) + 2];
                int n = 0;
                for (long next = start + worker * (intervalNs / workers); next < end; next += intervalNs) {
                    long wait = next - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait);
                    } else if (wait < -1_000_000) {
                        late.incrementAndGet();
                    }
                    int status = entities == 0 ? client.get("/health")
                            : client.post("/get-online-features", body(features, entities, rnd));
                    long done = System.nanoTime();
                    if (status != 200) {
                        throw new IllegalStateException("get-online-features: HTTP " + status);
                    }
                    if (next >= measureFrom) {
                        out[n++] = done - next;
                    }
                }
                client.close();
                return Arrays.copyOf(out, n);
            }));
        }
        for (Future<long[]> f : futures) {
            lat.add(f.get());
        }
        pool.shutdown();
        Histogram all = new Histogram(3);
        lat.forEach(worker -> Arrays.stream(worker).forEach(all::recordValue));
        System.out.printf(Locale.ROOT, "%n[online] %s at a fixed %d req/s for %d s (%d senders): %,d requests, p50 %.2f "
                        + "ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms (%d sends started > 1 ms late)%n", shape, rate,
                cfg.durationS(), workers, all.getTotalCount(), ms(all, 50), ms(all, 99), ms(all, 99.9),
                ms(all, 100), late.get());
        String server = serverPercentiles(serverBefore, serverBuckets(target.metric(), uri));
        System.out.printf(Locale.ROOT, "  server side, from the server's %s histogram (this phase including its "
                + "warm-up): %s%n", target.metric(), server);
        summary.add(String.format(Locale.ROOT, "| %s, fixed %d req/s over HTTP | p50 %.2f ms, "
                + "p99 %.2f ms, max %.2f ms; server side %s |", entities == 0 ? shape : "get-online-features, " + shape,
                rate, ms(all, 50), ms(all, 99), ms(all, 100), server));
    }

    /** Cumulative counts of the server's request timer for one URI, by bucket bound in seconds. */
    java.util.TreeMap<Double, Long> serverBuckets(String metric, String uri) throws Exception {
        HttpResponse<String> res = http.send(HttpRequest.newBuilder(URI.create(cfg.baseUrl() + "/actuator/prometheus"))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        expect(res, 200, "prometheus scrape");
        java.util.TreeMap<Double, Long> buckets = new java.util.TreeMap<>();
        Pattern bucket = Pattern.compile("^" + metric + "_seconds_bucket\\{(.*)\\} ([0-9.eE+]+)$");
        for (String line : res.body().lines().toList()) {
            Matcher m = bucket.matcher(line);
            if (m.matches() && m.group(1).contains("uri=\"" + uri + "\"") && m.group(1).contains("status=\"200\"")) {
                Matcher le = Pattern.compile("le=\"([^\"]+)\"").matcher(m.group(1));
                le.find();
                double bound = le.group(1).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le.group(1));
                buckets.merge(bound, (long) Double.parseDouble(m.group(2)), Long::sum);
            }
        }
        return buckets;
    }

    /** "p50 <= x ms, p99 <= y ms" from the growth of the cumulative buckets between two scrapes. */
    static String serverPercentiles(java.util.TreeMap<Double, Long> before, java.util.TreeMap<Double, Long> after) {
        long total = after.lastEntry() == null ? 0 : after.lastEntry().getValue()
                - before.getOrDefault(after.lastKey(), 0L);
        if (total <= 0) {
            return "n/a";
        }
        StringBuilder out = new StringBuilder();
        for (double q : new double[] {0.50, 0.99, 0.999}) {
            for (Map.Entry<Double, Long> e : after.entrySet()) {
                long n = e.getValue() - before.getOrDefault(e.getKey(), 0L);
                if (n >= q * total) {
                    out.append(out.length() > 0 ? ", " : "").append(String.format(Locale.ROOT, "p%s <= %.2f ms",
                            q == 0.5 ? "50" : q == 0.99 ? "99" : "99.9", e.getKey() * 1000));
                    break;
                }
            }
        }
        return out.toString();
    }

    /** A wrk script posting get-online-features bodies for {@code entities} pseudo-random drivers each. */
    Path wrkScript(String features, int entities) throws IOException {
        Path file = Path.of(cfg.workDir()).resolve("wrk-" + entities + ".lua");
        Files.writeString(file, """
                wrk.method = "POST"
                wrk.headers["Content-Type"] = "application/json"
                local n = 0
                request = function()
                  local ids = {}
                  for i = 1, %d do
                    n = n + 1
                    ids[i] = tostring((n * 7919) %% %d)
                  end
                  return wrk.format(nil, "/get-online-features", nil,
                    '{"features": [%s], "entities": {"driver_id": [' .. table.concat(ids, ",") .. ']}}')
                end
                """.formatted(entities, cfg.drivers(), features.replace("'", "")));
        return file;
    }

    record Wrk(double rps, double p50, double p99) {
    }

    Wrk wrk(Target target, Path script, int seconds) throws Exception {
        Process p = new ProcessBuilder("wrk", "-t2", "-c" + cfg.clients(), "-d" + seconds + "s", "--latency", "-s",
                script.toString(), target.url()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0 || out.contains("Non-2xx") || out.contains("Socket errors")) {
            throw new IllegalStateException("wrk failed or saw errors:\n" + out);
        }
        Matcher rps = Pattern.compile("Requests/sec:\\s+([0-9.]+)").matcher(out);
        if (!rps.find()) {
            throw new IllegalStateException("unexpected wrk output:\n" + out);
        }
        return new Wrk(Double.parseDouble(rps.group(1)), wrkPercentile(out, "50%"), wrkPercentile(out, "99%"));
    }

    /** wrk prints e.g. "     99%    3.27ms" (units us, ms or s); returns milliseconds. */
    static double wrkPercentile(String out, String label) {
        Matcher m = Pattern.compile("^\\s+" + Pattern.quote(label) + "\\s+([0-9.]+)(us|ms|s)\\s*$", Pattern.MULTILINE)
                .matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("no " + label + " latency in wrk output:\n" + out);
        }
        double v = Double.parseDouble(m.group(1));
        return switch (m.group(2)) {
            case "us" -> v / 1000;
            case "s" -> v * 1000;
            default -> v;
        };
    }

    /**
     * A minimal blocking HTTP/1.1 client on one keep-alive socket: the open-loop latency figures measure the server,
     * not the JDK HttpClient's selector thread and executor hand-offs (which add their own jitter on 2 cores).
     */
    static final class RawHttp implements AutoCloseable {
        private final URI base;
        private final String host;
        private java.net.Socket socket;
        private java.io.OutputStream out;
        private java.io.BufferedInputStream in;

        RawHttp(URI base) throws IOException {
            this.base = base;
            host = base.getHost() + ":" + base.getPort();
            connect();
        }

        private void connect() throws IOException {
            socket = new java.net.Socket(base.getHost(), base.getPort());
            socket.setTcpNoDelay(true);
            out = new java.io.BufferedOutputStream(socket.getOutputStream(), 1 << 16);
            in = new java.io.BufferedInputStream(socket.getInputStream(), 1 << 16);
        }

        /** Sends one GET and reads the whole answer; returns the status. */
        int get(String path) throws IOException {
            out.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return answer();
        }

        /** Sends one POST and reads the whole answer; returns the status. */
        int post(String path, String json) throws IOException {
            byte[] body = json.getBytes(StandardCharsets.UTF_8);
            out.write(("POST " + path + " HTTP/1.1\r\nHost: " + host + "\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            return answer();
        }

        private int answer() throws IOException {
            String statusLine = line();
            int status = Integer.parseInt(statusLine.split(" ")[1]);
            long length = -1;
            boolean chunked = false;
            boolean close = false;
            for (String h = line(); !h.isEmpty(); h = line()) {
                String lower = h.toLowerCase(Locale.ROOT);
                if (lower.startsWith("connection:") && lower.contains("close")) {
                    // Tomcat ends a keep-alive connection after 100 requests (maxKeepAliveRequests), as browsers expect.
                    close = true;
                } else if (lower.startsWith("content-length:")) {
                    length = Long.parseLong(lower.substring(15).trim());
                } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                    chunked = true;
                }
            }
            if (chunked) {
                for (long size = Long.parseLong(line().trim(), 16); size > 0; size = Long.parseLong(line().trim(), 16)) {
                    skip(size);
                    line();
                }
                line();
            } else if (length >= 0) {
                skip(length);
            } else {
                throw new IOException("answer without Content-Length or chunked encoding");
            }
            if (close) {
                socket.close();
                connect();
            }
            return status;
        }

        private String line() throws IOException {
            StringBuilder sb = new StringBuilder();
            for (int c = in.read(); c != '\n'; c = in.read()) {
                if (c < 0) {
                    throw new IOException("connection closed");
                }
                if (c != '\r') {
                    sb.append((char) c);
                }
            }
            return sb.toString();
        }

        private void skip(long n) throws IOException {
            while (n > 0) {
                long k = in.skip(n);
                if (k <= 0) {
                    if (in.read() < 0) {
                        throw new IOException("connection closed");
                    }
                    k = 1;
                }
                n -= k;
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    record RedisBench(double rps, double p50, double p99) {
    }

    RedisBench redisBenchmark(List<String> command, int pipeline, int requests) throws Exception {
        List<String> args = new ArrayList<>(List.of("redis-benchmark", "-h", cfg.redisHost(), "-p",
                Integer.toString(cfg.redisPort()), "--dbnum", Integer.toString(cfg.redisDb()), "-c",
                Integer.toString(cfg.clients()), "-n", Integer.toString(requests), "-P", Integer.toString(pipeline),
                "-q", "--precision", "3"));
        args.addAll(command);
        Process p = new ProcessBuilder(args).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException("redis-benchmark failed: " + out);
        }
        // e.g. "HMGET ...: 95238.10 requests per second, p50=0.071 msec"
        String last = out.lines().filter(l -> l.contains("requests per second")).reduce((a, b) -> b).orElseThrow(
                () -> new IllegalStateException("unexpected redis-benchmark output: " + out));
        Matcher rps = Pattern.compile("([0-9.]+) requests per second").matcher(last);
        Matcher p50 = Pattern.compile("p50=([0-9.]+) msec").matcher(last);
        rps.find();
        double median = p50.find() ? Double.parseDouble(p50.group(1)) : Double.NaN;
        // The quiet mode prints only p50; a second, short CSV run gives the p99.
        List<String> csvArgs = new ArrayList<>(args);
        csvArgs.remove("-q");
        csvArgs.set(csvArgs.indexOf("-n") + 1, Integer.toString(Math.max(10_000, requests / 4)));
        csvArgs.add(csvArgs.indexOf("--precision"), "--csv");
        Process q = new ProcessBuilder(csvArgs).redirectErrorStream(true).start();
        String csv = new String(q.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        q.waitFor();
        double p99 = Double.NaN;
        for (String line : csv.lines().toList()) {
            String[] f = line.replace("\"", "").split(",");
            if (f.length >= 8 && !f[0].equals("test")) {
                p99 = Double.parseDouble(f[6]);
            }
        }
        return new RedisBench(Double.parseDouble(rps.group(1)), median, p99);
    }

    // ---- plumbing ----------------------------------------------------------------------------------------------

    void put(String path, String json) throws Exception {
        HttpResponse<String> res = http.send(HttpRequest.newBuilder(URI.create(cfg.baseUrl() + path))
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (res.statusCode() != 200 && res.statusCode() != 201) {
            throw new IllegalStateException("PUT " + path + ": HTTP " + res.statusCode() + " " + res.body());
        }
    }

    HttpResponse<String> post(String path, String json) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(cfg.baseUrl() + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static void expect(HttpResponse<String> res, int status, String what) {
        if (res.statusCode() != status) {
            String body = res.body();
            throw new IllegalStateException(what + ": HTTP " + res.statusCode() + ": "
                    + (body.length() > 500 ? body.substring(0, 500) : body));
        }
    }

    long viewId(String view) throws Exception {
        try (Connection c = connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT view_id FROM feature_views WHERE name = '" + view + "'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    Connection connect() throws Exception {
        return DriverManager.getConnection(cfg.jdbcUrl(), cfg.jdbcUser(), "");
    }

    void checkpoint() throws Exception {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            st.execute("CHECKPOINT");
        }
    }

    /**
     * The latency at {@code percentile} (0 to 100) of nanosecond samples, in ms. HdrHistogram keeps three significant
     * digits, so a figure is within 0.1 % of the exact rank.
     */
    static double ms(Histogram latencies, double percentile) {
        return latencies.getTotalCount() == 0 ? Double.NaN : latencies.getValueAtPercentile(percentile) / 1e6;
    }
}
