package io.cairn.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.HttpJson;
import io.cairn.HttpJson.Response;
import io.cairn.IntegrationTest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

/** Every kind of bad input gets a 4xx in MLflow's error format and leaves the database exactly as it was. */
@IntegrationTest
class TrackingBadInputIT {

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    io.cairn.artifacts.ArtifactStoreProperties store;

    HttpJson http;
    String experimentId;
    String runId;

    @BeforeEach
    void setUp() {
        http = new HttpJson("http://127.0.0.1:" + port);
        experimentId = http.post("/api/2.0/mlflow/experiments/create", Map.of("name", "bad-" + UUID.randomUUID()))
                .json().get("experiment_id").asString();
        runId = http.post("/api/2.0/mlflow/runs/create", Map.of("experiment_id", experimentId))
                .json().at("/run/info/run_id").asString();
        http.post("/api/2.0/mlflow/runs/log-parameter", Map.of("run_id", runId, "key", "lr", "value", "0.1"));
    }

    @Test
    void malformedJsonIsMalformedRequest() {
        assertRejected(http.post("/api/2.0/mlflow/runs/log-batch", "{\"run_id\": \"" + runId + "\", \"metrics\": [}"),
                400, "MALFORMED_REQUEST");
        assertRejected(http.post("/api/2.0/mlflow/runs/log-batch", "not json at all"), 400, "MALFORMED_REQUEST");
        assertRejected(http.post("/api/2.0/mlflow/experiments/create", ""), 400, "MALFORMED_REQUEST");
    }

    @Test
    void wrongTypesNameTheFieldAtFault() {
        Response response = http.post("/api/2.0/mlflow/runs/log-batch", "{\"run_id\": \"" + runId + "\", \"metrics\": ["
                + "{\"key\": \"ok\", \"value\": 1, \"timestamp\": 1}, {\"key\": \"m\", \"value\": \"high\", \"timestamp\": 1}]}");
        assertRejected(response, 400, "INVALID_PARAMETER_VALUE");
        assertThat(response.json().get("message").asString()).contains("metrics[1].value");
        assertRejected(http.post("/api/2.0/mlflow/runs/log-metric", "{\"run_id\": \"" + runId
                + "\", \"key\": \"m\", \"value\": 1, \"timestamp\": \"yesterday\"}"), 400, "INVALID_PARAMETER_VALUE");
        assertRejected(http.post("/api/2.0/mlflow/runs/search", "{\"experiment_ids\": [\"" + experimentId
                + "\"], \"max_results\": \"many\"}"), 400, "INVALID_PARAMETER_VALUE");
        assertRejected(http.get("/api/2.0/mlflow/metrics/get-history?run_id=" + runId + "&metric_key=m&max_results=x"),
                400, "INVALID_PARAMETER_VALUE");
        assertRejected(http.post("/api/2.0/mlflow/runs/update", Map.of("run_id", runId, "status", "DONE")),
                400, "INVALID_PARAMETER_VALUE");
        assertUnchanged();
    }

    @Test
    void missingRequiredFieldsAreNamed() {
        Response noTimestamp = http.post("/api/2.0/mlflow/runs/log-metric", Map.of("run_id", runId, "key", "m", "value", 1));
        assertRejected(noTimestamp, 400, "INVALID_PARAMETER_VALUE");
        assertThat(noTimestamp.json().get("message").asString()).contains("timestamp");
        Response noValue = http.post("/api/2.0/mlflow/runs/log-metric", Map.of("run_id", runId, "key", "m", "timestamp", 1));
        assertThat(noValue.json().get("message").asString()).contains("value");
        assertRejected(http.post("/api/2.0/mlflow/runs/log-parameter", Map.of("key", "a", "value", "b")),
                400, "INVALID_PARAMETER_VALUE");
        assertRejected(http.get("/api/2.0/mlflow/experiments/get"), 400, "INVALID_PARAMETER_VALUE");
        assertUnchanged();
    }

