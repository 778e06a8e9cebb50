import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * Load generator for Cairn's experiment tracking (issue #2). Single file, JDK + pgjdbc only; launched by
 * bench/tracking.sh with the source launcher:
 *
 * <pre>java -cp postgresql.jar bench/TrackingBench.java</pre>
 *
 * Three measurements against a running server and its database:
 * <ol>
 *   <li>log-batch: CLIENTS threads, each logging to its own run, POST runs/log-batch with 1000 metric points per
 *       call (10 keys x 100 steps) for DURATION_S after WARMUP_S; points/s and per-call latency.</li>
 *   <li>raw COPY: CLIENTS JDBC connections, each COPYing the same 1000-row chunks into metric_history for the same
 *       time; rows/s. The log-batch rate divided by this is the "server/raw" ratio.</li>
 *   <li>search-runs: RUNS runs created through the API in one fresh experiment, then sequential runs/search
 *       requests (filter + order_by) with max_results 100 and 1000; latency percentiles. Every response is
 *       checked against the result the generated data must give (count and exact order).</li>
 * </ol>
 * Configuration comes from environment variables (see {@link Config}); any failure exits non-zero.
 */
public class TrackingBench {

    // ---- configuration -------------------------------------------------------------------------------------------

    record Config(String baseUrl, String jdbcUrl, String jdbcUser, String jdbcPassword, int durationS, int warmupS,
                  int clients, int batchKeys, int batchSteps, int runs, int createThreads, int searchWarmup,
                  int searchRequests, int searchLargeRequests, boolean analyze, boolean skipLogBatch,
                  boolean skipSearch, int requestTimeoutS, long serverPid) {

        static Config fromEnv() {
            return new Config(
                    env("BASE_URL", "http://127.0.0.1:5077"),
                    env("JDBC_URL", "jdbc:postgresql://127.0.0.1:5432/cairn_bench"),
                    env("JDBC_USER", "postgres"),
                    env("JDBC_PASSWORD", ""),
                    intEnv("DURATION_S", 20),
                    intEnv("WARMUP_S", 10),
                    intEnv("CLIENTS", 4),
                    intEnv("BATCH_KEYS", 10),
                    intEnv("BATCH_STEPS", 100),
                    intEnv("RUNS", 10_000),
                    intEnv("CREATE_THREADS", 8),
                    intEnv("SEARCH_WARMUP", 30),
                    intEnv("SEARCH_REQUESTS", 300),
                    intEnv("SEARCH_LARGE_REQUESTS", 300),
                    !env("ANALYZE", "1").equals("0"),
                    env("SKIP_LOGBATCH", "0").equals("1"),
                    env("SKIP_SEARCH", "0").equals("1"),
                    intEnv("REQUEST_TIMEOUT_S", 60),
                    Long.parseLong(env("SERVER_PID", "0")));
        }

        int pointsPerCall() {
            return batchKeys * batchSteps;
        }

        private static String env(String name, String def) {
            String v = System.getenv(name);
            return v == null || v.isBlank() ? def : v.trim();
        }

        private static int intEnv(String name, int def) {
            String v = env(name, Integer.toString(def));
            try {
                return Integer.parseInt(v);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name + " must be an integer, got '" + v + "'");
            }
        }
    }

    /** Realistic training-loop metric names (letters, digits, '_', '/' only: no escaping needed in JSON or COPY). */
    private static final String[] KEYS = {"train/loss", "train/accuracy", "val/loss", "val/accuracy", "learning_rate",
            "grad_norm", "epoch_time_s", "samples_per_s", "gpu_mem_gb", "weight_norm", "train/f1", "val/f1",
            "train/precision", "val/precision", "train/recall", "val/recall"};

    private static final String[] MODELS = {"xgboost", "lightgbm", "random_forest", "logistic_regression"};

    private static final Pattern EXPERIMENT_ID = Pattern.compile("\"experiment_id\"\\s*:\\s*\"([^\"]+)\"");
    private static final Pattern RUN_ID = Pattern.compile("\"run_id\"\\s*:\\s*\"([0-9a-f]{32})\"");
    private static final Pattern STATUS = Pattern.compile("\"status\"\\s*:\\s*\"([A-Z_]+)\"");

    private final Config cfg;
    private final List<String> summary = new ArrayList<>();
    private final List<String> otherCpu = new ArrayList<>();

    TrackingBench(Config cfg) {
        this.cfg = cfg;
    }

    public static void main(String[] args) throws Exception {
        Config cfg = Config.fromEnv();
        if (cfg.batchKeys() > KEYS.length) {
            throw new IllegalArgumentException("BATCH_KEYS must be at most " + KEYS.length);
        }
        TrackingBench bench = new TrackingBench(cfg);
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
        System.out.printf(Locale.ROOT, "TrackingBench: server %s, database %s%n", cfg.baseUrl(), cfg.jdbcUrl());
        System.out.printf(Locale.ROOT, "  %s%n", cfg);
        System.out.printf(Locale.ROOT, "  client JVM %s, %d processors%n", System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors());
        HttpClient setup = newClient();
        if (!cfg.skipLogBatch()) {
            double serverRate = logBatch(setup);
            double rawRate = rawCopy();
            double ratio = serverRate / rawRate;
            System.out.printf(Locale.ROOT, "%nserver/raw ratio: %.1f%%%n", ratio * 100);
            summary.add(String.format(Locale.ROOT, "| log-batch / raw COPY | %.1f%% |", ratio * 100));
        }
        if (!cfg.skipSearch()) {
            searchRuns(setup);
        }
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
    }

    // ---- (a) log-batch throughput --------------------------------------------------------------------------------

    double logBatch(HttpClient setup) throws Exception {
        String experimentId = createExperiment(setup, "bench-logbatch-" + System.currentTimeMillis());
        List<String> runIds = new ArrayList<>();
        for (int i = 0; i < cfg.clients(); i++) {
            runIds.add(createRun(setup, experimentId, System.currentTimeMillis()));
        }
        checkpoint();
        System.out.printf(Locale.ROOT, "%n[log-batch] %d clients, %d points per call (%d keys x %d steps), "
                        + "warm-up %d s, measure %d s%n", cfg.clients(), cfg.pointsPerCall(), cfg.batchKeys(),
                cfg.batchSteps(), cfg.warmupS(), cfg.durationS());
        Result r = timed("log-batch", runIds.size(), (worker, clock) -> {
            HttpClient client = newClient();
            String runId = runIds.get(worker);
            Random rnd = new Random(1000 + worker);
            int call = 0;
            while (clock.running()) {
                String body = logBatchBody(runId, call++, rnd);
                long start = System.nanoTime();
                HttpResponse<String> res = send(client, "/api/2.0/mlflow/runs/log-batch", body);
                long end = System.nanoTime();
                expect200(res, "runs/log-batch");
                clock.record(start, end, cfg.pointsPerCall());
            }
        });
        r.print("log-batch", "points");
        summary.add(String.format(Locale.ROOT, "| log-batch throughput (%d clients, %d pts/call) | %,.0f points/s |",
                cfg.clients(), cfg.pointsPerCall(), r.rate()));
        summary.add(String.format(Locale.ROOT, "| log-batch call latency p50 / p99 / max | %.1f / %.1f / %.1f ms |",
                r.p(0.50), r.p(0.99), r.max()));
        printServerTiming(setup, "/api/2.0/mlflow/runs/log-batch");
        verifyPointCount(runIds, r);
        return r.rate();
    }

    /** One MLflow log-batch body: steps [call*steps, (call+1)*steps) of every key, as a training loop logs them. */
    String logBatchBody(String runId, int call, Random rnd) {
        StringBuilder sb = new StringBuilder(cfg.pointsPerCall() * 80 + 64);
        sb.append("{\"run_id\":\"").append(runId).append("\",\"metrics\":[");
        long now = System.currentTimeMillis();
        long firstStep = (long) call * cfg.batchSteps();
        boolean first = true;
        for (int s = 0; s < cfg.batchSteps(); s++) {
            long step = firstStep + s;
            long ts = now - (cfg.batchSteps() - s) * 10L;
            for (int k = 0; k < cfg.batchKeys(); k++) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                sb.append("{\"key\":\"").append(KEYS[k]).append("\",\"value\":").append(metricValue(k, step, rnd))
                        .append(",\"timestamp\":").append(ts).append(",\"step\":").append(step).append('}');
            }
        }
        return sb.append("],\"params\":[],\"tags\":[]}").toString();
    }

    /** COPY text rows of exactly the same shape and values as {@link #logBatchBody}. */
    String copyRows(String runId, int call, Random rnd) {
        StringBuilder sb = new StringBuilder(cfg.pointsPerCall() * 64);
        long now = System.currentTimeMillis();
        long firstStep = (long) call * cfg.batchSteps();
        for (int s = 0; s < cfg.batchSteps(); s++) {
            long step = firstStep + s;
            long ts = now - (cfg.batchSteps() - s) * 10L;
            for (int k = 0; k < cfg.batchKeys(); k++) {
                sb.append(runId).append('\t').append(KEYS[k]).append('\t').append(metricValue(k, step, rnd))
                        .append('\t').append(ts).append('\t').append(step).append('\n');
            }
        }
        return sb.toString();
    }

    private static double metricValue(int key, long step, Random rnd) {
        double decay = 1.0 / (1.0 + step / 1000.0);
        return switch (key % 4) {
            case 0 -> 2.5 * decay + rnd.nextDouble() * 0.05;          // a loss
            case 1 -> 1.0 - 0.9 * decay * rnd.nextDouble();           // an accuracy
            case 2 -> 3e-4 * decay;                                    // a schedule
            default -> rnd.nextDouble() * 1000.0;                      // a timing / throughput
        };
    }

    /** Reads back how many points landed for the log-batch runs: must be at least what the clients counted. */
    private void verifyPointCount(List<String> runIds, Result r) throws Exception {
        try (Connection c = connect(); var ps = c.prepareStatement(
                "SELECT count(*) FROM metric_history WHERE run_id = ANY(?)")) {
            ps.setArray(1, c.createArrayOf("varchar", runIds.toArray()));
            try (var rs = ps.executeQuery()) {
                rs.next();
                long stored = rs.getLong(1);
                System.out.printf(Locale.ROOT, "  stored points for the %d runs (incl. warm-up): %,d%n", runIds.size(),
                        stored);
                if (stored < r.units()) {
                    throw new IllegalStateException("metric_history holds " + stored + " points for the bench runs but "
                            + r.units() + " were acknowledged in the measured window alone");
                }
            }
        }
    }

    // ---- (b) raw COPY limit --------------------------------------------------------------------------------------

    double rawCopy() throws Exception {
        checkpoint();
        System.out.printf(Locale.ROOT, "%n[raw COPY] %d JDBC connections, COPY metric_history FROM STDIN of %d rows "
                + "per call, warm-up %d s, measure %d s%n", cfg.clients(), cfg.pointsPerCall(), cfg.warmupS(), cfg.durationS());
        Result r = timed("raw COPY", cfg.clients(), (worker, clock) -> {
            String runId = UUID.randomUUID().toString().replace("-", "");
            Random rnd = new Random(2000 + worker);
            try (Connection c = connect()) {
                c.setAutoCommit(true); // one transaction per chunk, like one log-batch request
                CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
                int call = 0;
                while (clock.running()) {
                    byte[] rows = copyRows(runId, call++, rnd).getBytes(StandardCharsets.UTF_8);
                    long start = System.nanoTime();
                    long n = copy.copyIn("COPY metric_history (run_id, key, value, timestamp, step) FROM STDIN",
                            new ByteArrayInputStream(rows));
                    long end = System.nanoTime();
                    if (n != cfg.pointsPerCall()) {
                        throw new IllegalStateException("COPY reported " + n + " rows, expected " + cfg.pointsPerCall());
                    }
                    clock.record(start, end, cfg.pointsPerCall());
                }
            }
        });
        r.print("raw COPY", "rows");
        summary.add(String.format(Locale.ROOT, "| raw COPY (%d connections, %d rows/COPY) | %,.0f rows/s |",
                cfg.clients(), cfg.pointsPerCall(), r.rate()));
        summary.add(String.format(Locale.ROOT, "| raw COPY latency p50 / p99 | %.1f / %.1f ms |", r.p(0.50), r.p(0.99)));
        return r.rate();
    }

    // ---- (c) search-runs -----------------------------------------------------------------------------------------

    record SeededRun(String runId, long startTime, double acc, double loss, String model) {
    }

    void searchRuns(HttpClient setup) throws Exception {
        String experimentId = createExperiment(setup, "bench-search-" + System.currentTimeMillis());
        System.out.printf(Locale.ROOT, "%n[search-runs] creating %,d runs in experiment %s with %d threads "
                + "(runs/create + one log-batch each)%n", cfg.runs(), experimentId, cfg.createThreads());
        SeededRun[] seeded = new SeededRun[cfg.runs()];
        long base = System.currentTimeMillis() - cfg.runs() * 1000L;
        AtomicInteger next = new AtomicInteger();
        long t0 = System.nanoTime();
        runWorkers(cfg.createThreads(), worker -> {
            HttpClient client = newClient();
            for (int i = next.getAndIncrement(); i < cfg.runs(); i = next.getAndIncrement()) {
                Random rnd = new Random(7_000_000L + i);
                long start = base + i * 1000L;
                double acc = rnd.nextDouble();
                double loss = -Math.log(Math.max(acc, 1e-9)) + rnd.nextDouble() * 0.1;
                String model = MODELS[rnd.nextInt(MODELS.length)];
                String runId = createRun(client, experimentId, start);
                String body = "{\"run_id\":\"" + runId + "\",\"metrics\":["
                        + "{\"key\":\"acc\",\"value\":" + acc + ",\"timestamp\":" + (start + 500) + ",\"step\":0},"
                        + "{\"key\":\"loss\",\"value\":" + loss + ",\"timestamp\":" + (start + 500) + ",\"step\":0}],"
                        + "\"params\":[{\"key\":\"model\",\"value\":\"" + model + "\"},"
                        + "{\"key\":\"lr\",\"value\":\"" + (0.001 * (1 + rnd.nextInt(10))) + "\"},"
                        + "{\"key\":\"seed\",\"value\":\"" + i + "\"}],"
                        + "\"tags\":[{\"key\":\"team\",\"value\":\"bench\"}]}";
                expect200(send(client, "/api/2.0/mlflow/runs/log-batch", body), "runs/log-batch");
                seeded[i] = new SeededRun(runId, start, acc, loss, model);
            }
        });
        double createS = (System.nanoTime() - t0) / 1e9;
        System.out.printf(Locale.ROOT, "  created %,d runs in %.1f s (%.0f runs/s, 2 requests each)%n", cfg.runs(),
                createS, cfg.runs() / createS);
        summary.add(String.format(Locale.ROOT, "| seeding: runs/create + log-batch (%d threads) | %,.0f runs/s |",
                cfg.createThreads(), cfg.runs() / createS));
        if (cfg.analyze()) {
            try (Connection c = connect(); Statement st = c.createStatement()) {
                st.execute("ANALYZE");
            }
            System.out.println("  ran ANALYZE on the bench database");
        }

        // What the server must answer: matching runs by acc DESC (then start_time DESC, run_id ASC).
        List<SeededRun> expected = Arrays.stream(seeded)
                .filter(r -> r.acc() > 0.5 && r.model().equals("xgboost"))
                .sorted(Comparator.comparingDouble(SeededRun::acc).reversed()
                        .thenComparing(Comparator.comparingLong(SeededRun::startTime).reversed())
                        .thenComparing(SeededRun::runId))
                .toList();
        System.out.printf(Locale.ROOT, "  %,d of %,d runs match the filter%n", expected.size(), cfg.runs());
        if (expected.isEmpty()) {
            throw new IllegalStateException("no generated run matches the filter; raise RUNS");
        }
        searchShape(setup, experimentId, expected, "acc", 100, cfg.searchRequests());
        searchShape(setup, experimentId, expected, "acc", 1000, cfg.searchLargeRequests());
        // Issue #17's shape: filtered on one metric and a param, ordered by another metric.
        List<SeededRun> byLoss = expected.stream()
                .sorted(Comparator.comparingDouble(SeededRun::loss).reversed()
                        .thenComparing(Comparator.comparingLong(SeededRun::startTime).reversed())
                        .thenComparing(SeededRun::runId))
                .toList();
        searchShape(setup, experimentId, byLoss, "loss", 100, cfg.searchRequests());
    }

    private void searchShape(HttpClient client, String experimentId, List<SeededRun> expected, String orderMetric,
                             int maxResults, int requests) throws Exception {
        String filter = "metrics.acc > 0.5 AND params.model = 'xgboost'";
        String body = "{\"experiment_ids\":[\"" + experimentId + "\"],\"filter\":\"" + filter.replace("\"", "\\\"")
                + "\",\"order_by\":[\"metrics." + orderMetric + " DESC\"],\"max_results\":" + maxResults + "}";
        List<String> want = expected.subList(0, Math.min(maxResults, expected.size())).stream().map(SeededRun::runId)
                .toList();
        System.out.printf(Locale.ROOT, "%n[search-runs] max_results=%d, filter \"%s\", order_by metrics.%s DESC: "
                + "%d warm-up + %d measured sequential requests%n", maxResults, filter, orderMetric, cfg.searchWarmup(),
                requests);
        long[] lat = new long[requests];
        long bytes = 0;
        CpuMeter meter = new CpuMeter("search-runs max_results=" + maxResults);
        for (int i = 0; i < cfg.searchWarmup() + requests; i++) {
            if (i == cfg.searchWarmup()) {
                meter.begin();
            }
            long start = System.nanoTime();
            HttpResponse<String> res = send(client, "/api/2.0/mlflow/runs/search", body);
            long end = System.nanoTime();
            expect200(res, "runs/search");
            List<String> got = new ArrayList<>();
            Matcher m = RUN_ID.matcher(res.body());
            while (m.find()) {
                got.add(m.group(1));
            }
            if (got.isEmpty()) {
                throw new IllegalStateException("runs/search returned no runs: " + abbreviate(res.body()));
            }
            if (!got.equals(want)) {
                throw new IllegalStateException("runs/search returned " + got.size() + " runs, expected " + want.size()
                        + "; first got " + got.get(0) + ", first expected " + want.get(0)
                        + (got.size() == want.size() ? " (same count, different order or members)" : ""));
            }
            if (i >= cfg.searchWarmup()) {
                lat[i - cfg.searchWarmup()] = end - start;
                bytes = res.body().length();
            }
        }
        meter.end();
        Histogram latencies = histogram(lat);
        double p50 = ms(latencies, 50), p99 = ms(latencies, 99), max = ms(latencies, 100);
        System.out.printf(Locale.ROOT, "  %d runs per response (%,d bytes); latency p50 %.1f ms, p99 %.1f ms, max %.1f ms, "
                + "mean %.1f ms%n", want.size(), bytes, p50, p99, max, Arrays.stream(lat).average().orElse(0) / 1e6);
        summary.add(String.format(Locale.ROOT, "| search-runs over %,d runs, max_results=%d (%d runs returned) "
                + "order_by metrics.%s p50 / p99 / max | %.1f / %.1f / %.1f ms |", cfg.runs(), maxResults, want.size(),
                orderMetric, p50, p99, max));
        printServerTiming(client, "/api/2.0/mlflow/runs/search");
    }

    // ---- timed phases --------------------------------------------------------------------------------------------

    interface Worker {
        void run(int worker, Clock clock) throws Exception;
    }

    interface SimpleWorker {
        void run(int worker) throws Exception;
    }

    /** Shared phase clock: warm-up, then the measured window; only calls that start inside the window count. */
    static final class Clock {
        final long measureStart;
        final long measureEnd;
        final List<long[]> perWorker;
        final int[] count;
        final long[] units;
        final long[] lastEnd;
        private final ThreadLocal<Integer> me = new ThreadLocal<>();

        Clock(int workers, long warmupNs, long durationNs) {
            measureStart = System.nanoTime() + warmupNs;
            measureEnd = measureStart + durationNs;
            perWorker = new ArrayList<>();
            for (int i = 0; i < workers; i++) {
                perWorker.add(new long[1024]);
            }
            count = new int[workers];
            units = new long[workers];
            lastEnd = new long[workers];
        }

        boolean running() {
            return System.nanoTime() < measureEnd;
        }

        void bind(int worker) {
            me.set(worker);
        }

        void record(long start, long end, long n) {
            if (start < measureStart) {
                return;
            }
            int w = me.get();
            long[] lat = perWorker.get(w);
            if (count[w] == lat.length) {
                lat = Arrays.copyOf(lat, lat.length * 2);
                perWorker.set(w, lat);
            }
            lat[count[w]++] = end - start;
            units[w] += n;
            lastEnd[w] = Math.max(lastEnd[w], end);
        }
    }

    record Result(long units, double seconds, Histogram latencies) {
        double rate() {
            return units / seconds;
        }

        /** The latency at quantile {@code q} (0 to 1), in ms. */
        double p(double q) {
            return ms(latencies, q * 100);
        }

        double max() {
            return ms(latencies, 100);
        }

        void print(String name, String unit) {
            System.out.printf(Locale.ROOT, "  %s: %,d %s in %.2f s = %,.0f %s/s; %d calls, latency p50 %.1f ms, "
                            + "p99 %.1f ms, max %.1f ms%n", name, units, unit, seconds, rate(), unit, latencies.getTotalCount(),
                    p(0.50), p(0.99), max());
        }
    }

    Result timed(String phase, int workers, Worker body) throws Exception {
        Clock clock = new Clock(workers, TimeUnit.SECONDS.toNanos(cfg.warmupS()), TimeUnit.SECONDS.toNanos(cfg.durationS()));
        CpuMeter meter = new CpuMeter(phase);
        Thread starter = new Thread(() -> {
            try {
                TimeUnit.NANOSECONDS.sleep(clock.measureStart - System.nanoTime());
                meter.begin();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        starter.setDaemon(true);
        starter.start();
        try {
            runWorkers(workers, w -> {
                clock.bind(w);
                body.run(w, clock);
            });
        } finally {
            starter.interrupt();
            meter.end();
        }
        long units = 0;
        long end = clock.measureStart;
        int calls = 0;
        for (int w = 0; w < workers; w++) {
            units += clock.units[w];
            end = Math.max(end, clock.lastEnd[w]);
            calls += clock.count[w];
        }
        Histogram all = new Histogram(3);
        for (int w = 0; w < workers; w++) {
            long[] mine = clock.perWorker.get(w);
            for (int i = 0; i < clock.count[w]; i++) {
                all.recordValue(mine[i]);
            }
        }
        if (calls == 0) {
            throw new IllegalStateException("no call completed inside the measured window");
        }
        return new Result(units, (end - clock.measureStart) / 1e9, all);
    }

    /** Runs the workers on their own threads; the first failure cancels the rest and is rethrown. */
    void runWorkers(int workers, SimpleWorker body) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                int worker = w;
                futures.add(pool.submit(() -> {
                    body.run(worker);
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    futures.forEach(x -> x.cancel(true));
                    throw e.getCause() instanceof Exception ex ? ex : e;
                }
            }
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(30, TimeUnit.SECONDS);
        }
    }

    static Histogram histogram(long[] nanos) {
        Histogram h = new Histogram(3);
        for (long v : nanos) {
            h.recordValue(v);
        }
        return h;
    }

    /**
     * The latency at {@code percentile} (0 to 100) in ms, 0 without samples. HdrHistogram keeps three significant
     * digits, so a figure is within 0.1 % of the exact rank.
     */
    static double ms(Histogram latencies, double percentile) {
        return latencies.getTotalCount() == 0 ? 0 : latencies.getValueAtPercentile(percentile) / 1e6;
    }

    // ---- CPU accounting ------------------------------------------------------------------------------------------

    /**
     * Where the machine's CPU went during a measured window (Linux /proc): this bench's processes (server JVM, this
     * JVM, the PostgreSQL backends of the bench database and PostgreSQL's background processes) versus interrupts,
     * steal and every other process. "Other" well above zero means something else ran beside the measurement and the
     * numbers are skewed. Process ticks are sampled every second, so backends that exit inside the window still count.
     */
    final class CpuMeter {
        private final String phase;
        private final Map<Long, long[]> ticks = new ConcurrentHashMap<>(); // pid -> {first, last}
        private final Map<Long, String> role = new ConcurrentHashMap<>();
        private long[] cpuStart;
        private Thread sampler;
        private Connection pg;

        CpuMeter(String phase) {
            this.phase = phase;
        }

        synchronized void begin() {
            if (cpuStart != null || !Files.isReadable(Path.of("/proc/stat"))) {
                return;
            }
            try {
                pg = connect();
            } catch (Exception e) {
                pg = null;
            }
            cpuStart = cpuLine();
            sample();
            sampler = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    try {
                        Thread.sleep(1000);
                    } catch (InterruptedException e) {
                        return;
                    }
                    sample();
                }
            });
            sampler.setDaemon(true);
            sampler.start();
        }

        synchronized void end() {
            if (cpuStart == null || sampler == null) {
                return;
            }
            sampler.interrupt();
            try {
                sampler.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            sampler = null;
            sample();
            long[] cpuEnd = cpuLine();
            try {
                if (pg != null) {
                    pg.close();
                }
            } catch (Exception ignored) {
                // closing a monitoring connection
            }
            if (cpuEnd == null) {
                return;
            }
            long[] d = new long[cpuEnd.length];
            long total = 0;
            for (int i = 0; i < d.length; i++) {
                d[i] = cpuEnd[i] - cpuStart[i];
                total += d[i];
            }
            if (total <= 0) {
                return;
            }
            // /proc/stat cpu: user nice system idle iowait irq softirq steal
            long idle = d[3] + d[4];
            long irq = d[5] + d[6];
            long steal = d.length > 7 ? d[7] : 0;
            long server = 0, self = 0, postgres = 0;
            for (Map.Entry<Long, long[]> e : ticks.entrySet()) {
                long used = e.getValue()[1] - e.getValue()[0];
                switch (role.getOrDefault(e.getKey(), "")) {
                    case "server" -> server += used;
                    case "self" -> self += used;
                    default -> postgres += used;
                }
            }
            long ours = server + self + postgres;
            long other = Math.max(0, total - idle - irq - steal - ours);
            double t = total / 100.0;
            System.out.printf(Locale.ROOT, "  CPU in the window (%d CPUs = 100%%): busy %.0f%%; this bench %.0f%% (server %.0f%%, "
                            + "load generator %.0f%%, PostgreSQL %.0f%%), irq/softirq %.0f%%, steal %.0f%%, other processes %.0f%%%n",
                    Runtime.getRuntime().availableProcessors(), (total - idle) / t, ours / t, server / t, self / t,
                    postgres / t, irq / t, steal / t, other / t);
            otherCpu.add(String.format(Locale.ROOT, "%s %.0f%%", phase, other / t));
            if (other / t > 10) {
                System.out.printf(Locale.ROOT, "  WARNING: other processes used %.0f%% of the CPU during %s; the numbers "
                        + "are skewed by concurrent load%n", other / t, phase);
            }
        }

        private void sample() {
            Set<Long> pids = new HashSet<>();
            long me = ProcessHandle.current().pid();
            role.put(me, "self");
            pids.add(me);
            if (cfg.serverPid() > 0) {
                role.put(cfg.serverPid(), "server");
                pids.add(cfg.serverPid());
            }
            if (pg != null) {
                try (Statement st = pg.createStatement(); var rs = st.executeQuery(
                        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() OR datname IS NULL")) {
                    while (rs.next()) {
                        long pid = rs.getLong(1);
                        role.putIfAbsent(pid, "postgres");
                        pids.add(pid);
                    }
                } catch (Exception ignored) {
                    // keep the pids already known
                }
            }
            pids.addAll(ticks.keySet());
            for (long pid : pids) {
                long t = processTicks(pid);
                if (t >= 0) {
                    ticks.compute(pid, (k, v) -> v == null ? new long[] {t, t} : new long[] {v[0], t});
                }
            }
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

        /** utime + stime of a process in clock ticks, or -1 once it is gone. */
        private static long processTicks(long pid) {
            try {
                String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                return Long.parseLong(f[11]) + Long.parseLong(f[12]);
            } catch (Exception e) {
                return -1;
            }
        }
    }

    // ---- HTTP and JDBC helpers -----------------------------------------------------------------------------------

    HttpClient newClient() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
    }

    HttpResponse<String> send(HttpClient client, String path, String json) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create(cfg.baseUrl() + path))
                .timeout(Duration.ofSeconds(cfg.requestTimeoutS()))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8))
                .build();
        return client.send(req, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private static void expect200(HttpResponse<String> res, String what) {
        if (res.statusCode() != 200) {
            throw new IllegalStateException(what + " answered HTTP " + res.statusCode() + ": " + abbreviate(res.body()));
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 500 ? s : s.substring(0, 500) + "...";
    }

    String createExperiment(HttpClient client, String name) throws Exception {
        HttpResponse<String> res = send(client, "/api/2.0/mlflow/experiments/create", "{\"name\":\"" + name + "\"}");
        expect200(res, "experiments/create");
        Matcher m = EXPERIMENT_ID.matcher(res.body());
        if (!m.find()) {
            throw new IllegalStateException("experiments/create: no experiment_id in " + abbreviate(res.body()));
        }
        return m.group(1);
    }

    String createRun(HttpClient client, String experimentId, long startTime) throws Exception {
        HttpResponse<String> res = send(client, "/api/2.0/mlflow/runs/create",
                "{\"experiment_id\":\"" + experimentId + "\",\"start_time\":" + startTime + "}");
        expect200(res, "runs/create");
        Matcher m = RUN_ID.matcher(res.body());
        Matcher s = STATUS.matcher(res.body());
        if (!m.find() || !s.find() || !s.group(1).equals("RUNNING")) {
            throw new IllegalStateException("runs/create: unexpected answer " + abbreviate(res.body()));
        }
        return m.group(1);
    }

    Connection connect() throws Exception {
        return DriverManager.getConnection(cfg.jdbcUrl(), cfg.jdbcUser(), cfg.jdbcPassword());
    }

    /** Flushes dirty pages before a throughput phase, so a checkpoint triggered by the previous one does not land in it. */
    private void checkpoint() {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            st.execute("CHECKPOINT");
        } catch (Exception e) {
            System.out.println("  (CHECKPOINT skipped: " + e.getMessage() + ")");
        }
    }

    /** Server-side view of an endpoint from Spring's http.server.requests timer (cumulative since start). */
    private void printServerTiming(HttpClient client, String uri) {
        try {
            HttpRequest req = HttpRequest.newBuilder(URI.create(cfg.baseUrl()
                            + "/actuator/metrics/http.server.requests?tag=uri:" + uri))
                    .timeout(Duration.ofSeconds(10)).GET().build();
            HttpResponse<String> res = client.send(req, HttpResponse.BodyHandlers.ofString());
            if (res.statusCode() != 200) {
                return;
            }
            double count = measurement(res.body(), "COUNT");
            double total = measurement(res.body(), "TOTAL_TIME");
            double max = measurement(res.body(), "MAX");
            System.out.printf(Locale.ROOT, "  server-side (http.server.requests, cumulative since start): %,.0f requests, "
                    + "mean %.1f ms, recent max %.1f ms%n", count, total / count * 1000, max * 1000);
        } catch (Exception e) {
            System.out.println("  (server-side timing unavailable: " + e.getMessage() + ")");
        }
    }

    private static double measurement(String json, String statistic) {
        Matcher m = Pattern.compile("\"statistic\"\\s*:\\s*\"" + statistic + "\"\\s*,\\s*\"value\"\\s*:\\s*([0-9.eE+-]+)")
                .matcher(json);
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }
}
