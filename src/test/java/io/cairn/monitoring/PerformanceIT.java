package io.cairn.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import ai.onnx.proto.OnnxMl.TensorProto;
import io.cairn.HttpJson;
import io.cairn.HttpJson.Response;
import io.cairn.IntegrationTest;
import io.cairn.artifacts.ArtifactStore;
import io.cairn.serving.OnnxModels;
import io.cairn.serving.ServingFixtures;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Live quality from real predictions: a binary classifier served over /v2 whose score is the first of its three
 * input columns (an identity model, so the test knows every score), labels drawn with a different accuracy per
 * region, and the answer of {@code /performance} compared with metrics computed here independently — overall, per
 * feature value, per request tag and per quantile bin of a numeric feature.
 */
@IntegrationTest
class PerformanceIT {

    private static final int REQUESTS = 30;
    private static final int ROWS = 10;
    private static final double[] ACCURACY_BY_REGION = {0.9, 0.6, 0.75};

    @LocalServerPort
    int port;

    @Autowired
    ArtifactStore store;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    MonitoringEvaluation evaluation;

    @Autowired
    MonitoringGauges gauges;

    ServingFixtures fx;
    HttpJson http;
    String deployment;
    Instant from;
    final List<Row> rows = new ArrayList<>();

    /** One prediction row as the test made it. */
    record Row(String predictionId, int index, float score, int region, float amount, String channel, Integer label) {
        int answer() {
            return score >= 0.5 ? 1 : 0;
        }
    }