    @Test
    void oversizeBatchesAreRejectedWhole() {
        List<Map<String, Object>> metrics = new ArrayList<>();
        for (int i = 0; i <= 1000; i++) {
            metrics.add(Map.of("key", "m", "value", i, "timestamp", 1, "step", i));
        }
        Response tooManyMetrics = http.post("/api/2.0/mlflow/runs/log-batch", Map.of("run_id", runId, "metrics", metrics));
        assertRejected(tooManyMetrics, 400, "INVALID_PARAMETER_VALUE");
        assertThat(tooManyMetrics.json().get("message").asString()).contains("at most 1000 metrics");

        Response tooManyParams = http.post("/api/2.0/mlflow/runs/log-batch", Map.of("run_id", runId, "params", keyValues(101)));
        assertThat(tooManyParams.json().get("message").asString()).contains("at most 100 params");
        Response tooManyTags = http.post("/api/2.0/mlflow/runs/log-batch", Map.of("run_id", runId, "tags", keyValues(101)));
        assertThat(tooManyTags.json().get("message").asString()).contains("at most 100 tags");

        Response tooManyInAll = http.post("/api/2.0/mlflow/runs/log-batch", Map.of("run_id", runId,
                "metrics", metrics.subList(0, 950), "params", keyValues(60)));
        assertRejected(tooManyInAll, 400, "INVALID_PARAMETER_VALUE");
        assertThat(tooManyInAll.json().get("message").asString()).contains("at most 1000 metrics, params, and tags");
        assertUnchanged();
    }

    @Test
    void overLongValuesAndKeysAreRejected() {
        assertRejected(http.post("/api/2.0/mlflow/runs/log-parameter",
                Map.of("run_id", runId, "key", "big", "value", "x".repeat(6001))), 400, "INVALID_PARAMETER_VALUE");
        assertThat(http.post("/api/2.0/mlflow/runs/log-parameter",
                Map.of("run_id", runId, "key", "exact", "value", "x".repeat(6000))).status()).isEqualTo(200);
        jdbc.sql("DELETE FROM run_params WHERE run_id = :run AND key = 'exact'").param("run", runId).update();

        assertRejected(http.post("/api/2.0/mlflow/runs/set-tag",
                Map.of("run_id", runId, "key", "big", "value", "x".repeat(8001))), 400, "INVALID_PARAMETER_VALUE");
        assertRejected(http.post("/api/2.0/mlflow/runs/log-metric",
                Map.of("run_id", runId, "key", "k".repeat(251), "value", 1, "timestamp", 1)), 400, "INVALID_PARAMETER_VALUE");
        assertRejected(http.post("/api/2.0/mlflow/experiments/create", Map.of("name", "n".repeat(501))),
                400, "INVALID_PARAMETER_VALUE");
        assertRejected(http.post("/api/2.0/mlflow/experiments/set-experiment-tag",
                Map.of("experiment_id", experimentId, "key", "k", "value", "v".repeat(5001))), 400, "INVALID_PARAMETER_VALUE");
        assertUnchanged();
    }

    @Test
    void invalidKeyNamesAreRejected() {
        for (String key : List.of("../escape", "/absolute", "semi;colon", "a//b", "tab\tkey")) {
            assertRejected(http.post("/api/2.0/mlflow/runs/log-metric",
                    Map.of("run_id", runId, "key", key, "value", 1, "timestamp", 1)), 400, "INVALID_PARAMETER_VALUE");
        }
        assertUnchanged();
    }

    @Test
    void aBatchWithOneBadItemWritesNothing() {
        Response response = http.post("/api/2.0/mlflow/runs/log-batch", Map.of("run_id", runId,
                "metrics", List.of(Map.of("key", "good", "value", 1, "timestamp", 1)),
                "params", List.of(Map.of("key", "new", "value", "v"), Map.of("key", "lr", "value", "0.2")),
                "tags", List.of(Map.of("key", "t", "value", "v"))));
        assertRejected(response, 400, "INVALID_PARAMETER_VALUE");
        assertThat(response.json().get("message").asString()).contains("Changing param values is not allowed");

        Response duplicate = http.post("/api/2.0/mlflow/runs/log-batch", Map.of("run_id", runId,
                "params", List.of(Map.of("key", "d", "value", "1"), Map.of("key", "d", "value", "2"))));
        assertThat(duplicate.json().get("message").asString()).contains("Duplicate parameter keys");
        assertUnchanged();
    }

