package io.cairn.features;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.HttpJson.Response;
import io.cairn.IntegrationTest;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

/** Rows into the offline store: JSON and CSV, UTC timestamps, defaults, and all-or-nothing with precise errors. */
@IntegrationTest
class FeatureIngestionIT {

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    FeatureHttp http;
    FeatureFixtures fixtures;
    String view;

    @BeforeEach
    void setUp() {
        http = new FeatureHttp(port);
        fixtures = new FeatureFixtures(http);
        String driver = fixtures.entity("driver", "driver_id", "INT64");
        view = fixtures.view("stats", List.of(driver), 0, "conv_rate", "FLOAT64", "trips", "INT32", "city", "STRING",
                "active", "BOOL", "acc", "FLOAT32", "lifetime", "INT64");
    }

    private String table() {
        return "feature_data.view_" + jdbc.sql("SELECT view_id FROM feature_views WHERE name = :n").param("n", view)
                .query(Long.class).single();
    }

    private List<Map<String, Object>> stored() {
        return jdbc.sql("SELECT driver_id, to_char(event_timestamp AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US') AS ts,"
                + " created_timestamp, conv_rate, trips, city, active, acc, lifetime FROM " + table()
                + " ORDER BY event_timestamp, driver_id").query().listOfRows();
    }

    @Test
    void jsonRowsAreStoredTypedWithTimestampsInUtcAndCreatedDefaultingToIngestionTime() {
        Instant before = Instant.now().minusSeconds(1);
        Response r = http.post("/api/v1/feature-views/" + view + "/rows", """
                {"rows": [
                  {"driver_id": 1001, "event_timestamp": "2026-01-01T01:30:00+01:30", "conv_rate": 0.5, "trips": 3,
                   "city": "Graz", "active": true, "acc": 0.25, "lifetime": 9007199254740993},
                  {"driver_id": "1002", "event_timestamp": "2026-01-01T00:00:00.123456789Z",
                   "created_timestamp": "2026-01-02T00:00:00-05:00", "conv_rate": null}
                ]}""");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().get("rows").asLong()).isEqualTo(2);
        assertThat(r.json().get("feature_view").asString()).isEqualTo(view);
        Instant after = Instant.now().plusSeconds(1);

        List<Map<String, Object>> rows = stored();
        assertThat(rows).hasSize(2);
        Map<String, Object> first = rows.get(0);
        assertThat(first.get("driver_id")).isEqualTo(1001L);
        assertThat(first.get("ts")).isEqualTo("2026-01-01T00:00:00.000000");
        assertThat(first.get("conv_rate")).isEqualTo(0.5);
        assertThat(first.get("trips")).isEqualTo(3);
        assertThat(first.get("city")).isEqualTo("Graz");
        assertThat(first.get("active")).isEqualTo(true);
        assertThat(first.get("acc")).isEqualTo(0.25f);
        assertThat(first.get("lifetime")).isEqualTo(9007199254740993L);
        Instant created = ((java.sql.Timestamp) first.get("created_timestamp")).toInstant();
        assertThat(created).isBetween(before, after);