    @BeforeEach
    void setUp() {
        fx = new ServingFixtures(port, store);
        http = new HttpJson("http://127.0.0.1:" + port);
        String model = fx.model("quality");
        int version = fx.version(model, OnnxModels.identity(TensorProto.DataType.FLOAT_VALUE, -1, 3), Map.of(
                "cairn.task", "binary_classification", "cairn.score_output", "y:0",
                "cairn.features", "q:score,q:region,q:amount"));
        fx.alias(model, "champion", version);
        deployment = fx.deployReady("quality", model, "champion");
        from = Instant.now().minusSeconds(60);

        Random random = new Random(42);
        List<Map<String, Object>> labels = new ArrayList<>();
        for (int q = 0; q < REQUESTS; q++) {
            float[][] input = new float[ROWS][];
            for (int r = 0; r < ROWS; r++) {
                input[r] = new float[] {Math.round(random.nextFloat() * 100) / 100f, (q * ROWS + r) % 3,
                        random.nextFloat() * 100};
            }
            String channel = q % 2 == 0 ? "web" : "app";
            Map<String, Object> body = new LinkedHashMap<>(ServingFixtures.fp32("x", input));
            body.put("parameters", Map.of("channel", channel, "nested", Map.of("ignored", true)));
            Response answer = fx.infer("/v2/models/" + deployment + "/infer", body);
            assertThat(answer.status()).as(answer.body()).isEqualTo(200);
            String id = answer.json().at("/parameters/prediction_id").asString();
            for (int r = 0; r < ROWS; r++) {
                int region = (int) input[r][1];
                int answerClass = input[r][0] >= 0.5 ? 1 : 0;
                Integer label = null;
                if (random.nextDouble() < 0.8) { // a fifth stays unlabelled
                    label = random.nextDouble() < ACCURACY_BY_REGION[region] ? answerClass : 1 - answerClass;
                    labels.add(Map.of("prediction_id", id, "row", r, "value", label));
                }
                rows.add(new Row(id, r, input[r][0], region, input[r][2], channel, label));
            }
        }
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(known())
                .as("monitoring learned of every prediction").isEqualTo(REQUESTS));
        Response loaded = http.post("/api/v1/deployments/" + deployment + "/ground-truth", Map.of("labels", labels));
        assertThat(loaded.status()).as(loaded.body()).isEqualTo(200);
        assertThat(loaded.json().get("stored").asLong()).isEqualTo(labels.size());
    }

    @AfterEach
    void cleanUp() {
        fx.cleanUp();
    }

    private long known() {
        return jdbc.sql("SELECT count(*) FROM monitored_predictions WHERE deployment = :d").param("d", deployment)
                .query(Long.class).single();
    }

    private JsonNode performance(String query) {
        Response r = http.get("/api/v1/deployments/" + deployment + "/performance?from=" + from + "&to="
                + Instant.now().plusSeconds(60) + "&window=1h" + query);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    @Test
    void overallQualityEqualsTheExactMetrics() {
        JsonNode answer = performance("");
        assertThat(answer.get("windows")).hasSize(1);
        JsonNode w = answer.get("windows").get(0);
        assertThat(w.get("count").asLong()).isEqualTo(REQUESTS * ROWS);
        assertThat(w.get("role").asString()).isEqualTo("champion");
        assertThat(w.get("alias").asString()).isEqualTo("champion");
        assertThat(w.get("task").asString()).isEqualTo("binary_classification");
        assertMetrics(w, r -> true);
        // Wilson's interval for accuracy, computed here from its formula.
        long labelled = rows.stream().filter(r -> r.label() != null).count();
        long correct = rows.stream().filter(r -> r.label() != null && r.label() == r.answer()).count();
        double p = correct / (double) labelled;
        double z = 1.959963984540054;
        double center = (p + z * z / (2 * labelled)) / (1 + z * z / labelled);
        double half = z / (1 + z * z / labelled) * Math.sqrt(p * (1 - p) / labelled
                + z * z / (4.0 * labelled * labelled));
        assertThat(w.at("/metrics/accuracy/ci_low").asDouble()).isCloseTo(center - half, within(1e-12));
        assertThat(w.at("/metrics/accuracy/ci_high").asDouble()).isCloseTo(center + half, within(1e-12));
        for (String bootstrapped : List.of("f1", "roc_auc", "log_loss")) {
            JsonNode m = w.get("metrics").get(bootstrapped);
            assertThat(m.get("ci_low").asDouble()).isLessThan(m.get("value").asDouble());
            assertThat(m.get("ci_high").asDouble()).isGreaterThan(m.get("value").asDouble());
        }
    }

    @Test
    void qualityPerFeatureValueFollowsTheAccuracyEachRegionWasLabelledWith() {
        JsonNode answer = performance("&segment=region");
        assertThat(answer.get("segment_kind").asString()).isEqualTo("feature");
        assertThat(answer.get("windows")).extracting(w -> w.get("segment").asString())
                .containsExactly("0", "1", "2");
        for (JsonNode w : answer.get("windows")) {
            int region = Integer.parseInt(w.get("segment").asString());
            assertMetrics(w, r -> r.region() == region);
        }
        // The regions were labelled with accuracies of 0.9, 0.6 and 0.75: the most and the least accurate show.
        double best = answer.at("/windows/0/metrics/accuracy/value").asDouble();
        double worst = answer.at("/windows/1/metrics/accuracy/value").asDouble();
        assertThat(best).isGreaterThan(0.8);
        assertThat(worst).isLessThan(0.75);
        assertThat(answer.at("/windows/1/metrics/accuracy/ci_high").asDouble())
                .isLessThan(answer.at("/windows/0/metrics/accuracy/ci_low").asDouble() + 0.1);
    }

    @Test
    void qualityPerRequestTagOfTheV2Parameters() {
        JsonNode answer = performance("&segment=channel");
        assertThat(answer.get("segment_kind").asString()).isEqualTo("request_tag");
        assertThat(answer.get("windows")).extracting(w -> w.get("segment").asString()).containsExactly("app", "web");
        for (JsonNode w : answer.get("windows")) {
            String channel = w.get("segment").asString();
            assertMetrics(w, r -> r.channel().equals(channel));
        }
        // tag: says it is a tag; an object parameter is not a tag, so nothing is in its segments.
        JsonNode nested = performance("&segment=tag:nested");
        assertThat(nested.get("windows")).hasSize(1);
        assertThat(nested.at("/windows/0/segment").isMissingNode()).isTrue();
    }

    @Test
    void aNumericFeatureIsCutIntoDecilesOfItsLiveValuesWithoutATrainingSet() {
        JsonNode answer = performance("&segment=amount");
        assertThat(answer.get("segment_kind").asString()).isEqualTo("feature_bins_live");
        List<String> bins = new ArrayList<>();
        answer.get("segment_bins").forEach(b -> bins.add(b.asString()));
        assertThat(bins).hasSize(10);
        // PostgreSQL's percentile_cont: linear interpolation at q·(n-1), on the values as stored (FP32 widened).
        double[] amounts = rows.stream().mapToDouble(Row::amount).sorted().toArray();
        double[] edges = new double[9];
        for (int i = 1; i < 10; i++) {
            double position = i / 10.0 * (amounts.length - 1);
            int lower = (int) Math.floor(position);
            edges[i - 1] = amounts[lower] + (amounts[Math.min(amounts.length - 1, lower + 1)] - amounts[lower])
                    * (position - lower);
        }
        for (JsonNode w : answer.get("windows")) {
            int bin = bins.indexOf(w.get("segment").asString());
            double low = bin == 0 ? Double.NEGATIVE_INFINITY : edges[bin - 1];
            double high = bin == 9 ? Double.POSITIVE_INFINITY : edges[bin];
            assertThat(bins.get(bin)).startsWith(bin == 0 ? "[-inf, " : "[" + number(low) + ", ");
            assertMetrics(w, r -> r.amount() >= low && r.amount() < high);
        }
        assertThat(answer.get("windows")).hasSize(10);
    }

    private static String number(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    @Test
    void theEvaluationJobStoresAClosedWindowOnceRaisesTheQualityEventAndFeedsTheGauges() throws Exception {
        Response put = fx.put("/api/v1/deployments/" + deployment + "/monitoring",
                Map.of("quality", Map.of("metric", "accuracy", "min", 0.99)));
        assertThat(put.status()).as(put.body()).isEqualTo(200);
        // Two replicas evaluating at the same time: the window is claimed once, so it is stored and alerted once.
        Instant closed = Instant.now().plus(Duration.ofHours(1));
        ExecutorService two = Executors.newFixedThreadPool(2);
        try {
            Future<Integer> a = two.submit(() -> evaluation.evaluateUntil(closed));
            Future<Integer> b = two.submit(() -> evaluation.evaluateUntil(closed));
            a.get();
            b.get();
        } finally {
            two.shutdown();
        }
        assertThat(jdbc.sql("SELECT count(*) FROM monitoring_windows WHERE deployment = :d AND window_end > now()")
                .param("d", deployment).query(Long.class).single()).isEqualTo(1);
        Map<String, Object> stored = jdbc.sql("SELECT row_count, labelled, role, "
                + "(metrics -> 'accuracy' ->> 'value')::float8 AS accuracy FROM quality_history WHERE deployment = :d")
                .param("d", deployment).query().singleRow();
        long labelled = rows.stream().filter(r -> r.label() != null).count();
        long correct = rows.stream().filter(r -> r.label() != null && r.label() == r.answer()).count();
        assertThat(stored.get("row_count")).isEqualTo((long) REQUESTS * ROWS);
        assertThat(stored.get("labelled")).isEqualTo(labelled);
        assertThat((Double) stored.get("accuracy")).isCloseTo(correct / (double) labelled, within(1e-12));
        assertThat(stored.get("role")).isEqualTo("champion");
        List<String> kinds = jdbc.sql("SELECT kind FROM monitoring_events WHERE deployment = :d")
                .param("d", deployment).query(String.class).list();
        assertThat(kinds).containsExactly("quality");
        assertThat(http.get("/api/v1/audit?entity_type=deployment&entity_id=" + deployment).body())
                .contains("monitoring-quality").contains("\"min\":0.99");
        // A later run finds nothing new to do.
        assertThat(evaluation.evaluateUntil(closed)).isZero();

        gauges.refresh();
        String scrape = http.get("/actuator/prometheus").body();
        assertThat(gauge(scrape, "cairn_monitoring_quality", "metric=\"accuracy\""))
                .isCloseTo(correct / (double) labelled, within(1e-9));
        assertThat(gauge(scrape, "cairn_monitoring_label_coverage", "model_version=\"1\""))
                .isCloseTo(labelled / (double) (REQUESTS * ROWS), within(1e-9));
        assertThat(gauge(scrape, "cairn_monitoring_events_total", "kind=\"quality\"")).isEqualTo(1.0);
    }

    /** The value of this deployment's series of a metric, among those whose labels hold {@code having}. */
    private double gauge(String scrape, String metric, String having) {
        return scrape.lines().filter(l -> l.startsWith(metric + "{") && l.contains("deployment=\"" + deployment + "\"")
                        && l.contains(having))
                .map(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst()
                .orElseThrow(() -> new AssertionError("no " + metric + " for " + deployment + " with " + having));
    }

    @Test
    void badQueriesAre400sNamingTheParameter() {
        String base = "/api/v1/deployments/" + deployment + "/performance";
        assertThat(http.get(base + "?window=often").body()).contains("window");
        assertThat(http.get(base + "?window=10s").status()).isEqualTo(400);
        assertThat(http.get(base + "?from=yesterday").body()).contains("'from'");
        assertThat(http.get(base + "?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z").status()).isEqualTo(400);
        assertThat(http.get(base + "?from=2020-01-01T00:00:00Z&window=1m").body()).contains("windows");
        assertThat(http.get(base + "?version=two").body()).contains("'version'");
        // Blank times are absent ones: the last day.
        assertThat(http.get(base + "?from=&to=").status()).isEqualTo(200);
        assertThat(http.get(base + "?segment=" + URLEncoder.encode("feature:nope", StandardCharsets.UTF_8)).status())
                .isEqualTo(400);
        assertThat(http.get(base + "?segment=" + "x".repeat(200)).status()).isEqualTo(400);
        assertThat(http.get("/api/v1/deployments/no-such-deployment/performance").status()).isEqualTo(404);
        // Request tags are bounded: more than 16 scalar parameters, or a NUL in one, is the protocol's 400.
        Map<String, Object> many = new LinkedHashMap<>();
        for (int i = 0; i < 17; i++) {
            many.put("t" + i, i);
        }
        Map<String, Object> body = new LinkedHashMap<>(ServingFixtures.fp32("x", new float[][] {{0.5f, 0, 1}}));
        body.put("parameters", many);
        Response tooMany = fx.infer("/v2/models/" + deployment + "/infer", body);
        assertThat(tooMany.status()).isEqualTo(400);
        assertThat(tooMany.json().get("error").asString()).contains("16");
        body.put("parameters", Map.of("channel", "a\u0000b"));
        assertThat(fx.infer("/v2/models/" + deployment + "/infer", body).status()).isEqualTo(400);
    }

    /** The window's counts and metrics equal those computed here for the rows the predicate selects. */
    private void assertMetrics(JsonNode w, Predicate<Row> in) {
        List<Row> selected = rows.stream().filter(in).toList();
        List<Row> labelled = selected.stream().filter(r -> r.label() != null).toList();
        assertThat(w.get("count").asLong()).as("count of %s", w).isEqualTo(selected.size());
        assertThat(w.get("labelled").asLong()).isEqualTo(labelled.size());
        assertThat(w.get("scored").asLong()).isEqualTo(labelled.size());
        int n = labelled.size();
        int tp = 0;
        int fp = 0;
        int fn = 0;
        int correct = 0;
        double logLoss = 0;
        for (Row r : labelled) {
            int y = r.label();
            int a = r.answer();
            correct += y == a ? 1 : 0;
            tp += y == 1 && a == 1 ? 1 : 0;
            fp += y == 0 && a == 1 ? 1 : 0;
            fn += y == 1 && a == 0 ? 1 : 0;
            double p = Math.min(1 - 1e-15, Math.max(1e-15, (double) r.score()));
            logLoss -= y == 1 ? Math.log(p) : Math.log(1 - p);
        }
        double won = 0;
        long pairs = 0;
        for (Row pos : labelled) {
            for (Row neg : labelled) {
                if (pos.label() == 1 && neg.label() == 0) {
                    pairs++;
                    won += pos.score() > neg.score() ? 1 : pos.score() == neg.score() ? 0.5 : 0;
                }
            }
        }
        JsonNode m = w.get("metrics");
        assertThat(m.at("/accuracy/value").asDouble()).isCloseTo(correct / (double) n, within(1e-12));
        assertThat(m.at("/precision/value").asDouble()).isCloseTo(tp / (double) (tp + fp), within(1e-12));
        assertThat(m.at("/recall/value").asDouble()).isCloseTo(tp / (double) (tp + fn), within(1e-12));
        assertThat(m.at("/f1/value").asDouble()).isCloseTo(2.0 * tp / (2 * tp + fp + fn), within(1e-12));
        assertThat(m.at("/positive_rate/value").asDouble()).isCloseTo((tp + fp) / (double) n, within(1e-12));
        assertThat(m.at("/roc_auc/value").asDouble()).isCloseTo(won / pairs, within(1e-12));
        assertThat(m.at("/log_loss/value").asDouble()).isCloseTo(logLoss / n, within(1e-9));
    }
}