    @Test
    void unknownIdsAreResourceDoesNotExist() {
        String unknownRun = "ffffffffffffffffffffffffffffffff";
        assertRejected(http.get("/api/2.0/mlflow/runs/get?run_id=" + unknownRun), 404, "RESOURCE_DOES_NOT_EXIST");
        assertRejected(http.post("/api/2.0/mlflow/runs/log-batch", Map.of("run_id", unknownRun,
                "metrics", List.of(Map.of("key", "m", "value", 1, "timestamp", 1)))), 404, "RESOURCE_DOES_NOT_EXIST");
        assertRejected(http.get("/api/2.0/mlflow/metrics/get-history?run_id=" + unknownRun + "&metric_key=m"),
                404, "RESOURCE_DOES_NOT_EXIST");
        assertRejected(http.get("/api/2.0/mlflow/experiments/get?experiment_id=99999999"), 404, "RESOURCE_DOES_NOT_EXIST");
        assertRejected(http.get("/api/2.0/mlflow/experiments/get?experiment_id=abc"), 404, "RESOURCE_DOES_NOT_EXIST");
        assertRejected(http.post("/api/2.0/mlflow/runs/create", Map.of("experiment_id", "99999999")),
                404, "RESOURCE_DOES_NOT_EXIST");
        assertRejected(http.post("/api/2.0/mlflow/runs/delete-tag", Map.of("run_id", runId, "key", "never-set")),
                404, "RESOURCE_DOES_NOT_EXIST");
        assertThat(jdbc.sql("SELECT count(*) FROM metric_history WHERE run_id = :r").param("r", unknownRun)
                .query(Long.class).single()).isZero();
    }

    @Test
    void duplicateExperimentNamesAreRejectedIncludingDeletedOnes() {
        String name = "bad-dup-" + UUID.randomUUID();
        String id = http.post("/api/2.0/mlflow/experiments/create", Map.of("name", name)).json().get("experiment_id").asString();
        long before = experimentCount();
        assertRejected(http.post("/api/2.0/mlflow/experiments/create", Map.of("name", name)), 400, "RESOURCE_ALREADY_EXISTS");
        http.post("/api/2.0/mlflow/experiments/delete", Map.of("experiment_id", id));
        assertRejected(http.post("/api/2.0/mlflow/experiments/create", Map.of("name", name)), 400, "RESOURCE_ALREADY_EXISTS");
        assertRejected(http.post("/api/2.0/mlflow/experiments/update", Map.of("experiment_id", experimentId, "new_name", name)),
                400, "RESOURCE_ALREADY_EXISTS");
        assertThat(experimentCount()).isEqualTo(before);
    }

    @Test
    void writesToADeletedRunAreRefused() {
        http.post("/api/2.0/mlflow/runs/delete", Map.of("run_id", runId));
        Response response = http.post("/api/2.0/mlflow/runs/log-metric", Map.of("run_id", runId, "key", "m", "value", 1, "timestamp", 1));
        assertRejected(response, 400, "INVALID_PARAMETER_VALUE");
        assertThat(response.json().get("message").asString()).contains("must be in the 'active' state");
        assertUnchanged();
    }

    @Test
    void badSearchInputIsExplained() {
        Map<String, String> cases = Map.of(
                "metrics.acc > 'high'", "numeric",
                "params.lr > '1'", "comparator",
                "metrics.acc > 1 OR metrics.acc < 0", "OR",
                "bogus.x = 'y'", "entity",
                "attributes.colour = 'red'", "attribute",
                "params.lr IN ('1')", "comparator");
        cases.forEach((filter, hint) -> {
            Response response = http.post("/api/2.0/mlflow/runs/search",
                    Map.of("experiment_ids", List.of(experimentId), "filter", filter));
            assertRejected(response, 400, "INVALID_PARAMETER_VALUE");
            assertThat(response.json().get("message").asString()).as(filter).containsIgnoringCase(hint);
        });
        assertRejected(http.post("/api/2.0/mlflow/runs/search", Map.of("experiment_ids", List.of(experimentId),
                "max_results", 50001)), 400, "INVALID_PARAMETER_VALUE");
        assertRejected(http.post("/api/2.0/mlflow/runs/search", Map.of("experiment_ids", List.of(experimentId),
                "max_results", 0)), 400, "INVALID_PARAMETER_VALUE");
        assertRejected(http.post("/api/2.0/mlflow/runs/search", Map.of("experiment_ids", List.of(experimentId),
                "page_token", "%%%not-base64")), 400, "INVALID_PARAMETER_VALUE");
        assertRejected(http.post("/api/2.0/mlflow/runs/search", Map.of("experiment_ids", List.of(experimentId),
                "order_by", List.of("metrics.acc SIDEWAYS"))), 400, "INVALID_PARAMETER_VALUE");
        assertRejected(http.post("/api/2.0/mlflow/experiments/search", Map.of("max_results", 10,
                "filter", "metrics.acc > 1")), 400, "INVALID_PARAMETER_VALUE");
    }

