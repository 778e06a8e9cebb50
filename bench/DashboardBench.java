import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.options.LoadState;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The dashboard bench's two modes. load: one experiment with RUNS runs, each with METRICS latest metrics and PARAMS
 * params (one log-batch per run, LOADERS threads, through the MLflow REST API as training scripts send them), one
 * run with a HISTORY-step metric, and a model version of it. measure: each page's server time, then FCP and transfer
 * in Chromium, then the raw floors. Prints RESULT lines.
 */
public class DashboardBench {

    static final String BASE = System.getenv().getOrDefault("BASE_URL", "http://127.0.0.1:5096");
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static final Pattern ID = Pattern.compile("\"experiment_id\"\\s*:\\s*\"(\\d+)\"");
    static final Pattern RUN = Pattern.compile("\"run_id\"\\s*:\\s*\"([0-9a-f]+)\"");

    public static void main(String[] args) throws Exception {
        if ("load".equals(System.getenv("MODE"))) {
            load();
        } else {
            measure();
        }
    }

    static int env(String name, int fallback) {
        return Integer.parseInt(System.getenv().getOrDefault(name, String.valueOf(fallback)));
    }

    static String post(String path, String json) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(BASE + path))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(120))
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(path + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }

    static String find(Pattern p, String body) {
        Matcher m = p.matcher(body);
        if (!m.find()) {
            throw new IllegalStateException("no match for " + p + " in " + body);
        }
        return m.group(1);
    }

    static void load() throws Exception {
        int runs = env("RUNS", 10_000);
        int metrics = env("METRICS", 100);
        int params = env("PARAMS", 50);
        int history = env("HISTORY", 100_000);
        String experiment = find(ID, post("/api/2.0/mlflow/experiments/create", "{\"name\": \"dashboard-bench\"}"));
        long t0 = System.nanoTime();
        AtomicInteger done = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(env("LOADERS", 4));
        List<Future<?>> futures = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            int n = i;
            futures.add(pool.submit(() -> {
                long start = 1_700_000_000_000L + n * 1000L;
                String run = find(RUN, post("/api/2.0/mlflow/runs/create", "{\"experiment_id\": \"" + experiment
                        + "\", \"run_name\": \"run-" + n + "\", \"start_time\": " + start + "}"));
                StringBuilder body = new StringBuilder("{\"run_id\": \"").append(run).append("\", \"metrics\": [");
                for (int m = 0; m < metrics; m++) {
                    body.append(m == 0 ? "" : ",").append("{\"key\": \"m").append(m).append("\", \"value\": ")
                            .append(((n * 31 + m * 17) % 1000) / 1000.0).append(", \"timestamp\": ").append(start)
                            .append(", \"step\": 0}");
                }
                body.append("], \"params\": [");
                for (int p = 0; p < params; p++) {
                    body.append(p == 0 ? "" : ",").append("{\"key\": \"p").append(p).append("\", \"value\": \"")
                            .append((char) ('a' + (n + p) % 5)).append("\"}");
                }
                body.append("]}");
                post("/api/2.0/mlflow/runs/log-batch", body.toString());
                post("/api/2.0/mlflow/runs/update", "{\"run_id\": \"" + run + "\", \"status\": \"FINISHED\", "
                        + "\"end_time\": " + (start + 60_000) + "}");
                int d = done.incrementAndGet();
                if (d % 1000 == 0) {
                    System.out.printf(Locale.ROOT, "loaded %d runs (%.0f runs/s)%n", d,
                            d / ((System.nanoTime() - t0) / 1e9));
                }
                return null;
            }));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        pool.shutdown();
        String longRun = find(RUN, post("/api/2.0/mlflow/runs/create", "{\"experiment_id\": \"" + experiment
                + "\", \"run_name\": \"long-history\", \"start_time\": 1800000000000}"));
        for (int start = 0; start < history; start += 1000) {
            StringBuilder body = new StringBuilder("{\"run_id\": \"").append(longRun).append("\", \"metrics\": [");
            for (int s = start; s < Math.min(history, start + 1000); s++) {
                body.append(s == start ? "" : ",").append("{\"key\": \"loss\", \"value\": ")
                        .append(Math.exp(-s / 20_000.0) + 0.05 * Math.sin(s / 37.0)).append(", \"timestamp\": ")
                        .append(1_800_000_000_000L + s).append(", \"step\": ").append(s).append('}');
            }
            post("/api/2.0/mlflow/runs/log-batch", body.append("]}").toString());
        }
        HttpResponse<String> put = HTTP.send(HttpRequest.newBuilder(URI.create(BASE
                        + "/api/2.0/mlflow-artifacts/artifacts/" + experiment + "/" + longRun + "/artifacts/model/MLmodel"))
                .PUT(HttpRequest.BodyPublishers.ofString("artifact_path: model\n")).build(),
                HttpResponse.BodyHandlers.ofString());
        if (put.statusCode() != 200) {
            throw new IllegalStateException("artifact upload answered " + put.statusCode() + ": " + put.body());
        }
        post("/api/2.0/mlflow/registered-models/create", "{\"name\": \"bench-model\"}");
        post("/api/2.0/mlflow/model-versions/create", "{\"name\": \"bench-model\", \"source\": \"mlflow-artifacts:/"
                + experiment + "/" + longRun + "/artifacts/model\", \"run_id\": \"" + longRun + "\"}");
        System.out.printf(Locale.ROOT, "RESULT load runs=%d metrics=%d params=%d history=%d seconds=%.0f%n", runs,
                metrics, params, history, (System.nanoTime() - t0) / 1e9);
    }

    record Target(String name, String path) {
    }

    static List<Target> targets(String experiment, String longRun, List<String> someRuns) {
        String e = "/experiments/" + experiment;
        StringBuilder wide = new StringBuilder(e + "?cols=1");
        for (int m = 0; m < 15; m++) {
            wide.append("&col=metrics.m").append(m);
        }
        for (int p = 0; p < 5; p++) {
            wide.append("&col=params.p").append(p);
        }
        return List.of(
                new Target("home", "/"),
                new Target("experiments", "/experiments"),
                new Target("runs table (default columns, newest first)", e),
                new Target("runs table (20 columns, order by metric)", wide + "&order=metrics.m2+DESC"),
                new Target("runs table (filter + order, page 50)", wide + "&filter=metrics.m3+%3E+0.5+and+params.p1+%3D+%27a%27"
                        + "&order=metrics.m2+DESC&page=50"),
                new Target("run (100k-step metric)", "/runs/" + longRun),
                new Target("series 100k -> 2000 (LTTB)", "/runs/" + longRun + "/series?key=loss"),
                new Target("series zoom 10k steps", "/runs/" + longRun + "/series?key=loss&from=40000&to=49999"),
                new Target("run (100 metrics, 50 params)", "/runs/" + someRuns.get(0)),
                new Target("compare 5 runs", e + "/compare?run=" + String.join("&run=", someRuns) + "&metric=m1"),
                new Target("models", "/models"),
                new Target("model", "/models/bench-model"),
                new Target("version with card", "/models/bench-model/versions/1"),
                new Target("features", "/features"),
                new Target("deployments", "/deployments"),
                new Target("lineage (run)", "/lineage?run=" + longRun),
                new Target("audit", "/audit"));
    }

    static void measure() throws Exception {
        int rounds = env("ROUNDS", 3);
        int repeats = env("REPEATS", 20);
        String search = post("/api/2.0/mlflow/experiments/search", "{\"filter\": \"name = 'dashboard-bench'\"}");
        String experiment = find(ID, search);
        String longRun = find(RUN, post("/api/2.0/mlflow/runs/search", "{\"experiment_ids\": [\"" + experiment
                + "\"], \"filter\": \"attributes.run_name = 'long-history'\"}"));
        List<String> someRuns = new ArrayList<>();
        Matcher m = RUN.matcher(post("/api/2.0/mlflow/runs/search", "{\"experiment_ids\": [\"" + experiment
                + "\"], \"filter\": \"attributes.run_name LIKE 'run-%'\", \"max_results\": 5}"));
        while (m.find()) {
            someRuns.add(m.group(1));
        }
        List<Target> targets = targets(experiment, longRun, someRuns);

        // Server time: sequential GETs on loopback, body read in full; ROUNDS rounds of REPEATS after one warm-up.
        Map<String, List<Double>> p95s = new LinkedHashMap<>();
        Map<String, List<Double>> p50s = new LinkedHashMap<>();
        Map<String, Long> bytes = new LinkedHashMap<>();
        for (Target t : targets) {
            time(t.path());
        }
        for (int round = 0; round < rounds; round++) {
            for (Target t : targets) {
                double[] ms = new double[repeats];
                for (int i = 0; i < repeats; i++) {
                    long[] r = time(t.path());
                    ms[i] = r[0] / 1e6;
                    bytes.put(t.name(), r[1]);
                }
                Arrays.sort(ms);
                p50s.computeIfAbsent(t.name(), k -> new ArrayList<>()).add(ms[repeats / 2]);
                p95s.computeIfAbsent(t.name(), k -> new ArrayList<>()).add(ms[(int) Math.ceil(repeats * 0.95) - 1]);
            }
        }
        for (Target t : targets) {
            System.out.printf(Locale.ROOT, "RESULT server page=\"%s\" p50_ms=%.1f p95_ms=%.1f html_bytes=%d%n",
                    t.name(), median(p50s.get(t.name())), median(p95s.get(t.name())), bytes.get(t.name()));
        }
        double[] floor = new double[repeats];
        for (int i = 0; i < repeats; i++) {
            floor[i] = time("/assets/cairn.css")[0] / 1e6;
        }
        Arrays.sort(floor);
        System.out.printf(Locale.ROOT, "RESULT floor static_file p50_ms=%.2f p95_ms=%.2f%n", floor[repeats / 2],
                floor[(int) Math.ceil(repeats * 0.95) - 1]);
        sqlFloor(experiment);
        browser(targets);
    }

    /** One GET: {nanoseconds, bytes}; fails on a non-200. */
    static long[] time(String path) throws Exception {
        long t = System.nanoTime();
        HttpResponse<byte[]> r = HTTP.send(HttpRequest.newBuilder(URI.create(BASE + path))
                .timeout(Duration.ofSeconds(60)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        long elapsed = System.nanoTime() - t;
        if (r.statusCode() != 200) {
            throw new IllegalStateException(path + " answered " + r.statusCode());
        }
        return new long[] {elapsed, r.body().length};
    }

    /** The runs table's heaviest query (filter + metric order + page 50) straight over JDBC, as the data floor. */
    static void sqlFloor(String experiment) throws Exception {
        String sql = """
                SELECT r.run_id FROM runs r LEFT JOIN latest_metrics o0 ON o0.run_id = r.run_id AND o0.key = 'm2'
                WHERE r.experiment_id = ? AND r.lifecycle_stage = 'active'
                  AND EXISTS (SELECT 1 FROM latest_metrics m WHERE m.run_id = r.run_id AND m.key = 'm3' AND m.value > 0.5)
                  AND EXISTS (SELECT 1 FROM run_params p WHERE p.run_id = r.run_id AND p.key = 'p1' AND p.value = 'a')
                ORDER BY CASE WHEN o0.value IS NULL THEN 2 WHEN o0.value = 'NaN'::float8 THEN 1 ELSE 0 END,
                         o0.value DESC, r.start_time DESC, r.run_id LIMIT 51 OFFSET 2450""";
        int repeats = env("REPEATS", 20);
        double[] ms = new double[repeats];
        try (Connection c = DriverManager.getConnection(System.getenv("JDBC_URL"),
                System.getenv().getOrDefault("PG_USER", "postgres"), "");
             PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, Long.parseLong(experiment));
            for (int i = -3; i < repeats; i++) {
                long t = System.nanoTime();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rs.getString(1);
                    }
                }
                if (i >= 0) {
                    ms[i] = (System.nanoTime() - t) / 1e6;
                }
            }
        }
        Arrays.sort(ms);
        System.out.printf(Locale.ROOT, "RESULT floor runs_table_sql p50_ms=%.1f p95_ms=%.1f%n", ms[repeats / 2],
                ms[(int) Math.ceil(repeats * 0.95) - 1]);
    }

    /** FCP and bytes until the load event (and until the network is idle: charts fetch their series) per page. */
    static void browser(List<Target> targets) {
        try (Playwright playwright = Playwright.create()) {
            Browser browser = playwright.chromium().launch(new BrowserType.LaunchOptions()
                    .setExecutablePath(Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium")))
                    .setHeadless(true).setArgs(List.of("--no-sandbox", "--disable-gpu",
                            "--disable-background-networking", "--disable-component-update", "--no-first-run")));
            int rounds = env("ROUNDS", 3);
            for (Target t : targets) {
                if (t.path().contains("/series")) {
                    continue; // JSON for the charts, not a page
                }
                List<Double> fcp = new ArrayList<>();
                List<Double> loadBytes = new ArrayList<>();
                List<Double> idleBytes = new ArrayList<>();
                for (int round = 0; round < rounds; round++) {
                    try (BrowserContext context = browser.newContext()) { // cold cache every time
                        Page page = context.newPage();
                        page.navigate(BASE + t.path());
                        page.waitForLoadState(LoadState.LOAD);
                        Object[] atLoad = measures(page);
                        page.waitForLoadState(LoadState.NETWORKIDLE);
                        Object[] atIdle = measures(page);
                        fcp.add(((Number) atIdle[0]).doubleValue());
                        loadBytes.add(((Number) atLoad[1]).doubleValue());
                        idleBytes.add(((Number) atIdle[1]).doubleValue());
                    }
                }
                System.out.printf(Locale.ROOT, "RESULT browser page=\"%s\" fcp_ms=%.0f bytes_at_load=%.0f "
                        + "bytes_at_network_idle=%.0f%n", t.name(), median(fcp), median(loadBytes), median(idleBytes));
            }
        }
    }

    static Object[] measures(Page page) {
        @SuppressWarnings("unchecked")
        List<Object> r = (List<Object>) page.evaluate("() => { const nav = performance.getEntriesByType('navigation')[0]; "
                + "const res = performance.getEntriesByType('resource'); "
                + "const bytes = (nav ? nav.transferSize : 0) + res.reduce((s, e) => s + e.transferSize, 0); "
                + "const paint = performance.getEntriesByName('first-contentful-paint')[0]; "
                + "return [paint ? paint.startTime : -1, bytes]; }");
        return r.toArray();
    }

    static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(Double::compare);
        return sorted.get(sorted.size() / 2);
    }
}
