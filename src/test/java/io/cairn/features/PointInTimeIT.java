package io.cairn.features;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.HttpJson.Response;
import io.cairn.IntegrationTest;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Point-in-time correctness, each case checked against rows worked out by hand (see the comments on the expected
 * rows): ties broken by created_timestamp, both TTL edges, feature rows after the entity timestamp ignored, two views
 * keyed by different entities, duplicate entity rows, null feature values, offsets other than UTC, an entity with no
 * rows at all, and pass-through columns in entity-row order.
 */
@IntegrationTest
class PointInTimeIT {

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    FeatureHttp http;
    FeatureFixtures fixtures;
    String driver;
    String customer;
    String drv;
    String cust;

    @BeforeEach
    void setUp() {
        http = new FeatureHttp(port);
        fixtures = new FeatureFixtures(http);
        driver = fixtures.entity("driver", "driver_id", "INT64");
        customer = fixtures.entity("customer", "customer_id", "STRING");
        drv = fixtures.view("drv", List.of(driver), 3600, "conv_rate", "FLOAT64", "trips", "INT64");
        cust = fixtures.view("cust", List.of(customer), 0, "spend", "FLOAT64", "tier", "STRING");
        fixtures.rows(drv, """
                {"rows": [
                  {"driver_id": 1, "event_timestamp": "2026-03-01T10:00:00Z", "created_timestamp": "2026-03-01T10:05:00Z", "conv_rate": 0.1, "trips": 1},
                  {"driver_id": 1, "event_timestamp": "2026-03-01T11:00:00Z", "created_timestamp": "2026-03-01T11:30:00Z", "conv_rate": 0.25, "trips": 3},
                  {"driver_id": 1, "event_timestamp": "2026-03-01T11:00:00Z", "created_timestamp": "2026-03-01T11:01:00Z", "conv_rate": 0.2, "trips": 2},
                  {"driver_id": 1, "event_timestamp": "2026-03-01T12:30:00Z", "created_timestamp": "2026-03-01T12:31:00Z", "conv_rate": 0.3, "trips": 4},
                  {"driver_id": 2, "event_timestamp": "2026-03-01T09:00:00Z", "conv_rate": 0.5, "trips": 10},
                  {"driver_id": 2, "event_timestamp": "2026-03-01T11:59:59+02:00", "conv_rate": null, "trips": 11},
                  {"driver_id": 4, "event_timestamp": "2026-03-01T08:00:00Z", "conv_rate": 0.7, "trips": 7}
                ]}""");
        fixtures.csvRows(cust, """
                customer_id,event_timestamp,created_timestamp,spend,tier
                a,2026-01-01T00:00:00Z,,100,gold
                a,2026-03-01T11:00:00+01:00,,200,
                b,2026-03-01T10:00:00Z,2026-03-01T10:00:00Z,50,silver
                b,2026-03-01T10:00:00Z,2026-03-01T11:00:00Z,55,silver+
                """);
    }

    private static final String ENTITY_ROWS = """
            [{"driver_id": 1, "customer_id": "a", "event_timestamp": "2026-03-01T11:00:00Z", "label": 1},
             {"driver_id": 1, "customer_id": "b", "event_timestamp": "2026-03-01T12:00:00+02:00", "label": 0},
             {"driver_id": 1, "customer_id": "a", "event_timestamp": "2026-03-01T11:45:00Z", "label": 1},
             {"driver_id": 2, "customer_id": "c", "event_timestamp": "2026-03-01T10:30:00Z", "label": 0},
             {"driver_id": 3, "customer_id": "a", "event_timestamp": "2026-03-01T11:00:00Z", "label": 1},
             {"driver_id": 4, "customer_id": "zz", "event_timestamp": "2026-03-01T09:00:00Z", "label": 0},
             {"driver_id": 4, "customer_id": "a", "event_timestamp": "2026-03-01T04:00:01-05:00", "label": 1},
             {"driver_id": 1, "customer_id": "a", "event_timestamp": "2026-03-01T11:00:00Z", "label": "dup"},
             {"driver_id": 1, "customer_id": "b", "event_timestamp": "2026-03-01T09:59:59Z", "label": null}]""";