    @Test
    void nulCharactersAreInvalidParameterValuesAndWriteNothing() {
        // PostgreSQL text cannot hold U+0000; every way one can arrive gets a 400, never the database's error.
        String nul = "a\u0000b";
        String run = "/api/2.0/mlflow/runs/";
        String experiments = "/api/2.0/mlflow/experiments/";
        List<Response> responses = List.of(
                http.post(experiments + "create", Map.of("name", nul)),
                http.post(experiments + "create", Map.of("name", "nul-" + UUID.randomUUID(), "tags",
                        List.of(Map.of("key", "t", "value", nul)))),
                http.post(experiments + "update", Map.of("experiment_id", experimentId, "new_name", nul)),
                http.post(experiments + "set-experiment-tag", Map.of("experiment_id", experimentId, "key", "t",
                        "value", nul)),
                http.post(experiments + "search", Map.of("max_results", 10, "filter", "name = '" + nul + "'")),
                http.get(experiments + "get-by-name?experiment_name=a%00b"),
                http.post(run + "create", Map.of("experiment_id", experimentId, "run_name", nul)),
                http.post(run + "create", Map.of("experiment_id", experimentId, "user_id", nul)),
                http.post(run + "create", Map.of("experiment_id", experimentId, "tags",
                        List.of(Map.of("key", "t", "value", nul)))),
                http.post(run + "update", Map.of("run_id", runId, "run_name", nul)),
                http.post(run + "set-tag", Map.of("run_id", runId, "key", "t", "value", nul)),
                http.post(run + "set-tag", Map.of("run_id", runId, "key", nul, "value", "v")),
                http.post(run + "delete-tag", Map.of("run_id", runId, "key", nul)),
                http.post(run + "log-parameter", Map.of("run_id", runId, "key", "p", "value", nul)),
                http.post(run + "log-batch", Map.of("run_id", runId, "params", List.of(Map.of("key", "p", "value", nul)))),
                http.post(run + "log-batch", Map.of("run_id", runId, "tags", List.of(Map.of("key", "t", "value", nul)))),
                http.post(run + "log-inputs", Map.of("run_id", runId, "datasets", List.of(Map.of("dataset", Map.of(
                        "name", nul, "digest", "d", "source_type", "local", "source", "s"))))),
                http.post(run + "search", Map.of("experiment_ids", List.of(experimentId),
                        "filter", "tags.t = '" + nul + "'")),
                http.post(run + "search", Map.of("experiment_ids", List.of(experimentId),
                        "order_by", List.of("tags.`" + nul + "`"))),
                http.get(run + "get?run_id=a%00b"),
                http.get("/api/2.0/mlflow/metrics/get-history?run_id=" + runId + "&metric_key=a%00b"));
        for (Response response : responses) {
            assertRejected(response, 400, "INVALID_PARAMETER_VALUE");
            assertThat(response.json().get("message").asString()).as(response.body()).contains("U+0000");
        }
        assertUnchanged();
        assertThat(jdbc.sql("SELECT count(*) FROM experiments WHERE name LIKE 'nul-%'").query(Long.class).single())
                .isZero();
    }

    @Test
    void artifactLocationsOutsideTheStoreAreRefusedAndNothingIsCreated() {
        long before = experimentCount();
        for (String bad : List.of("http:///#/../../etc/", "http://169.254.169.254/latest/", "s3://another-bucket/x",
                store.root() + "/../elsewhere", store.root() + "/x?versionId=1", "mlflow-artifacts:/x/%2e%2e/%2e%2e/y",
                "mlflow-artifacts://evil.example/x", "file:///etc", "mlflow-artifacts:/x\u0000")) {
            Response response = http.post("/api/2.0/mlflow/experiments/create",
                    Map.of("name", "loc-" + UUID.randomUUID(), "artifact_location", bad));
            assertRejected(response, 400, "INVALID_PARAMETER_VALUE");
            assertThat(response.json().get("message").asString()).as(bad).contains("artifact_location");
        }
        assertThat(experimentCount()).isEqualTo(before);

        for (String ok : List.of("mlflow-artifacts:/custom-" + UUID.randomUUID(), store.root() + "/custom-" + UUID.randomUUID())) {
            Response created = http.post("/api/2.0/mlflow/experiments/create",
                    Map.of("name", "loc-" + UUID.randomUUID(), "artifact_location", ok));
            assertThat(created.status()).as(created.body()).isEqualTo(200);
            assertThat(http.get("/api/2.0/mlflow/experiments/get?experiment_id=" + created.json().get("experiment_id")
                    .asString()).json().at("/experiment/artifact_location").asString()).isEqualTo(ok);
        }
    }

