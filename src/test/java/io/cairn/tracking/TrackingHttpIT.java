package io.cairn.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.HttpJson;
import io.cairn.HttpJson.Response;
import io.cairn.IntegrationTest;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/** MLflow REST behaviour the Java client does not exercise: search grammar, paging, aliases, raw JSON forms. */
@IntegrationTest
class TrackingHttpIT {

    @LocalServerPort
    int port;

    HttpJson http;
    String experimentId;

    @BeforeEach
    void setUp() {
        http = new HttpJson("http://127.0.0.1:" + port);
        experimentId = createExperiment("http-" + UUID.randomUUID());
    }

    @Test
    void everyPathIsAlsoServedUnderTheAjaxApiPrefix() {
        Response viaAjax = http.get("/ajax-api/2.0/mlflow/experiments/get?experiment_id=" + experimentId);
        assertThat(viaAjax.status()).isEqualTo(200);
        assertThat(viaAjax.json().at("/experiment/experiment_id").asString()).isEqualTo(experimentId);
        Response created = http.post("/ajax-api/2.0/mlflow/runs/create", Map.of("experiment_id", experimentId));
        assertThat(created.status()).isEqualTo(200);
        String runId = created.json().at("/run/info/run_id").asString();
        assertThat(http.get("/api/2.0/mlflow/runs/get?run_id=" + runId).status()).isEqualTo(200);
    }

    @Test
    void pythonStyleBareNonFiniteNumbersAndPlainIntegersAreAccepted() {
        String runId = createRun(Map.of());
        Response logged = http.post("/api/2.0/mlflow/runs/log-batch", "{\"run_id\": \"" + runId + "\", \"metrics\": ["
                + "{\"key\": \"a\", \"value\": NaN, \"timestamp\": 1, \"step\": 0},"
                + "{\"key\": \"b\", \"value\": -Infinity, \"timestamp\": 1, \"step\": 0},"
                + "{\"key\": \"c\", \"value\": \"Infinity\", \"timestamp\": \"2\", \"step\": \"5\"}]}");
        assertThat(logged.status()).isEqualTo(200);
        Response run = http.get("/api/2.0/mlflow/runs/get?run_uuid=" + runId);
        JsonNode metrics = run.json().at("/run/data/metrics");
        assertThat(metrics.get(0).get("value").asString()).isEqualTo("NaN");
        assertThat(metrics.get(1).get("value").asString()).isEqualTo("-Infinity");
        assertThat(metrics.get(2).get("value").asString()).isEqualTo("Infinity");
        assertThat(metrics.get(2).get("step").isNumber()).isTrue();
        assertThat(metrics.get(2).get("step").asLong()).isEqualTo(5);
    }

    @Test
    void runSearchSupportsMlflowsFilterGrammar() {
        String a = createRun(Map.of("team", "fraud"));
        String b = createRun(Map.of("team", "Fraud-Ops"));
        String c = createRun(Map.of("team", "growth"));
        logBatch(a, List.of(metric("acc", 0.91)), Map.of("model", "xgboost"));
        logBatch(b, List.of(metric("acc", 0.75)), Map.of("model", "linear"));
        logBatch(c, List.of(metric("loss", 0.3)), Map.of("model", "xgboost-v2"));
        http.post("/api/2.0/mlflow/runs/update", Map.of("run_id", c, "status", "FINISHED"));
        http.post("/api/2.0/mlflow/runs/log-inputs", Map.of("run_id", b, "datasets", List.of(Map.of(
                "tags", List.of(Map.of("key", "mlflow.data.context", "value", "training")),
                "dataset", Map.of("name", "drivers", "digest", "d1", "source_type", "local", "source", "/x")))));

        assertThat(search("metrics.acc > 0.8")).containsExactly(a);
        assertThat(search("metrics.acc != 0.91")).containsExactly(b);
        assertThat(search("params.model LIKE 'xgboost%'")).containsExactlyInAnyOrder(a, c);
        assertThat(search("params.model = 'xgboost'")).containsExactly(a);
        assertThat(search("tags.team ILIKE 'fraud%'")).containsExactlyInAnyOrder(a, b);
        assertThat(search("tags.team LIKE 'fraud%'")).containsExactly(a);
        assertThat(search("attributes.status = 'FINISHED'")).containsExactly(c);
        assertThat(search("attributes.run_id IN ('" + a + "', '" + c + "')")).containsExactlyInAnyOrder(a, c);
        assertThat(search("attributes.run_id NOT IN ('" + a + "')")).containsExactlyInAnyOrder(b, c);
        assertThat(search("metrics.acc >= 0.5 AND params.model = 'linear' AND tags.team = 'Fraud-Ops'")).containsExactly(b);
        assertThat(search("datasets.name = 'drivers' AND datasets.context = 'training'")).containsExactly(b);
        assertThat(search("attributes.start_time > 0")).hasSize(3);
        assertThat(search("attributes.run_name = 'no-such-name'")).isEmpty();
    }