        Map<String, Object> second = rows.get(1);
        assertThat(second.get("driver_id")).isEqualTo(1002L);
        assertThat(second.get("ts")).isEqualTo("2026-01-01T00:00:00.123456");
        assertThat(((java.sql.Timestamp) second.get("created_timestamp")).toInstant())
                .isEqualTo(Instant.parse("2026-01-02T05:00:00Z"));
        assertThat(second.get("conv_rate")).isNull();
        assertThat(second.get("city")).isNull();
    }

    @Test
    void csvRowsWithAHeaderAreStoredWithQuotedFieldsAndEmptyCellsAsNull() {
        Response r = http.postCsv("/api/v1/feature-views/" + view + "/rows",
                "\uFEFFdriver_id,event_timestamp,city,conv_rate,active\r\n"
                        + "1001,2026-01-01T00:00:00Z,\"Graz, \"\"old town\"\"\",0.5,true\r\n"
                        + "1002,2026-01-01 01:00:00+00:00,\"\",,false\n"
                        + "1003,2026-01-01T02:00:00Z,\"two\nlines\",1e-3,\n");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().get("rows").asLong()).isEqualTo(3);
        List<Map<String, Object>> rows = stored();
        assertThat(rows).extracting(m -> m.get("city")).containsExactly("Graz, \"old town\"", "", "two\nlines");
        assertThat(rows).extracting(m -> m.get("conv_rate")).containsExactly(0.5, null, 0.001);
        assertThat(rows).extracting(m -> m.get("active")).containsExactly(true, false, null);
    }

    @Test
    void aBadRowIsA400NamingItsRowAndColumnAndNothingIsStored() {
        assertBad(http.post("/api/v1/feature-views/" + view + "/rows", """
                {"rows": [
                  {"driver_id": 1, "event_timestamp": "2026-01-01T00:00:00Z", "conv_rate": 0.5},
                  {"driver_id": 2, "event_timestamp": "2026-01-01T00:00:00Z", "conv_rate": 0.5},
                  {"driver_id": 3, "event_timestamp": "2026-01-01T00:00:00Z", "conv_rate": "fast"}
                ]}"""), "Row 3, column 'conv_rate': expected a FLOAT64 value, got 'fast'");
        assertBad(http.postCsv("/api/v1/feature-views/" + view + "/rows",
                "driver_id,event_timestamp,trips\n1,2026-01-01T00:00:00Z,3\n2,2026-01-01T00:00:00Z,3000000000\n"),
                "Row 2, column 'trips': expected a INT32 value, got '3000000000'");
        assertBad(http.postCsv("/api/v1/feature-views/" + view + "/rows",
                "driver_id,event_timestamp\n1,2026-01-01T00:00:00\n"), "Row 1, column 'event_timestamp': timestamp "
                + "'2026-01-01T00:00:00' has no offset");
        assertBad(http.postCsv("/api/v1/feature-views/" + view + "/rows",
                "driver_id,event_timestamp\n1,2026-01-01T00:00:00Z\n,2026-01-01T00:00:00Z\n"),
                "Row 2, column 'driver_id': the join key is missing or null");
        assertBad(http.post("/api/v1/feature-views/" + view + "/rows",
                "{\"rows\": [{\"driver_id\": 1, \"conv_rate\": 1}]}"),
                "Row 1, column 'event_timestamp': event_timestamp is missing or null");
        assertBad(http.post("/api/v1/feature-views/" + view + "/rows",
                "{\"rows\": [{\"driver_id\": 1, \"event_timestamp\": \"2026-01-01T00:00:00Z\", \"speed\": 1}]}"),
                "Row 1: 'speed' is not a column of feature view");
        assertBad(http.postCsv("/api/v1/feature-views/" + view + "/rows", "driver_id,event_timestamp,speed\n"),
                "CSV header: 'speed' is not a column");
        assertBad(http.postCsv("/api/v1/feature-views/" + view + "/rows",
                "driver_id,event_timestamp\n1,2026-01-01T00:00:00Z\n2\n"), "Row 2 (line 3) has 1 fields but the header has 2");
        assertBad(http.post("/api/v1/feature-views/" + view + "/rows",
                "{\"rows\": [{\"driver_id\": 1, \"event_timestamp\": \"2026-01-01T00:00:00Z\"}, {\"driver_id\": }]}"),
                "Malformed JSON at line 1");
        assertBad(http.post("/api/v1/feature-views/" + view + "/rows", "{\"data\": []}"), "Unknown field 'data'");
        assertThat(stored()).isEmpty();
        assertThat(http.post("/api/v1/feature-views/nope_" + view + "/rows", "{\"rows\": []}").status()).isEqualTo(404);
    }

    @Test
    void aLargeCsvBodyStreamsThroughInOneRequest() {
        int rows = 200_000;
        InputStream header = new ByteArrayInputStream("driver_id,event_timestamp,conv_rate,city\n".getBytes());
        Enumeration<InputStream> chunks = new Enumeration<>() {
            int next = 0;

            @Override
            public boolean hasMoreElements() {
                return next < rows;
            }

            @Override
            public InputStream nextElement() {
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < 1000 && next < rows; i++, next++) {
                    sb.append(next % 5000).append(",2026-01-01T00:00:").append(String.format("%02d", next % 60))
                            .append(".").append(next % 1000).append("Z,").append(next * 0.5).append(",c").append(next)
                            .append('\n');
                }
                return new ByteArrayInputStream(sb.toString().getBytes(StandardCharsets.UTF_8));
            }
        };
        InputStream body = new SequenceInputStream(header, new SequenceInputStream(chunks));
        Response r = http.http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/feature-views/"
                        + view + "/rows")).header("Content-Type", "text/csv")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> body)));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().get("rows").asLong()).isEqualTo(rows);
        assertThat(jdbc.sql("SELECT count(*), sum(conv_rate) FROM " + table()).query().singleRow())
                .containsEntry("count", (long) rows).containsEntry("sum", 0.5 * rows * (rows - 1) / 2.0);
        // The rows came cycling through 5,000 drivers; they were stored sorted by driver (staged, then one sorted
        // INSERT), so the table's physical order never steps back to a smaller key.
        assertThat(jdbc.sql("SELECT count(*) FROM (SELECT driver_id, lag(driver_id) OVER (ORDER BY ctid) AS prev FROM "
                + table() + ") t WHERE prev > driver_id").query(Long.class).single()).isZero();
        // At least cairn.features.vacuum-after-rows (100,000) rows: the table was vacuumed before the answer, so
        // every page is all-visible and a training-set probe reads the index alone.
        assertThat(jdbc.sql("SELECT relallvisible = relpages AND relpages > 0 FROM pg_class WHERE oid = CAST(:t AS "
                + "regclass)").param("t", table()).query(Boolean.class).single()).isTrue();
        String plan = String.join("\n", jdbc.sql("EXPLAIN SELECT conv_rate FROM " + table() + " WHERE driver_id = 7 AND "
                + "event_timestamp <= now() ORDER BY event_timestamp DESC, created_timestamp DESC LIMIT 1")
                .query(String.class).list());
        assertThat(plan).contains("Index Only Scan");
    }

    private static void assertBad(Response response, String expected) {
        assertThat(response.status()).as(response.body()).isEqualTo(400);
        assertThat(response.json().get("detail").asString()).contains(expected);
    }
}