    /** driver_id, customer_id, event_timestamp (UTC), label, conv_rate, trips, spend, tier. */
    private static final List<String> EXPECTED = List.of(
            // driver 1 at 11:00: two rows at 11:00, the one created later (11:30) wins; customer a: 10:00Z row.
            "[1,\"a\",\"2026-03-01T11:00:00Z\",1,0.25,3,200.0,null]",
            // 12:00+02:00 is 10:00Z: driver row at exactly 10:00 counts; customer b: tie at 10:00, later created wins.
            "[1,\"b\",\"2026-03-01T10:00:00Z\",0,0.1,1,55.0,\"silver+\"]",
            // 11:45: the 12:30 row is in the future and ignored; 11:00 is within the 1 h TTL.
            "[1,\"a\",\"2026-03-01T11:45:00Z\",1,0.25,3,200.0,null]",
            // driver 2's latest row (09:59:59Z, sent as 11:59:59+02:00) has a null conv_rate: null, no fallback to 0.5.
            "[2,\"c\",\"2026-03-01T10:30:00Z\",0,null,11,null,null]",
            // driver 3 has no rows at all.
            "[3,\"a\",\"2026-03-01T11:00:00Z\",1,null,null,200.0,null]",
            // driver 4's row at 08:00 is exactly ts - ttl: included. customer zz has no rows.
            "[4,\"zz\",\"2026-03-01T09:00:00Z\",0,0.7,7,null,null]",
            // 04:00:01-05:00 is 09:00:01Z: 08:00 is one second older than ts - ttl, so excluded; customer a has no
            // TTL, so its January row still counts.
            "[4,\"a\",\"2026-03-01T09:00:01Z\",1,null,null,100.0,\"gold\"]",
            // A duplicate of the first entity row gets the same features; its label passes through as sent.
            "[1,\"a\",\"2026-03-01T11:00:00Z\",\"dup\",0.25,3,200.0,null]",
            // Before every feature row of both views.
            "[1,\"b\",\"2026-03-01T09:59:59Z\",null,null,null,null,null]");

    private String request(boolean fullNames, String saveAs) {
        return "{\"features\": [\"" + drv + ":conv_rate\", \"" + drv + ":trips\", \"" + cust + ":spend\", \"" + cust
                + ":tier\"], \"entity_rows\": " + ENTITY_ROWS + ", \"full_feature_names\": " + fullNames
                + (saveAs == null ? "" : ", \"save_as\": \"" + saveAs + "\"") + "}";
    }

    private static List<String> rows(JsonNode body) {
        List<String> rows = new ArrayList<>();
        body.get("rows").forEach(r -> rows.add(r.toString()));
        return rows;
    }

    private static List<String> columns(JsonNode body) {
        List<String> columns = new ArrayList<>();
        body.get("columns").forEach(c -> columns.add(c.asString()));
        return columns;
    }

    @Test
    void everyPointInTimeCaseMatchesTheHandCheckedRows() {
        Response r = http.post("/api/v1/training-sets", request(false, null));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(columns(r.json())).containsExactly("driver_id", "customer_id", "event_timestamp", "label",
                "conv_rate", "trips", "spend", "tier");
        assertThat(rows(r.json())).containsExactlyElementsOf(EXPECTED);
    }

    @Test
    void entityRowsBeforeFeaturesInTheBodyGiveTheSameResult() {
        String body = "{\"entity_rows\": " + ENTITY_ROWS + ", \"features\": [\"" + drv + ":conv_rate\", \"" + drv
                + ":trips\", \"" + cust + ":spend\", \"" + cust + ":tier\"]}";
        Response r = http.post("/api/v1/training-sets", body);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(rows(r.json())).containsExactlyElementsOf(EXPECTED);
    }

