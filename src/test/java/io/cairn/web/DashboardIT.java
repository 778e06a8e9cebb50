package io.cairn.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.LoadState;
import io.cairn.HttpJson;
import io.cairn.IntegrationTest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import io.cairn.artifacts.ArtifactStore;
import io.cairn.serving.OnnxModels;
import io.cairn.serving.ServingFixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.springframework.beans.factory.annotation.Autowired;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/**
 * The dashboard in headless Chromium: each page loads without console errors or failed requests, passes axe-core
 * without critical or serious violations, and its main interactions work. Screenshots land in target/screenshots.
 */
@IntegrationTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardIT {

    @LocalServerPort
    int port;

    String base;
    HttpJson http;
    String experimentId;
    String experimentName;
    List<String> runIds = new ArrayList<>();
    String model;
    String deployment;

    @Autowired
    ArtifactStore store;

    ServingFixtures serving;

    @BeforeAll
    void logRuns() {
        base = "http://127.0.0.1:" + port;
        http = new HttpJson(base);
        DashboardFixtures fixtures = new DashboardFixtures(http);
        experimentName = "dashboard-" + UUID.randomUUID();
        experimentId = fixtures.experiment(experimentName);
        for (int i = 0; i < 6; i++) {
            Map<String, Double> metrics = new LinkedHashMap<>();
            metrics.put("accuracy", 0.70 + i * 0.05);
            metrics.put("loss", 1.0 / (i + 1));
            metrics.put("val loss", 2.0 / (i + 1));
            runIds.add(fixtures.run(experimentId, "run-" + i, 1_700_000_000_000L + i * 1000,
                    Map.of("lr", String.valueOf(0.1 / (i + 1)), "model", i % 2 == 0 ? "tree" : "linear",
                            "depth", String.valueOf(i + 2)),
                    Map.of("team", i < 3 ? "blue" : "green"), metrics));
        }
        fixtures.history(runIds.get(0), "curve", 5000, step -> Math.sin(step / 100.0) + (step == 2500 ? 10 : 0));
        fixtures.history(runIds.get(1), "curve", 3000, step -> Math.cos(step / 100.0));
        fixtures.artifact(experimentId, runIds.get(0), "notes/readme.txt",
                "trained on <b>2024</b> data\n".getBytes(StandardCharsets.UTF_8));

        serving = new ServingFixtures(port, store);
        model = serving.model("dash-model");
        byte[] onnx = OnnxModels.linear(new float[][] {{1f}, {2f}}, new float[] {0f});
        serving.versionOfRun(model, onnx, Map.of(), runIds.get(0));
        serving.versionOfRun(model, onnx, Map.of(), runIds.get(1));
        serving.alias(model, "champion", 1);
        deployment = serving.deployReady("dash-dep", model, "champion");
    }

    @AfterAll
    void undeploy() {
        serving.cleanUp();
    }

    @Test
    void everyPageLoadsWithoutErrorsAndPassesAxe() {
        Map<String, String> pages = new LinkedHashMap<>();
        pages.put("home", "/");
        pages.put("experiments", "/experiments");
        pages.put("runs", "/experiments/" + experimentId);
        pages.put("run", "/runs/" + runIds.get(0));
        pages.put("compare", "/experiments/" + experimentId + "/compare?run=" + runIds.get(0) + "&run=" + runIds.get(1)
                + "&metric=curve");
        pages.put("artifact", "/runs/" + runIds.get(0) + "/artifact?path=notes/readme.txt");
        pages.put("models", "/models");
        pages.put("model", "/models/" + model);
        pages.put("version", "/models/" + model + "/versions/1");
        pages.put("alias-confirm", "/models/" + model + "/aliases/confirm?alias=champion&version=2");
        pages.put("card", "/models/" + model + "/versions/1/card");
        pages.put("features", "/features");
        pages.put("audit", "/audit?entity_type=model_alias");
        pages.put("admin", "/admin");
        pages.put("lineage-start", "/lineage");
        pages.put("lineage-version", "/lineage?model=" + model + "&version=1");
        for (Map.Entry<String, String> p : pages.entrySet()) {
            try (PageCheck tab = PageCheck.open(base)) {
                tab.go(p.getValue());
                assertThat(tab.page.title()).as(p.getKey()).endsWith("· Cairn");
                assertThat(tab.seriousAccessibilityViolations()).as("axe on " + p.getKey()).isEmpty();
                tab.screenshot(p.getKey());
                tab.assertClean();
            }
        }
    }

    @Test
    void runsTableShowsChosenColumnsSortsAndPages() {
        try (PageCheck tab = PageCheck.open(base)) {
            Page page = tab.go("/experiments/" + experimentId);
            Locator rows = page.locator("table.runs tbody tr");
            assertThat(rows.count()).isEqualTo(6);
            // Default columns: the first metrics and params of the newest runs.
            assertThat(page.locator("table.runs thead").innerText()).contains("accuracy", "depth");

            page.locator("details.columns summary").click();
            page.locator("input[name=col][value='metrics.accuracy']").uncheck();
            page.locator("input[name=col][value='params.depth']").uncheck();
            page.locator("input[name=col][value='tags.team']").check();
            page.locator("details.columns button[type=submit]").click();
            page.waitForLoadState(LoadState.NETWORKIDLE);
            String header = page.locator("table.runs thead").innerText();
            assertThat(header).contains("team").doesNotContain("accuracy").doesNotContain("depth");

            // Sort by loss, descending then ascending: run-0 has the largest loss (1.0).
            page.locator("table.runs thead a", new Page.LocatorOptions().setHasText("loss").setHasNotText("val"))
                    .click();
            page.waitForLoadState(LoadState.NETWORKIDLE);
            assertThat(rows.first().innerText()).contains("run-0");
            page.locator("table.runs thead a", new Page.LocatorOptions().setHasText("loss").setHasNotText("val"))
                    .click();
            page.waitForLoadState(LoadState.NETWORKIDLE);
            assertThat(rows.first().innerText()).contains("run-5");
            assertThat(page.url()).contains("order=metrics.loss+ASC").contains("col=tags.team");

            // The browser's back button returns to the previous order.
            page.goBack();
            page.waitForLoadState(LoadState.NETWORKIDLE);
            assertThat(rows.first().innerText()).contains("run-0");

            // A filter in MLflow's grammar, kept in the URL with the columns.
            page.locator("#filter").fill("params.model = 'tree' and metrics.accuracy > 0.72");
            page.locator("#filter").press("Enter");
            page.waitForLoadState(LoadState.NETWORKIDLE);
            assertThat(rows.count()).isEqualTo(2); // run-2 and run-4
            assertThat(page.locator("table.runs tbody").innerText()).contains("run-2", "run-4").doesNotContain("run-0");
            tab.assertClean();
        }
    }

    @Test
    void aBadFilterShowsTheSearchErrorInline() {
        try (PageCheck tab = PageCheck.open(base)) {
            Page page = tab.go("/experiments/" + experimentId);
            page.locator("#filter").fill("metrics.accuracy >> 1");
            page.locator("#filter").press("Enter");
            page.waitForLoadState(LoadState.NETWORKIDLE);
            Locator error = page.locator("#filter-error");
            assertThat(error.isVisible()).isTrue();
            assertThat(error.innerText()).isNotBlank();
            assertThat(page.locator("#filter").getAttribute("aria-invalid")).isEqualTo("true");
            assertThat(page.locator("#filter").inputValue()).isEqualTo("metrics.accuracy >> 1");
            tab.screenshot("runs-bad-filter");
            // The page itself answers 400, as it should, and Chromium logs that status as a console error.
            tab.expect("400");
            tab.assertClean();
        }
        HttpJson.Response raw = http.get("/experiments/" + experimentId + "?filter=metrics.accuracy+%3E%3E+1");
        assertThat(raw.status()).isEqualTo(400);
        assertThat(raw.body()).contains("id=\"filter-error\"");
    }

    @Test
    void comparingTwoRunsShowsTheParamDiffAndOverlaidHistories() {
        try (PageCheck tab = PageCheck.open(base)) {
            Page page = tab.go("/experiments/" + experimentId);
            page.locator("input[name=run][value='" + runIds.get(0) + "']").check();
            page.locator("input[name=run][value='" + runIds.get(1) + "']").check();
            page.locator("#compare button").click();
            page.waitForLoadState(LoadState.NETWORKIDLE);
            assertThat(page.url()).contains("/compare");
            // model differs (tree vs linear); every param differs between run-0 and run-1 here.
            Locator modelRow = page.locator("table.compare tr", new Page.LocatorOptions().setHasText("model"));
            assertThat(modelRow.getAttribute("class")).contains("differs");
            assertThat(modelRow.innerText()).contains("tree", "linear");

            page.selectOption("#metric", "curve");
            page.locator("form.search button").click();
            page.waitForLoadState(LoadState.NETWORKIDLE);
            page.waitForSelector("figure.chart[data-drawn] canvas");
            assertThat(page.locator("figure.chart .chart-note").innerText()).startsWith("2 runs");
            assertThat(page.locator("svg.scatter circle").count()).isEqualTo(2);
            tab.assertClean();
        }
    }

    @Test
    void aLongHistoryIsDownsampledOnTheServerAndAZoomFetchesDetail() {
        JsonNode full = http.get("/runs/" + runIds.get(0) + "/series?key=curve").json();
        assertThat(full.get("total").asInt()).isEqualTo(5000);
        assertThat(full.get("steps").size()).isEqualTo(RunPages.MAX_POINTS);
        assertThat(full.get("downsampled").asBoolean()).isTrue();
        assertThat(full.get("steps").get(0).asLong()).isEqualTo(0);
        assertThat(full.get("steps").get(RunPages.MAX_POINTS - 1).asLong()).isEqualTo(4999);
        // LTTB keeps the spike at step 2500 that averaging would flatten.
        List<Long> steps = new ArrayList<>();
        full.get("steps").forEach(s -> steps.add(s.asLong()));
        assertThat(steps).contains(2500L);

        JsonNode zoomed = http.get("/runs/" + runIds.get(0) + "/series?key=curve&from=1000&to=1499").json();
        assertThat(zoomed.get("total").asInt()).isEqualTo(500);
        assertThat(zoomed.get("downsampled").asBoolean()).isFalse();
        assertThat(zoomed.get("steps").get(0).asLong()).isEqualTo(1000);
        assertThat(zoomed.get("values").get(0).asDouble()).isEqualTo(Math.sin(10.0));

        try (PageCheck tab = PageCheck.open(base)) {
            Page page = tab.go("/runs/" + runIds.get(0) + "?chart=curve");
            page.waitForSelector("figure.chart[data-drawn] canvas");
            assertThat(page.locator("figure.chart .chart-note").innerText()).contains("2000 of 5000 points");
            // Drag across the middle of the plot: the chart asks the server for that range in detail.
            var box = page.locator("figure.chart .u-over").boundingBox();
            page.mouse().move(box.x + box.width * 0.40, box.y + box.height / 2);
            page.mouse().down();
            page.mouse().move(box.x + box.width * 0.45, box.y + box.height / 2, new com.microsoft.playwright.Mouse
                    .MoveOptions().setSteps(5));
            page.mouse().up();
            com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat(
                    page.locator("figure.chart .chart-note")).containsText("between steps");
            assertThat(page.locator("figure.chart .chart-note").innerText()).doesNotContain("downsampled");
            tab.assertClean();
        }
    }

    @Test
    void aCardFieldIsEditedInPlaceAndTheRevisionShowsItsDiff() {
        try (PageCheck tab = PageCheck.open(base)) {
            Page page = tab.go("/models/" + model + "/versions/2");
            page.locator("#card button", new Page.LocatorOptions().setHasText("Edit")).click();
            page.locator("#card-overview").waitFor();
            page.locator("#card-overview").fill("Doubles the second input <and> adds the first.");
            page.locator("#card-limitations").fill("Only two inputs\nNo bias");
            page.locator("form.card-edit button[type=submit]").click();
            // htmx swaps the re-rendered card in place: no page load, the new revision is shown.
            com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat(page.locator("#card .overview"))
                    .hasText("Doubles the second input <and> adds the first.");
            assertThat(page.locator("#card").innerText()).contains("Revision 2", "Only two inputs", "No bias");
            assertThat(page.url()).endsWith("/models/" + model + "/versions/2");
            assertThat(page.locator("#card-revisions").innerText()).contains("changes from 1");
            tab.screenshot("version-edited");
            tab.assertClean();

            page = tab.go("/models/" + model + "/versions/2/card/diff?from=1&to=2");
            String diff = page.locator("table.diff").innerText();
            assertThat(diff).contains("/model_details/overview", "Doubles the second input <and> adds the first.",
                    "/considerations/limitations/1/description", "No bias");
            assertThat(tab.seriousAccessibilityViolations()).isEmpty();
            tab.screenshot("card-diff");
            tab.assertClean();
        }
        JsonNode card = http.get("/api/v1/models/" + model + "/versions/2/card").json();
        assertThat(card.get("revision").asInt()).isEqualTo(2);
        assertThat(card.at("/card/considerations/limitations/0/description").asString()).isEqualTo("Only two inputs");
    }

    @Test
    void movingAnAliasShowsWhatWillBeServedFirst() {
        try (PageCheck tab = PageCheck.open(base)) {
            Page page = tab.go("/models/" + model);
            assertThat(page.locator("section[aria-labelledby=aliases-h]").innerText()).contains(deployment);
            page.locator("#alias").fill("challenger");
            page.selectOption("#alias-version", "2");
            page.locator("form[action$='/aliases/confirm'] button").click();
            page.waitForLoadState(LoadState.NETWORKIDLE);
            assertThat(page.locator(".confirm").innerText()).contains("does not exist yet", "No deployment follows");

            page = tab.go("/models/" + model + "/aliases/confirm?alias=champion&version=2");
            assertThat(page.locator(".confirm").innerText()).contains("points at version 1 now and will point at "
                    + "version 2", deployment);
            page.locator("form[action$='/aliases'] button").click();
            page.waitForLoadState(LoadState.NETWORKIDLE);
            assertThat(page.locator("[role=status]").innerText()).contains("@champion now points to version 2");
            tab.assertClean();
        }
        // The deployment follows the alias: it loads version 2, and its page says so.
        serving.await(deployment, d -> "2".equals(d.at("/state/aliases/0/loaded_version").asString()));
        try (PageCheck tab = PageCheck.open(base)) {
            Page page = tab.go("/deployments/" + deployment);
            assertThat(page.locator("#loaded tbody").innerText()).contains("@champion", "v2");
            tab.assertClean();
        }
        serving.alias(model, "champion", 1);
        serving.await(deployment, d -> "1".equals(d.at("/state/aliases/0/loaded_version").asString()));
    }

    @Test
    void hostileParametersAreA400PageNeverA500() {
        String run = "/runs/" + runIds.get(0);
        for (String path : List.of(run + "/series?key=%00", "/audit?entity_id=%00", "/experiments?q=%00",
                "/experiments/" + experimentId + "?filter=%00", run + "/artifact?path=%00", "/audit?actor=%00",
                "/experiments/" + experimentId + "?page=-1", "/experiments/" + experimentId + "?size=7",
                "/experiments/" + experimentId + "?cols=1&col=bogus", run + "/series?key=curve&from=abc",
                run + "/artifact?path=../../etc/passwd", "/lineage?run=%00", "/deployments/x/quality?metric=m&range=9y")) {
            HttpJson.Response r = http.get(path);
            assertThat(r.status()).as(path + ": " + r.body()).isBetween(400, 404);
            assertThat(r.body()).as(path).contains("role=\"alert\"");
        }
        assertThat(http.get("/actuator/health/readiness").status()).isEqualTo(200);
    }

    @Test
    void theArtifactPreviewShowsTextEscapedAndOffersTheDownload() {
        try (PageCheck tab = PageCheck.open(base)) {
            Page page = tab.go("/runs/" + runIds.get(0) + "?artifacts=notes#artifacts");
            page.locator("#artifacts a", new Page.LocatorOptions().setHasText("readme.txt")).click();
            page.waitForLoadState(LoadState.NETWORKIDLE);
            assertThat(page.locator("pre.preview").innerText()).contains("trained on <b>2024</b> data");
            tab.assertClean();
        }
        HttpJson.Response download = http.get("/runs/" + runIds.get(0) + "/artifact/raw?path=notes/readme.txt&download=1");
        assertThat(download.status()).isEqualTo(200);
        assertThat(download.body()).isEqualTo("trained on <b>2024</b> data\n");
    }
}
