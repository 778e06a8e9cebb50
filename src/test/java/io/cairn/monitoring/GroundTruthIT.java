package io.cairn.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cairn.HttpJson;
import io.cairn.HttpJson.Response;
import io.cairn.IntegrationTest;
import io.cairn.artifacts.ArtifactStore;
import io.cairn.serving.OnnxModels;
import io.cairn.serving.ServingFixtures;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Ground truth for real predictions: served through /v2, learned by monitoring from serving's PredictionsLogged
 * event, then labelled by prediction id or request id, in JSON and CSV; late (unknown) ids are answered unmatched and
 * not stored, re-labels keep the old value in history, and any malformed row stores nothing.
 */
@IntegrationTest
class GroundTruthIT {

    @LocalServerPort
    int port;

    @Autowired
    ArtifactStore store;

    @Autowired
    JdbcClient jdbc;

    ServingFixtures fx;
    HttpJson http;
    String deployment;
    String single1;
    String single2;
    String pair;

    @BeforeEach
    void setUp() {
        fx = new ServingFixtures(port, store);
        http = new HttpJson("http://127.0.0.1:" + port);
        String model = fx.model("labelled");
        int version = fx.version(model, OnnxModels.scaling(2, 2f), Map.of());
        fx.alias(model, "champion", version);
        deployment = fx.deployReady("labelled", model, "champion");
        single1 = infer(new float[][] {{1, 2}}, null);
        single2 = infer(new float[][] {{3, 4}}, null);
        pair = infer(new float[][] {{5, 6}, {7, 8}}, "req-" + deployment);
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(known())
                .as("monitoring learned of the three predictions").isEqualTo(3));
    }

    @AfterEach
    void cleanUp() {
        fx.cleanUp();
    }

    private String infer(float[][] rows, String requestId) {
        Map<String, Object> body = new LinkedHashMap<>(ServingFixtures.fp32("input", rows));
        if (requestId != null) {
            body.put("id", requestId);
        }
        Response r = fx.infer("/v2/models/" + deployment + "/infer", body);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().at("/parameters/prediction_id").asString();
    }

    private long known() {
        return jdbc.sql("SELECT count(*) FROM monitored_predictions WHERE deployment = :d").param("d", deployment)
                .query(Long.class).single();
    }

    private Response csv(String body) {
        return http.send(HttpRequest.newBuilder(URI.create(http.base() + "/api/v1/deployments/" + deployment
                + "/ground-truth")).header("Content-Type", "text/csv").POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private Response json(Object body) {
        return http.post("/api/v1/deployments/" + deployment + "/ground-truth", body);
    }

    private Map<String, String> labels() {
        Map<String, String> out = new LinkedHashMap<>();
        jdbc.sql("SELECT prediction_id::text || '/' || row_index AS k, value_text FROM ground_truth "
                + "WHERE deployment = :d ORDER BY k").param("d", deployment)
                .query((rs, i) -> out.put(rs.getString(1), rs.getString(2))).list();
        return out;
    }

    @Test
    void labelsMatchByPredictionOrRequestIdAndUnknownIdsAreReportedNotStored() {
        String late = UUID.randomUUID().toString();
        Response r = json(Map.of("labels", List.of(
                Map.of("prediction_id", single1, "value", 1),
                Map.of("prediction_id", single2, "value", "cat"),
                Map.of("request_id", "req-" + deployment, "row", 1, "value", 2.5),
                Map.of("prediction_id", late, "value", 0))));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().get("received").asLong()).isEqualTo(4);
        assertThat(r.json().get("stored").asLong()).isEqualTo(3);
        assertThat(r.json().get("replaced").asLong()).isZero();
        assertThat(r.json().get("unmatched_count").asLong()).isEqualTo(1);
        assertThat(r.json().at("/unmatched/0/where").asString()).isEqualTo("labels[3]");
        assertThat(r.json().at("/unmatched/0/prediction_id").asString()).isEqualTo(late);
        assertThat(labels()).containsExactlyInAnyOrderEntriesOf(Map.of(single1 + "/0", "1", single2 + "/0", "cat",
                pair + "/1", "2.5"));
        assertThat(jdbc.sql("SELECT value_number FROM ground_truth WHERE prediction_id = CAST(:p AS uuid)")
                .param("p", pair).query(Double.class).single()).isEqualTo(2.5);
        assertThat(jdbc.sql("SELECT count(*) FROM ground_truth WHERE prediction_id = CAST(:p AS uuid)")
                .param("p", late).query(Long.class).single()).isZero();
        assertThat(jdbc.sql("SELECT after::text FROM audit_log WHERE entity_type = 'deployment' AND entity_id = :d "
                + "AND action = 'ground-truth'").param("d", deployment).query(String.class).single())
                .contains("\"stored\": 3").contains("\"unmatched\": 1");

        // A later CSV load re-labels single1 (class 1 becomes 0) and labels the pair's row 0 (4.0 is stored as "4").
        Response again = csv("prediction_id,value,row\n" + single1 + ",0,\n" + pair + ",4.0,0\n");
        assertThat(again.status()).as(again.body()).isEqualTo(200);
        assertThat(again.json().get("stored").asLong()).isEqualTo(2);
        assertThat(again.json().get("replaced").asLong()).isEqualTo(1);
        assertThat(labels()).containsEntry(single1 + "/0", "0").containsEntry(pair + "/0", "4")
                .containsEntry(pair + "/1", "2.5");
        assertThat(jdbc.sql("SELECT value_text FROM ground_truth_history WHERE prediction_id = CAST(:p AS uuid)")
                .param("p", single1).query(String.class).list()).containsExactly("1");
    }

    @Test
    void anyMalformedOrImpossibleLabelFailsTheWholeRequestAndStoresNothing() {
        // Each body has a good label first, so a partial write would show.
        List<String[]> bad = List.of(
                new String[] {"prediction_id,value\n" + single1 + ",1\nnot-a-uuid,1\n", "line 3, field prediction_id"},
                new String[] {"prediction_id,value\n" + single1 + ",1\n" + single2 + ",\n", "line 3, field value"},
                new String[] {"prediction_id,value,row\n" + single1 + ",1,0\n" + single2 + ",1,x\n", "field row"},
                new String[] {"prediction_id,value,row\n" + single1 + ",1,0\n" + single2 + ",1,1\n",
                        "row 1 does not exist"},
                new String[] {"prediction_id,value\n" + single1 + ",1\n" + single1 + ",0\n", "both label row 0"},
                new String[] {"prediction_id,value,colour\n" + single1 + ",1,red\n", "Unknown CSV column 'colour'"},
                new String[] {"prediction_id,value\n" + single1 + ",1\n" + single2 + ",\"a\0b\"\n", "NUL"},
                new String[] {"prediction_id,value\n" + single1 + ",1\n" + single2 + ",\"open\n", "Malformed CSV"},
                new String[] {"prediction_id,request_id,value\n" + single1 + ",r,1\n", "exactly one of"},
                new String[] {"value\n1\n", "prediction_id or request_id"});
        for (String[] c : bad) {
            Response r = csv(c[0]);
            assertThat(r.status()).as(c[0] + " -> " + r.body()).isEqualTo(400);
            assertThat(r.body()).as(c[0]).contains(c[1]);
        }
        for (String body : List.of(
                "{\"labels\": [{\"prediction_id\": \"" + single1 + "\", \"value\": 1}, {\"prediction_id\": \""
                        + single2 + "\", \"value\": true}]}",
                "{\"labels\": [{\"prediction_id\": \"" + single1 + "\", \"value\": 1}, {\"prediction_id\": \""
                        + single2 + "\"}]}",
                "{\"labels\": [{\"prediction_id\": \"" + single1 + "\", \"value\": 1}, {\"prediction_id\": \""
                        + single2 + "\", \"value\": 1, \"extra\": 2}]}",
                "{\"labels\": [{\"prediction_id\": \"" + single1 + "\", \"value\": 1}, {\"prediction_id\": \""
                        + single2 + "\", \"value\": \"\\ud800\"}]}",
                "{\"labels\": [{\"prediction_id\": \"" + single1 + "\", \"value\": 1}, {\"prediction_id\": \""
                        + single2 + "\", \"value\": 1, \"row\": 99999999999}]}",
                "{\"labels\": [{\"prediction_id\": \"" + single1 + "\", \"value\": 1}, {\"prediction_id\": ",
                "{\"labels\": []}",
                "[]")) {
            Response r = json(body);
            assertThat(r.status()).as(body + " -> " + r.body()).isEqualTo(400);
        }
        assertThat(labels()).isEmpty();
        assertThat(jdbc.sql("SELECT count(*) FROM audit_log WHERE entity_id = :d AND action = 'ground-truth'")
                .param("d", deployment).query(Long.class).single()).isZero();

        Response unknown = http.post("/api/v1/deployments/no-such-" + deployment + "/ground-truth",
                Map.of("labels", List.of(Map.of("prediction_id", single1, "value", 1))));
        assertThat(unknown.status()).isEqualTo(404);
    }
}