    @Test
    void csvInAndOutGivesTheSameRows() {
        String csv = """
                driver_id,customer_id,event_timestamp,label
                1,a,2026-03-01T11:00:00Z,1
                1,b,2026-03-01T12:00:00+02:00,0
                1,a,2026-03-01T11:45:00Z,1
                2,c,2026-03-01T10:30:00Z,0
                3,a,2026-03-01T11:00:00Z,1
                4,zz,2026-03-01T09:00:00Z,0
                4,a,2026-03-01T04:00:01-05:00,1
                1,a,2026-03-01T11:00:00Z,dup
                1,b,2026-03-01T09:59:59Z,
                """;
        Response r = http.postCsv("/api/v1/training-sets?features=" + drv + ":conv_rate," + drv + ":trips," + cust
                + ":spend," + cust + ":tier", csv, "text/csv");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("""
                driver_id,customer_id,event_timestamp,label,conv_rate,trips,spend,tier
                1,a,2026-03-01T11:00:00Z,1,0.25,3,200.0,
                1,b,2026-03-01T10:00:00Z,0,0.1,1,55.0,silver+
                1,a,2026-03-01T11:45:00Z,1,0.25,3,200.0,
                2,c,2026-03-01T10:30:00Z,0,,11,,
                3,a,2026-03-01T11:00:00Z,1,,,200.0,
                4,zz,2026-03-01T09:00:00Z,0,0.7,7,,
                4,a,2026-03-01T09:00:01Z,1,,,100.0,gold
                1,a,2026-03-01T11:00:00Z,dup,0.25,3,200.0,
                1,b,2026-03-01T09:59:59Z,,,,,
                """);
        // JSON out of CSV in: pass-through columns from CSV are strings.
        Response json = http.postCsv("/api/v1/training-sets?features=" + drv + ":trips", csv);
        assertThat(json.status()).as(json.body()).isEqualTo(200);
        assertThat(rows(json.json()).get(0)).isEqualTo("[1,\"a\",\"2026-03-01T11:00:00Z\",\"1\",3]");
    }

    @Test
    void fullFeatureNamesPrefixTheViewAndAClashWithoutThemIsA400() {
        String other = fixtures.view("other", List.of(driver), 0, "conv_rate", "FLOAT32");
        fixtures.rows(other, "{\"rows\": [{\"driver_id\": 1, \"event_timestamp\": \"2026-03-01T00:00:00Z\", "
                + "\"conv_rate\": 0.5}]}");
        String body = "{\"features\": [\"" + drv + ":conv_rate\", \"" + other + ":conv_rate\"], \"entity_rows\": "
                + "[{\"driver_id\": 1, \"event_timestamp\": \"2026-03-01T11:00:00Z\"}]";
        Response clash = http.post("/api/v1/training-sets", body + "}");
        assertThat(clash.status()).isEqualTo(400);
        assertThat(clash.json().get("detail").asString()).contains("'conv_rate'").contains("full_feature_names");

        Response full = http.post("/api/v1/training-sets", body + ", \"full_feature_names\": true}");
        assertThat(full.status()).as(full.body()).isEqualTo(200);
        assertThat(columns(full.json())).containsExactly("driver_id", "event_timestamp", drv + "__conv_rate",
                other + "__conv_rate");
        assertThat(rows(full.json())).containsExactly("[1,\"2026-03-01T11:00:00Z\",0.25,0.5]");

        Response labelClash = http.post("/api/v1/training-sets", "{\"features\": [\"" + drv + ":trips\"], "
                + "\"entity_rows\": [{\"driver_id\": 1, \"event_timestamp\": \"2026-03-01T11:00:00Z\", \"trips\": 9}]}");
        assertThat(labelClash.status()).isEqualTo(400);
        assertThat(labelClash.json().get("detail").asString()).contains("'trips'").contains("the entity rows");
    }

    @Test
    void badRequestsNameWhatIsWrong() {
        assertBad(http.post("/api/v1/training-sets", "{\"features\": [\"nope_" + drv + ":x\"], \"entity_rows\": []}"),
                "Feature view 'nope_" + drv + "' does not exist");
        assertBad(http.post("/api/v1/training-sets", "{\"features\": [\"" + drv + ":speed\"], \"entity_rows\": []}"),
                "has no feature 'speed'");
        assertBad(http.post("/api/v1/training-sets", "{\"features\": [\"conv_rate\"], \"entity_rows\": []}"),
                "write it as <feature view>:<feature>");
        assertBad(http.post("/api/v1/training-sets", "{\"features\": [\"" + drv + ":trips\"], \"entity_rows\": "
                + "[{\"event_timestamp\": \"2026-03-01T11:00:00Z\"}]}"), "lack column(s) [driver_id]");
        assertBad(http.post("/api/v1/training-sets", "{\"features\": [\"" + drv + ":trips\"], \"entity_rows\": "
                + "[{\"driver_id\": 1, \"event_timestamp\": \"2026-03-01T11:00:00Z\"}, {\"driver_id\": \"x\", "
                + "\"event_timestamp\": \"2026-03-01T11:00:00Z\"}]}"), "Entity row 2, column 'driver_id'");
        assertBad(http.post("/api/v1/training-sets", "{\"features\": [\"" + drv + ":trips\"], \"entity_rows\": "
                + "[{\"driver_id\": 1, \"event_timestamp\": \"2026-03-01T11:00:00\"}]}"), "has no offset");
        assertBad(http.postCsv("/api/v1/training-sets?features=" + drv + ":trips", "driver_id\n1\n"),
                "lack column(s) [event_timestamp]");
    }

