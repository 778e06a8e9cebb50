package io.cairn.features;

import io.cairn.features.api.TrainingSetJsonRequest;
import io.cairn.platform.text.CsvReader;
import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.HttpJson.Response;
import io.cairn.IntegrationTest;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * What the audit sent the feature store: a huge CSV field, system column names, lone surrogates and entity rows
 * that come before their features — each a clear 400 with nothing stored, and the view still usable afterwards.
 */
@IntegrationTest
class FeatureBadInputIT {

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    FeatureHttp http;
    String entity;
    String view;

    @BeforeEach
    void define() {
        http = new FeatureHttp(port);
        entity = FeatureHttp.unique("bad_entity");
        view = FeatureHttp.unique("bad_view");
        assertThat(http.put("/api/v1/entities/" + entity, "{\"join_key\": \"bad_id\", \"value_type\": \"INT64\"}")
                .status()).isEqualTo(201);
        assertThat(http.put("/api/v1/feature-views/" + view, "{\"entities\": [\"" + entity + "\"], \"features\": "
                + "[{\"name\": \"s\", \"type\": \"STRING\"}]}").status()).isEqualTo(201);
    }

    @Test
    void aCsvFieldOverTheLimitIsRefusedAndReleasesItsCopyAndLocks() {
        String huge = "x".repeat(CsvReader.MAX_FIELD_CHARS + 10);
        Response refused = http.postCsv("/api/v1/feature-views/" + view + "/rows",
                "bad_id,event_timestamp,s\n1,2026-01-01T00:00:00Z," + huge + "\n");
        assertThat(refused.status()).as(refused.body()).isEqualTo(400);
        assertThat(refused.json().get("detail").asString()).contains("longer than").contains("line 2");
        // Nothing holds the view: no COPY left open, and deleting it answers at once.
        assertThat(jdbc.sql("SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'COPY%' AND state <> 'idle'")
                .query(Long.class).single()).isZero();
        Instant before = Instant.now();
        assertThat(http.delete("/api/v1/feature-views/" + view).status()).isEqualTo(204);
        assertThat(Duration.between(before, Instant.now())).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void systemColumnNamesAreRefusedAsFeatureAndJoinKeyNames() {
        for (String name : new String[] {"xmin", "ctid", "tableoid", "cmin", "cmax", "xmax"}) {
            Response asFeature = http.put("/api/v1/feature-views/" + FeatureHttp.unique("sys"), "{\"entities\": [\""
                    + entity + "\"], \"features\": [{\"name\": \"" + name + "\", \"type\": \"INT64\"}]}");
            assertThat(asFeature.status()).as(name + ": " + asFeature.body()).isEqualTo(400);
            assertThat(asFeature.json().get("detail").asString()).contains("system column");
            Response asKey = http.put("/api/v1/entities/" + FeatureHttp.unique("sys"), "{\"join_key\": \"" + name
                    + "\", \"value_type\": \"INT64\"}");
            assertThat(asKey.status()).as(name + ": " + asKey.body()).isEqualTo(400);
        }
    }

    @Test
    void aLoneSurrogateInAStringIsRefusedWhileAPairRoundTrips() {
        Response lone = http.post("/api/v1/feature-views/" + view + "/rows",
                "{\"rows\": [{\"bad_id\": 1, \"event_timestamp\": \"2026-01-01T00:00:00Z\", \"s\": \"a\\ud800b\"}]}");
        assertThat(lone.status()).as(lone.body()).isEqualTo(400);
        assertThat(lone.json().get("detail").asString()).contains("surrogate");
        Response pushed = http.post("/push", "{\"push_source_name\": \"" + view + "\", \"df\": {\"bad_id\": [2], "
                + "\"s\": [\"\\udc00\"], \"event_timestamp\": [\"2026-01-01T00:00:00Z\"]}}");
        assertThat(pushed.status()).as(pushed.body()).isEqualTo(400);
        assertThat(pushed.json().get("detail").asString()).contains("surrogate");
        assertThat(http.post("/api/v1/feature-views/" + view + "/rows", "{\"rows\": [{\"bad_id\": 3, "
                + "\"event_timestamp\": \"2026-01-01T00:00:00Z\", \"s\": \"\\ud83d\\ude00 ok\"}]}").status())
                .isEqualTo(200);
        assertThat(jdbc.sql("SELECT count(*) FROM feature_data.view_" + viewId() + " WHERE s = :s")
                .param("s", "\uD83D\uDE00 ok").query(Long.class).single()).isEqualTo(1);
        assertThat(jdbc.sql("SELECT count(*) FROM feature_data.view_" + viewId()).query(Long.class).single())
                .isEqualTo(1);
    }

    @Test
    void entityRowsBeforeFeaturesAreBoundedButSmallOnesStillWork() {
        String small = "{\"entity_rows\": [{\"bad_id\": 1, \"event_timestamp\": \"2026-01-02T00:00:00Z\"}], "
                + "\"features\": [\"" + view + ":s\"]}";
        assertThat(http.post("/api/v1/training-sets", small).status()).isEqualTo(200);
        StringBuilder big = new StringBuilder("{\"entity_rows\": [");
        String row = "{\"bad_id\":1,\"event_timestamp\":\"2026-01-02T00:00:00Z\"}"; // as buffered: compact
        int rows = TrainingSetJsonRequest.MAX_BUFFERED_ENTITY_ROWS_BYTES / row.length() + 1000;
        for (int i = 0; i < rows; i++) {
            big.append(i == 0 ? "" : ",").append(row);
        }
        big.append("], \"features\": [\"" + view + ":s\"]}");
        Response refused = http.post("/api/v1/training-sets", big.toString());
        assertThat(refused.status()).as(refused.body().substring(0, Math.min(300, refused.body().length())))
                .isEqualTo(400);
        assertThat(refused.json().get("detail").asString()).contains("send 'features' first");
    }

    @Test
    void entityRowsGivenTwiceAreA400NotASecondTable() {
        String row = "{\"bad_id\": 1, \"event_timestamp\": \"2026-01-02T00:00:00Z\"}";
        Response twice = http.post("/api/v1/training-sets", "{\"features\": [\"" + view + ":s\"], \"entity_rows\": ["
                + row + "], \"entity_rows\": [" + row + "]}");
        assertThat(twice.status()).as(twice.body()).isEqualTo(400);
        assertThat(twice.json().get("detail").asString()).contains("'entity_rows' is given twice");
    }

    private long viewId() {
        return jdbc.sql("SELECT view_id FROM feature_views WHERE name = :n").param("n", view).query(Long.class)
                .single();
    }
}
