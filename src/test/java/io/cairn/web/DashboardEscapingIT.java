package io.cairn.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Page;
import io.cairn.HttpJson;
import io.cairn.IntegrationTest;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Every user-supplied string the dashboard shows goes through the templates' escaping: script tags, attribute- and
 * quote-breaking strings and javascript: URLs are stored in every field a client can fill, each page is opened in a
 * browser tab that ignores the Content Security Policy (so the policy cannot hide an escaping bug), and none of them
 * runs while each shows up as the literal text it was.
 */
@IntegrationTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardEscapingIT {

    /** Each payload sets window.__xss if it ever runs, whichever context it lands in. */
    static final List<String> PAYLOADS = List.of(
            "<script>window.__xss='script'</script>",
            "\"><img src=/nothing onerror=\"window.__xss='attribute'\">",
            "'><svg onload=window.__xss='single-quote'>",
            "</textarea></title></pre><script>window.__xss='closing'</script>",
            "javascript:window.__xss='url'");

    @LocalServerPort
    int port;

    String base;
    String experimentId;
    String runA;
    String runB;

    @BeforeAll
    void storeHostileStrings() {
        base = "http://127.0.0.1:" + port;
        HttpJson http = new HttpJson(base);
        DashboardFixtures fixtures = new DashboardFixtures(http);
        String hostile = String.join(" ", PAYLOADS);
        experimentId = fixtures.experiment(hostile + " " + UUID.randomUUID());
        Map<String, String> params = new LinkedHashMap<>();
        Map<String, String> tags = new LinkedHashMap<>();
        for (int i = 0; i < PAYLOADS.size(); i++) {
            params.put("p" + i, PAYLOADS.get(i));
            tags.put("t" + i, PAYLOADS.get(i));
        }
        tags.put("mlflow.note.content", hostile);
        runA = fixtures.run(experimentId, PAYLOADS.get(0), 1_700_000_000_000L, params, tags, Map.of("m", 1.0));
        runB = fixtures.run(experimentId, PAYLOADS.get(1), 1_700_000_001_000L, params, tags, Map.of("m", 2.0));
        fixtures.artifact(experimentId, runA, "notes.txt", hostile.getBytes(StandardCharsets.UTF_8));

        // The registry and the feature store: free-text fields a client fills.
        model = "escape-model-" + UUID.randomUUID().toString().substring(0, 8);
        ok(http.post("/api/2.0/mlflow/registered-models/create", Map.of("name", model, "description", hostile)));
        ok(http.post("/api/2.0/mlflow/model-versions/create", Map.of("name", model, "source",
                "mlflow-artifacts:/" + experimentId + "/" + runA + "/artifacts", "run_id", runA,
                "description", hostile)));
        ok(http.post("/api/2.0/mlflow/registered-models/alias", Map.of("name", model, "alias", "champion",
                "version", "1")));
        ok(http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/api/v1/models/" + model
                        + "/versions/1/card")).header("Content-Type", "application/merge-patch+json")
                .method("PATCH", java.net.http.HttpRequest.BodyPublishers.ofString(HttpJson.mapper()
                        .writeValueAsString(Map.of("model_details", Map.of("overview", hostile, "owners",
                                List.of(Map.of("name", PAYLOADS.get(1), "contact", PAYLOADS.get(4)))),
                                "considerations", Map.of("limitations", List.of(Map.of("description",
                                        PAYLOADS.get(3))))))))), 200);
        String suffix = UUID.randomUUID().toString().substring(0, 8).replace('-', '_');
        entity = "escape_user_" + suffix;
        ok(put(http, "/api/v1/entities/" + entity, Map.of("join_key", "user_id", "value_type", "INT64",
                "description", hostile)), 201);
        ok(put(http, "/api/v1/feature-views/escape_view_" + suffix, Map.of("entities", List.of(entity),
                "features", List.of(Map.of("name", "f", "type", "FLOAT64")), "description", hostile)), 201);
    }

    String model;
    String entity;

    private static void ok(HttpJson.Response r) {
        ok(r, 200);
    }

    private static void ok(HttpJson.Response r, int status) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
    }

    private static HttpJson.Response put(HttpJson http, String path, Object body) {
        return http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(http.base() + path))
                .header("Content-Type", "application/json")
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofString(HttpJson.mapper().writeValueAsString(body))));
    }

    @Test
    void noStoredStringRunsOnAnyPage() {
        List<String> pages = List.of("/", "/experiments", "/experiments?q=" + Format.query(PAYLOADS.get(0)),
                "/experiments/" + experimentId + "?cols=1&col=params.p0&col=params.p1&col=tags.t2&col=tags.t3&col=tags.t4",
                "/experiments/" + experimentId + "?filter=" + Format.query(PAYLOADS.get(1)),
                "/runs/" + runA,
                "/experiments/" + experimentId + "/compare?run=" + runA + "&run=" + runB + "&x=p1&y=m",
                "/runs/" + runA + "/artifact?path=notes.txt", "/models", "/models/" + model,
                "/models/" + model + "/versions/1", "/models/" + model + "/versions/1/card",
                "/models/" + model + "/versions/1/card/diff?from=1&to=2",
                "/models/" + model + "/versions/1/card/edit",
                "/models/" + model + "/aliases/confirm?alias=" + Format.query(PAYLOADS.get(1)) + "&version=1",
                "/features", "/audit?entity_type=model_card", "/lineage?model=" + model + "&version=1",
                "/experiments?q=" + Format.query(PAYLOADS.get(2)), "/runs/" + runA + "?artifacts="
                        + Format.query(PAYLOADS.get(1)));
        for (String path : pages) {
            try (PageCheck tab = PageCheck.withoutCsp(base)) {
                Page page = tab.go(path);
                assertThat(page.evaluate("() => window.__xss === undefined")).as("script ran on " + path)
                        .isEqualTo(true);
                assertThat(page.locator("script:not([src])").count()).as("inline scripts on " + path).isZero();
                assertThat(page.locator("[onerror], [onload]").count()).as("event attributes on " + path).isZero();
                assertThat(page.locator("a[href^='javascript:' i]").count()).as("javascript: links on " + path)
                        .isZero();
            }
        }
        for (String shown : List.of("/runs/" + runA, "/models/" + model + "/versions/1")) {
            try (PageCheck tab = PageCheck.withoutCsp(base)) {
                Page page = tab.go(shown);
                String text = page.locator("main").innerText();
                for (String payload : PAYLOADS) {
                    assertThat(text).as("shown as text on " + shown).contains(payload);
                }
            }
        }
    }
}