    @Test
    void noEntityRowsGiveAnEmptyResult() {
        Response r = http.post("/api/v1/training-sets", "{\"features\": [\"" + drv + ":trips\"], \"entity_rows\": []}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(columns(r.json())).containsExactly("driver_id", "event_timestamp", "trips");
        assertThat(r.json().get("rows")).isEmpty();
    }

    @Test
    void aSavedTrainingSetIsImmutableDigestedAndReadableByIdOrName() throws Exception {
        String name = FeatureHttp.unique("train");
        Response saved = http.post("/api/v1/training-sets", request(true, name));
        assertThat(saved.status()).as(saved.body()).isEqualTo(201);
        assertThat(rows(saved.json())).containsExactlyElementsOf(EXPECTED);
        assertThat(columns(saved.json())).contains(drv + "__conv_rate", cust + "__tier");

        JsonNode meta = http.get("/api/v1/training-sets/" + name).json();
        String id = meta.get("id").asString();
        assertThat(meta.get("name").asString()).isEqualTo(name);
        assertThat(meta.get("row_count").asLong()).isEqualTo(9);
        assertThat(meta.get("full_feature_names").asBoolean()).isTrue();
        assertThat(meta.get("feature_refs").toString()).isEqualTo("[\"" + drv + ":conv_rate\",\"" + drv + ":trips\",\""
                + cust + ":spend\",\"" + cust + ":tier\"]");
        assertThat(meta.get("start_time").asString()).isEqualTo("2026-03-01T09:00:00Z");
        assertThat(meta.get("end_time").asString()).isEqualTo("2026-03-01T11:45:00Z");
        assertThat(meta.at("/columns/3").toString()).isEqualTo("{\"name\":\"label\",\"type\":\"JSON\"}");
        assertThat(http.get("/api/v1/training-sets/" + id).json()).isEqualTo(meta);

        // The digest is the SHA-256 of the CSV rendering.
        Response csv = http.http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/api/v1/training-sets/" + id + "/rows")).header("Accept", "text/csv").GET());
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(csv.body().getBytes(StandardCharsets.UTF_8)));
        assertThat(meta.get("digest").asString()).isEqualTo(sha);
        assertThat(csv.body().lines().count()).isEqualTo(10);
        assertThat(rows(http.get("/api/v1/training-sets/" + name + "/rows").json())).containsExactlyElementsOf(EXPECTED);

        // New feature rows do not change a saved set.
        fixtures.rows(drv, "{\"rows\": [{\"driver_id\": 3, \"event_timestamp\": \"2026-03-01T10:59:00Z\", \"trips\": 99}]}");
        assertThat(rows(http.get("/api/v1/training-sets/" + id + "/rows").json())).containsExactlyElementsOf(EXPECTED);

        Response again = http.post("/api/v1/training-sets", request(true, name));
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.json().get("status").asInt()).isEqualTo(409);
        assertThat(again.json().get("code").asString()).isEqualTo("RESOURCE_ALREADY_EXISTS");
        assertThat(http.get("/api/v1/training-sets").json().get("training_sets").valueStream()
                .map(n -> n.get("name").asString())).contains(name);
        assertThat(http.get("/api/v1/training-sets/nope_" + name).status()).isEqualTo(404);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> jdbc.sql(
                "UPDATE training_sets SET row_count = 0 WHERE training_set_id = :id").param("id", id).update())
                .hasMessageContaining("immutable");
    }

    private static void assertBad(Response response, String expected) {
        assertThat(response.status()).as(response.body()).isEqualTo(400);
        assertThat(response.json().get("detail").asString()).contains(expected);
    }
}