    @Test
    void acceptingOnlyHtmlIsANotAcceptableInMlflowsFormat() {
        Response html = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(http.base()
                + "/api/2.0/mlflow/experiments/get?experiment_id=" + experimentId)).header("Accept", "text/html").GET());
        assertRejected(html, 406, "NOT_ACCEPTABLE");
    }

    @Test
    void inListsLongerThanPostgresBindLimitWork() {
        // PostgreSQL takes at most 65,535 bind parameters in one statement; a list is bound as one array instead.
        // Short values, so 66,000 of them stay within the 1 MB a search body may have.
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 66_000; i++) {
            ids.add(Integer.toString(i, 36));
        }
        ids.add(runId);
        String list = ids.stream().map(id -> "'" + id + "'").collect(java.util.stream.Collectors.joining(","));
        Response found = http.post("/api/2.0/mlflow/runs/search", Map.of("experiment_ids", List.of(experimentId),
                "filter", "attributes.run_id IN (" + list + ")"));
        assertThat(found.status()).as(found.body()).isEqualTo(200);
        assertThat(found.json().at("/runs/0/info/run_id").asString()).isEqualTo(runId);
        Response none = http.post("/api/2.0/mlflow/runs/search", Map.of("experiment_ids", List.of(experimentId),
                "filter", "attributes.run_id NOT IN (" + list + ")"));
        assertThat(none.status()).as(none.body()).isEqualTo(200);
        assertThat(none.json().path("runs").isEmpty()).isTrue();

        List<String> experimentIds = new ArrayList<>();
        for (int i = 0; i < 66_000; i++) {
            experimentIds.add(Integer.toString(2_000_000_000 + i));
        }
        experimentIds.add(experimentId);
        Response many = http.post("/api/2.0/mlflow/runs/search", Map.of("experiment_ids", experimentIds));
        assertThat(many.status()).as(many.body()).isEqualTo(200);
        assertThat(many.json().at("/runs/0/info/run_id").asString()).isEqualTo(runId);

        Response experiments = http.post("/api/2.0/mlflow/experiments/search", Map.of("max_results", 10,
                "filter", "attributes.experiment_id IN (" + experimentIds.stream().map(id -> "'" + id + "'")
                        .collect(java.util.stream.Collectors.joining(",")) + ")"));
        assertThat(experiments.status()).as(experiments.body()).isEqualTo(200);
        assertThat(experiments.json().at("/experiments/0/experiment_id").asString()).isEqualTo(experimentId);
    }

    @Test
    void runNameAndRunNameTagMustAgree() {
        assertRejected(http.post("/api/2.0/mlflow/runs/create", Map.of("experiment_id", experimentId, "run_name", "a",
                "tags", List.of(Map.of("key", "mlflow.runName", "value", "b")))), 400, "INVALID_PARAMETER_VALUE");
    }

    private void assertRejected(Response response, int status, String code) {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        assertThat(response.errorCode()).as(response.body()).isEqualTo(code);
        assertThat(response.json().get("message").asString()).isNotBlank();
    }

    /** The run holds exactly what setUp logged: one param, the run-name tag, no metrics. */
    private void assertUnchanged() {
        assertThat(jdbc.sql("SELECT key || '=' || value FROM run_params WHERE run_id = :r").param("r", runId)
                .query(String.class).list()).containsExactly("lr=0.1");
        assertThat(jdbc.sql("SELECT key FROM run_tags WHERE run_id = :r").param("r", runId)
                .query(String.class).list()).containsExactly("mlflow.runName");
        assertThat(jdbc.sql("SELECT count(*) FROM metric_history WHERE run_id = :r").param("r", runId)
                .query(Long.class).single()).isZero();
        assertThat(jdbc.sql("SELECT count(*) FROM latest_metrics WHERE run_id = :r").param("r", runId)
                .query(Long.class).single()).isZero();
        assertThat(jdbc.sql("SELECT count(*) FROM experiment_tags WHERE experiment_id = :e")
                .param("e", Long.parseLong(experimentId)).query(Long.class).single()).isZero();
    }

    private long experimentCount() {
        return jdbc.sql("SELECT count(*) FROM experiments").query(Long.class).single();
    }

    private static List<Map<String, String>> keyValues(int n) {
        List<Map<String, String>> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Map<String, String> kv = new HashMap<>();
            kv.put("key", "k" + i);
            kv.put("value", "v");
            list.add(kv);
        }
        return list;
    }
}
