package io.cairn.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.PlaywrightAssertions;
import io.cairn.HttpJson;
import io.cairn.HttpJson.Response;
import io.cairn.IntegrationTest;
import io.cairn.artifacts.ArtifactStore;
import io.cairn.monitoring.IncomeReference;
import io.cairn.monitoring.MonitoringJobs;
import io.cairn.serving.ServingFixtures;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * The deployments pages over a deployment with everything monitoring shows: predictions whose income drifts from the
 * training set, ground truth for them, an evaluated window. In the browser: the live figures count the requests, the
 * quality chart draws its line and band, and a heat map cell opens the feature's two histograms.
 */
@IntegrationTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardMonitoringIT {

    private static final int REFERENCE_ROWS = 600;
    private static final int REQUESTS = 12;
    private static final int ROWS_PER_REQUEST = 50;

    @LocalServerPort
    int port;

    @Autowired
    ArtifactStore store;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    org.springframework.context.ApplicationContext context;

    String base;
    ServingFixtures fx;
    HttpJson http;
    String deployment;
    String view;
    String trainingSet;
    String model;

    private static String unique(String prefix) {
        return prefix + "_" + UUID.randomUUID().toString().substring(0, 8);
    }

    @BeforeAll
    void servePredictionsThatDrift() {
        base = "http://127.0.0.1:" + port;
        fx = new ServingFixtures(port, store);
        http = new HttpJson(base);
        Random random = new Random(16);
        IncomeReference reference = IncomeReference.create(fx, http, REFERENCE_ROWS, random);
        view = reference.view();
        trainingSet = reference.trainingSet();
        model = reference.model();
        deployment = reference.deployment();

        List<Map<String, Object>> labels = new ArrayList<>();
        for (int q = 0; q < REQUESTS; q++) {
            float[][] rows = new float[ROWS_PER_REQUEST][];
            for (int r = 0; r < rows.length; r++) {
                float income = (float) (65 + 10 * random.nextGaussian()); // shifted: drifts
                rows[r] = new float[] {income, (float) (40 + 5 * random.nextGaussian()), random.nextInt(3)};
                labels.add(Map.of("request_id", "dash-" + q, "row", r, "value", income + random.nextGaussian()));
            }
            Map<String, Object> body = new java.util.LinkedHashMap<>(ServingFixtures.fp32("x", rows));
            body.put("id", "dash-" + q);
            Response r = fx.infer("/v2/models/" + deployment + "/infer", body);
            assertThat(r.status()).as(r.body()).isEqualTo(200);
        }
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(indexed()).isEqualTo(REQUESTS));
        ok(http.post("/api/v1/deployments/" + deployment + "/ground-truth", Map.of("labels", labels)), 200);
        assertThat(MonitoringJobs.flushAndEvaluateUntil(context, Instant.now().plus(Duration.ofHours(1))))
                .isPositive();
    }

    @AfterAll
    void cleanUp() {
        fx.cleanUp();
    }

    private long indexed() {
        return jdbc.sql("SELECT count(*) FROM monitored_predictions WHERE deployment = :d").param("d", deployment)
                .query(Long.class).single();
    }

    @Test
    void theDeploymentPagesShowLiveFiguresQualityAndDriftWithItsHistograms() {
        for (int i = 0; i < 5; i++) { // requests within the live figures' minute
            ok(fx.infer("/v2/models/" + deployment + "/infer", ServingFixtures.fp32("x",
                    new float[][] {{60f, 40f, 1f}})), 200);
        }
        try (PageCheck tab = PageCheck.open(base)) {
            Page page = tab.go("/deployments");
            assertThat(page.locator("table.grid tbody").innerText()).contains(deployment);
            assertThat(tab.seriousAccessibilityViolations()).isEmpty();
            tab.screenshot("deployments");
            tab.assertClean();

            page = tab.go("/deployments/" + deployment);
            assertThat(page.locator("#live").innerText()).contains("req/s", "p50", "p99", "0 errors");
            assertThat(page.locator("#loaded").innerText()).contains("champion", "v1");
            page.waitForSelector("figure.chart[data-drawn] canvas");
            assertThat(page.locator("figure.chart .chart-note").innerText()).contains("1 line(s)");
            assertThat(page.locator("table.heatmap").innerText()).contains(view + ":income");
            assertThat(tab.seriousAccessibilityViolations()).isEmpty();

            // The income row's cell is marked drifted; choosing it brings its two histograms.
            page.locator("table.heatmap tr", new Page.LocatorOptions().setHasText(view + ":income"))
                    .locator("button.cell").first().click();
            PlaywrightAssertions.assertThat(page.locator("#histograms figure.histogram")).hasCount(2);
            assertThat(page.locator("#histograms").innerText()).contains("Training set", "Live", "drifted",
                    "live rows against " + REFERENCE_ROWS + " training rows");
            assertThat(page.locator("#histograms svg rect").count()).isGreaterThan(4);
            tab.screenshot("deployment");
            tab.assertClean();
        }
        JsonNode quality = http.get("/deployments/" + deployment + "/quality?metric=mae").json();
        assertThat(quality.get("lines").size()).isEqualTo(1);
        assertThat(quality.at("/lines/0/value/0").isNumber()).isTrue();
        assertThat(quality.at("/lines/0/low/0").asDouble()).isLessThanOrEqualTo(quality.at("/lines/0/value/0")
                .asDouble());
    }

    @Test
    void theFeatureStorePageShowsSizeFreshnessCoverageAndWhichVersionsUsedATrainingSet() {
        // Materialized, every entity of the view is online: the sampled coverage is 100 %.
        ok(http.post("/materialize", Map.of("feature_views", List.of(view), "start_ts", "2025-12-31T00:00:00Z",
                "end_ts", "2026-01-02T00:00:00Z")), 200);
        try (PageCheck tab = PageCheck.open(base)) {
            Page page = tab.go("/features");
            String row = page.locator("#views tr", new Page.LocatorOptions().setHasText(view)).innerText();
            assertThat(row).contains(String.valueOf(REFERENCE_ROWS), "2026-01-01T00:00:00Z",
                    "100 % of 200 sampled entities");
            assertThat(tab.seriousAccessibilityViolations()).isEmpty();
            tab.screenshot("features");
            page.locator("a", new Page.LocatorOptions().setHasText(trainingSet)).click();
            page.waitForLoadState(com.microsoft.playwright.options.LoadState.NETWORKIDLE);
            assertThat(page.locator("main").innerText()).contains(model + " version 1");
            tab.screenshot("training-set");

            page.locator("a", new Page.LocatorOptions().setHasText("Lineage graph")).click();
            page.waitForLoadState(com.microsoft.playwright.options.LoadState.NETWORKIDLE);
            String edges = page.locator("#lineage-edges").innerText();
            assertThat(edges).contains("training set " + trainingSet, "model version " + model + " v1",
                    "deployment " + deployment);
            assertThat(tab.seriousAccessibilityViolations()).isEmpty();
            tab.screenshot("lineage");
            // Every node is a link: the deployment's box leads to its page.
            page.locator("svg.lineage a.kind-deployment").click();
            page.waitForLoadState(com.microsoft.playwright.options.LoadState.NETWORKIDLE);
            assertThat(page.url()).endsWith("/deployments/" + deployment);
            tab.assertClean();
        }
    }

    @Test
    void withRedisDownTheRunsTableStillWorksAndTheFeaturePageSaysWhy() throws Exception {
        String experiment = http.post("/api/2.0/mlflow/experiments/create", Map.of("name", unique("dash_down")))
                .json().get("experiment_id").asString();
        http.post("/api/2.0/mlflow/runs/create", Map.of("experiment_id", experiment, "run_name", "while-down"));
        Process pause = new ProcessBuilder("redis-cli", "-h", "127.0.0.1", "-p", "6379", "CLIENT", "PAUSE", "8000",
                "ALL").redirectErrorStream(true).start();
        assertThat(pause.waitFor()).isZero();
        try (PageCheck tab = PageCheck.open(base)) {
            Page page = tab.go("/experiments/" + experiment);
            assertThat(page.locator("table.runs tbody").innerText()).contains("while-down");
            page = tab.go("/features");
            assertThat(page.locator("#views tr", new Page.LocatorOptions().setHasText(view)).innerText())
                    .contains("Redis cannot be reached");
            tab.assertClean();
        } finally {
            new ProcessBuilder("redis-cli", "-h", "127.0.0.1", "-p", "6379", "CLIENT", "UNPAUSE").start().waitFor();
        }
    }

    private static void ok(Response r, int status) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
    }
}