    @Test
    void runSearchOrdersByMetricsParamsTagsAndAttributesWithMissingValuesLast() {
        String low = createRun(Map.of("rank", "b"));
        String high = createRun(Map.of("rank", "a"));
        String nan = createRun(Map.of());
        String none = createRun(Map.of("rank", "c"));
        logBatch(low, List.of(metric("acc", 0.1)), Map.of("p", "2"));
        logBatch(high, List.of(metric("acc", 0.9)), Map.of("p", "1"));
        logBatch(nan, List.of(Map.of("key", "acc", "value", "NaN", "timestamp", 1, "step", 0)), Map.of());

        assertThat(searchOrdered(List.of("metrics.acc DESC"))).containsExactly(high, low, nan, none);
        assertThat(searchOrdered(List.of("metrics.acc ASC"))).containsExactly(low, high, nan, none);
        // Runs without the param tie, and fall back to the default order: newest start_time first.
        assertThat(searchOrdered(List.of("params.p"))).containsExactly(high, low, none, nan);
        assertThat(searchOrdered(List.of("tags.rank DESC")).subList(0, 3)).containsExactly(none, low, high);
        // Default order: newest start_time first.
        assertThat(searchOrdered(List.of())).containsExactly(none, nan, high, low);
        assertThat(searchOrdered(List.of("attributes.start_time ASC"))).containsExactly(low, high, nan, none);
    }

