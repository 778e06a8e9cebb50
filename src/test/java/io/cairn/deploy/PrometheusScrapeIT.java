package io.cairn.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.cairn.HttpJson;
import io.cairn.IntegrationTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/**
 * A real Prometheus (the Debian package's server) scrapes the test server's {@code /actuator/prometheus} every
 * second, and its HTTP API answers the query for Cairn's request metric — and every query of the Grafana dashboard.
 * Prometheus runs from a temporary directory on a free port and is stopped afterwards; without the binary those two
 * tests skip (CI installs it). The dashboard's metric names and URI filters are also checked against the server's
 * own scrape, which needs no Prometheus.
 */
@IntegrationTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PrometheusScrapeIT {

    private static final Duration WAIT = Duration.ofSeconds(40);
    private static final Pattern URI_MATCHER = Pattern.compile("uri(=~|=)\"([^\"]+)\"");

    @LocalServerPort
    int port;

    private HttpJson cairn;
    private Process prometheus;
    private Path workDir;
    private HttpJson prometheusApi;

    @BeforeAll
    void trafficAndPrometheus() throws Exception {
        cairn = new HttpJson("http://127.0.0.1:" + port);
        callEveryEndpointTheDashboardFiltersOn();
        Optional<Path> binary = Tools.onPath("prometheus");
        if (binary.isEmpty()) {
            return;
        }
        workDir = Files.createTempDirectory("cairn-prometheus-");
        Path config = workDir.resolve("prometheus.yml");
        Files.writeString(config, """
                global:
                  scrape_interval: 1s
                  scrape_timeout: 1s
                scrape_configs:
                  - job_name: cairn
                    metrics_path: /actuator/prometheus
                    static_configs:
                      - targets: ["127.0.0.1:%d"]
                """.formatted(port));
        int apiPort = freePort();
        prometheus = new ProcessBuilder(binary.get().toString(), "--config.file=" + config,
                "--storage.tsdb.path=" + workDir.resolve("data"), "--web.listen-address=127.0.0.1:" + apiPort)
                .redirectErrorStream(true).redirectOutput(workDir.resolve("prometheus.log").toFile()).start();
        prometheusApi = new HttpJson("http://127.0.0.1:" + apiPort);
    }

    @AfterAll
    void stopPrometheus() throws Exception {
        if (prometheus != null) {
            prometheus.destroy();
            if (!prometheus.waitFor(20, TimeUnit.SECONDS)) {
                prometheus.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        if (workDir != null) {
            try (Stream<Path> files = Files.walk(workDir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    @Test
    void aRealPrometheusScrapesCairnAndAnswersTheRequestMetricQuery() throws Exception {
        assumeTrue(prometheus != null, "prometheus is not installed (apt-get install prometheus)");
        JsonNode result = awaitResult("http_server_requests_seconds_count");
        assertThat(result).isNotEmpty();
        assertThat(result).anySatisfy(series -> {
            assertThat(series.at("/metric/application").asString()).isEqualTo("cairn");
            assertThat(series.at("/metric/job").asString()).isEqualTo("cairn");
            assertThat(series.at("/metric/uri").asString()).isEqualTo("/api/2.0/mlflow/runs/log-batch");
        });
        JsonNode up = query("up{job=\"cairn\"}");
        assertThat(up.at("/data/result/0/value/1").asString()).isEqualTo("1");
    }

    @Test
    void prometheusEvaluatesEveryDashboardQuery() throws Exception {
        assumeTrue(prometheus != null, "prometheus is not installed (apt-get install prometheus)");
        // rate() needs two samples inside its window: wait until the request-rate panel has data.
        String requestRate = GrafanaDashboard.read().expressions().get(0);
        assertThat(requestRate).startsWith("sum by (uri) (rate(http_server_requests_seconds_count{");
        awaitResult(GrafanaDashboard.concrete(requestRate));
        List<String> empty = new ArrayList<>();
        for (String expr : GrafanaDashboard.read().expressions()) {
            JsonNode answer = query(GrafanaDashboard.concrete(expr));
            assertThat(answer.path("status").asString()).as(expr + ": " + answer).isEqualTo("success");
            if (answer.at("/data/result").isEmpty()) {
                empty.add(expr);
            }
        }
        // Serving has no deployments in this context, and errors may not have happened; everything else has data.
        assertThat(empty).allSatisfy(expr -> assertThat(expr).containsAnyOf("cairn_", "status=~\"5..\""));
    }

    @Test
    void everyMetricTheDashboardUsesBesidesServingIsInTheServersScrape() {
        String scrape = cairn.get("/actuator/prometheus").body();
        Set<String> names = new LinkedHashSet<>();
        scrape.lines().filter(l -> !l.startsWith("#") && !l.isBlank())
                .forEach(l -> names.add(l.split("[{ ]", 2)[0]));
        assertThat(names).containsAll(GrafanaDashboard.read().nonServingMetrics());
    }

    @Test
    void everyUriTheDashboardFiltersOnIsOneTheServerReports() {
        String scrape = cairn.get("/actuator/prometheus").body();
        Set<String> uris = new LinkedHashSet<>();
        Matcher tags = Pattern.compile("uri=\"([^\"]+)\"").matcher(scrape);
        while (tags.find()) {
            uris.add(tags.group(1));
        }
        for (String expr : GrafanaDashboard.read().expressions()) {
            Matcher m = URI_MATCHER.matcher(expr);
            while (m.find()) {
                Pattern filter = Pattern.compile(m.group(1).equals("=") ? Pattern.quote(m.group(2)) : m.group(2));
                assertThat(uris).as(m.group(0)).anyMatch(uri -> filter.matcher(uri).matches());
            }
        }
        for (String endpoint : trackingWriteEndpoints()) {
            assertThat(uris).contains("/api/2.0/mlflow/runs/" + endpoint);
        }
    }

    // ---- helpers ----------------------------------------------------------------------------------------------

    /** Requests to every endpoint a dashboard panel filters on, so their URI tags exist (answers do not matter). */
    private void callEveryEndpointTheDashboardFiltersOn() {
        for (String endpoint : trackingWriteEndpoints()) {
            cairn.post("/api/2.0/mlflow/runs/" + endpoint, "{\"run_id\": \"0\"}");
        }
        cairn.post("/get-online-features", "{\"features\": [\"no_such_view:x\"], \"entities\": {\"id\": [1]}}");
        cairn.post("/push", "{\"push_source_name\": \"no_such_view\", \"df\": {}}");
    }

    /** The MLflow endpoints in the tracking panels' URI regex, e.g. log-batch. */
    private static List<String> trackingWriteEndpoints() {
        for (String expr : GrafanaDashboard.read().expressions()) {
            Matcher m = Pattern.compile("uri=~\"[^\"]*runs/\\(([^)]+)\\)\"").matcher(expr);
            if (m.find()) {
                return List.of(m.group(1).split("\\|"));
            }
        }
        throw new AssertionError("no tracking panel with a runs/(...) uri filter");
    }

    private JsonNode awaitResult(String promql) {
        AtomicReference<JsonNode> last = new AtomicReference<>();
        await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            if (!prometheus.isAlive()) {
                throw new IllegalStateException("prometheus exited: " + log());
            }
            try {
                HttpJson.Response response = prometheusApi.get("/api/v1/query?query="
                        + URLEncoder.encode(promql, StandardCharsets.UTF_8));
                // 503 while Prometheus replays its WAL and opens the TSDB: not ready yet.
                if (response.status() == 200) {
                    last.set(response.json());
                }
            } catch (IllegalStateException e) {
                // not listening yet
            }
            assertThat(last.get() == null || last.get().at("/data/result").isEmpty())
                    .as(() -> "no data for " + promql + ": " + last.get() + "\n" + log()).isFalse();
        });
        return last.get().at("/data/result");
    }

    private JsonNode query(String promql) {
        HttpJson.Response response = prometheusApi.get("/api/v1/query?query="
                + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        assertThat(response.json()).as(promql + " -> " + response.status() + " " + response.body()).isNotNull();
        return response.json();
    }

    private String log() {
        try {
            return Files.readString(workDir.resolve("prometheus.log"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