    @Test
    void runSearchPagesWithOpaqueTokensUntilExhausted() {
        List<String> created = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            created.add(createRun(Map.of()));
        }
        List<String> seen = new ArrayList<>();
        String token = null;
        int pages = 0;
        do {
            Map<String, Object> body = new java.util.HashMap<>(Map.of("experiment_ids", List.of(experimentId),
                    "max_results", 3, "order_by", List.of("attributes.start_time ASC")));
            if (token != null) {
                body.put("page_token", token);
            }
            JsonNode page = http.post("/api/2.0/mlflow/runs/search", body).json();
            page.get("runs").forEach(r -> seen.add(r.at("/info/run_id").asString()));
            token = page.has("next_page_token") ? page.get("next_page_token").asString() : null;
            pages++;
        } while (token != null);
        assertThat(pages).isEqualTo(3);
        assertThat(seen).containsExactlyElementsOf(created);
    }

    @Test
    void metricHistoryPagesInStepOrder() {
        String runId = createRun(Map.of());
        List<Map<String, Object>> points = new ArrayList<>();
        for (int step = 9; step >= 0; step--) {
            points.add(Map.of("key", "loss", "value", step / 10.0, "timestamp", 1000 + step, "step", step));
        }
        logBatch(runId, points, Map.of());
        List<Long> steps = new ArrayList<>();
        String token = null;
        do {
            String url = "/api/2.0/mlflow/metrics/get-history?run_id=" + runId + "&metric_key=loss&max_results=4"
                    + (token == null ? "" : "&page_token=" + URLEncoder.encode(token, StandardCharsets.UTF_8));
            JsonNode page = http.get(url).json();
            page.get("metrics").forEach(m -> steps.add(m.get("step").asLong()));
            token = page.has("next_page_token") ? page.get("next_page_token").asString() : null;
        } while (token != null);
        assertThat(steps).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
        JsonNode all = http.get("/api/2.0/mlflow/metrics/get-history?run_id=" + runId + "&metric_key=loss").json();
        assertThat(all.get("metrics")).hasSize(10);
        assertThat(all.has("next_page_token")).isFalse();
    }

    @Test
    void experimentSearchFiltersByNameTagsAndViewTypeOverGetAndPost() {
        String marker = UUID.randomUUID().toString().substring(0, 8);
        String tagged = createExperiment("exp-search-" + marker + "-a");
        String other = createExperiment("exp-search-" + marker + "-b");
        http.post("/api/2.0/mlflow/experiments/set-experiment-tag", Map.of("experiment_id", tagged, "key", "owner", "value", "ml"));
        http.post("/api/2.0/mlflow/experiments/delete", Map.of("experiment_id", other));

        JsonNode byTag = http.post("/api/2.0/mlflow/experiments/search", Map.of("max_results", 10,
                "filter", "name LIKE 'exp-search-" + marker + "%' AND tags.owner = 'ml'")).json();
        assertThat(byTag.get("experiments")).hasSize(1);
        assertThat(byTag.at("/experiments/0/experiment_id").asString()).isEqualTo(tagged);

        String filter = URLEncoder.encode("name LIKE 'exp-search-" + marker + "%'", StandardCharsets.UTF_8);
        assertThat(http.get("/api/2.0/mlflow/experiments/search?max_results=10&filter=" + filter).json()
                .get("experiments")).hasSize(1);
        assertThat(http.get("/api/2.0/mlflow/experiments/search?max_results=10&view_type=ALL&filter=" + filter).json()
                .get("experiments")).hasSize(2);
        JsonNode deleted = http.get("/api/2.0/mlflow/experiments/search?max_results=10&view_type=DELETED_ONLY&filter="
                + filter).json();
        assertThat(deleted.at("/experiments/0/experiment_id").asString()).isEqualTo(other);
        assertThat(deleted.at("/experiments/0/lifecycle_stage").asString()).isEqualTo("deleted");

        http.post("/api/2.0/mlflow/experiments/delete-experiment-tag", Map.of("experiment_id", tagged, "key", "owner"));
        assertThat(http.get("/api/2.0/mlflow/experiments/get?experiment_id=" + tagged).json()
                .at("/experiment/tags").size()).isZero();
    }

    @Test
    void deletingAnExperimentDeletesItsRunsAndRestoringBringsThemBack() {
        String runId = createRun(Map.of());
        http.post("/api/2.0/mlflow/experiments/delete", Map.of("experiment_id", experimentId));
        assertThat(http.get("/api/2.0/mlflow/runs/get?run_id=" + runId).json().at("/run/info/lifecycle_stage").asString())
                .isEqualTo("deleted");
        Response createInDeleted = http.post("/api/2.0/mlflow/runs/create", Map.of("experiment_id", experimentId));
        assertThat(createInDeleted.status()).isEqualTo(400);
        assertThat(createInDeleted.errorCode()).isEqualTo("INVALID_PARAMETER_VALUE");
        http.post("/api/2.0/mlflow/experiments/restore", Map.of("experiment_id", experimentId));
        assertThat(http.get("/api/2.0/mlflow/runs/get?run_id=" + runId).json().at("/run/info/lifecycle_stage").asString())
                .isEqualTo("active");
    }

    @Test
    void renamingARunThroughUpdateOrTheRunNameTagKeepsBothInStep() {
        String runId = createRun(Map.of());
        JsonNode updated = http.post("/api/2.0/mlflow/runs/update", Map.of("run_id", runId, "run_name", "renamed")).json();
        assertThat(updated.at("/run_info/run_name").asString()).isEqualTo("renamed");
        http.post("/api/2.0/mlflow/runs/set-tag", Map.of("run_id", runId, "key", "mlflow.runName", "value", "by-tag"));
        JsonNode run = http.get("/api/2.0/mlflow/runs/get?run_id=" + runId).json();
        assertThat(run.at("/run/info/run_name").asString()).isEqualTo("by-tag");
        assertThat(search("attributes.run_name = 'by-tag'")).containsExactly(runId);
    }

    private List<String> search(String filter) {
        Response response = http.post("/api/2.0/mlflow/runs/search",
                Map.of("experiment_ids", List.of(experimentId), "filter", filter));
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        List<String> ids = new ArrayList<>();
        if (response.json().has("runs")) {
            response.json().get("runs").forEach(r -> ids.add(r.at("/info/run_id").asString()));
        }
        return ids;
    }

    private List<String> searchOrdered(List<String> orderBy) {
        Response response = http.post("/api/2.0/mlflow/runs/search",
                Map.of("experiment_ids", List.of(experimentId), "order_by", orderBy));
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        List<String> ids = new ArrayList<>();
        response.json().get("runs").forEach(r -> ids.add(r.at("/info/run_id").asString()));
        return ids;
    }

    private String createExperiment(String name) {
        Response response = http.post("/api/2.0/mlflow/experiments/create", Map.of("name", name));
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.json().get("experiment_id").asString();
    }

    private long clock = 1_700_000_000_000L;

    private String createRun(Map<String, String> tags) {
        List<Map<String, String>> tagList = tags.entrySet().stream()
                .map(e -> Map.of("key", e.getKey(), "value", e.getValue())).toList();
        // Distinct, increasing start times make the default order deterministic.
        Response response = http.post("/api/2.0/mlflow/runs/create",
                Map.of("experiment_id", experimentId, "start_time", clock++, "tags", tagList));
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.json().at("/run/info/run_id").asString();
    }

    private void logBatch(String runId, List<Map<String, Object>> metrics, Map<String, String> params) {
        List<Map<String, String>> paramList = params.entrySet().stream()
                .map(e -> Map.of("key", e.getKey(), "value", e.getValue())).toList();
        Response response = http.post("/api/2.0/mlflow/runs/log-batch",
                Map.of("run_id", runId, "metrics", metrics, "params", paramList));
        assertThat(response.status()).as(response.body()).isEqualTo(200);
    }

    private static Map<String, Object> metric(String key, double value) {
        return Map.of("key", key, "value", value, "timestamp", 1_700_000_000_000L, "step", 0);
    }
}
