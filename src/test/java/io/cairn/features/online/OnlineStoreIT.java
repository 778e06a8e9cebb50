package io.cairn.features.online;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.HttpJson;
import io.cairn.HttpJson.Response;
import io.cairn.IntegrationTest;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/** The online store through Feast's endpoints: materialize, push, read, statuses and errors. */
@IntegrationTest
class OnlineStoreIT {

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    org.springframework.data.redis.core.StringRedisTemplate redis;

    HttpJson http;
    /** Where Feast's endpoints are called: the main port here, the feature server's port in {@link FeatureServerIT}. */
    HttpJson feast;
    String driver;
    String customer;
    final List<String> created = new ArrayList<>();

    /** Deleting the views also removes what the test wrote to the shared Redis. */
    @org.junit.jupiter.api.AfterEach
    void cleanUp() {
        for (String view : created) {
            http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port
                    + "/api/v1/feature-views/" + view)).DELETE());
        }
    }

    @BeforeEach
    void setUp() {
        http = new HttpJson("http://127.0.0.1:" + port);
        feast = new HttpJson(feastBase());
        driver = unique("driver");
        customer = unique("customer");
        put("/api/v1/entities/" + driver, Map.of("join_key", "driver_id", "value_type", "INT64"));
        put("/api/v1/entities/" + customer, Map.of("join_key", "customer_id", "value_type", "STRING"));
    }

    String feastBase() {
        return "http://127.0.0.1:" + port;
    }

    static String unique(String prefix) {
        return prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    }

    private void put(String path, Object body) {
        Response r = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", "application/json")
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofString(HttpJson.mapper().writeValueAsString(body))));
        assertThat(r.status()).as(r.body()).isIn(200, 201);
    }

    String view(String entity, long ttl, boolean online, String... features) {
        String name = unique("fv");
        List<Map<String, String>> specs = new ArrayList<>();
        for (int i = 0; i < features.length; i += 2) {
            specs.add(Map.of("name", features[i], "type", features[i + 1]));
        }
        put("/api/v1/feature-views/" + name, Map.of("entities", List.of(entity), "features", specs, "ttl_seconds", ttl,
                "online", online));
        created.add(name);
        return name;
    }

    Response get(List<String> features, Map<String, List<Object>> entities, boolean fullNames) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("features", features);
        body.put("entities", entities);
        body.put("full_feature_names", fullNames);
        return feast.post("/get-online-features", body);
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.isNull() ? null : n.asString()));
        return out;
    }

    @Test
    void materializedRowsAreReadBackWithStatusesAndEventTimes() {
        String stats = view(driver, 0, true, "conv_rate", "FLOAT64", "trips", "INT64", "city", "STRING");
        Response rows = http.post("/api/v1/feature-views/" + stats + "/rows", """
                {"rows": [
                  {"driver_id": 1001, "event_timestamp": "2026-01-01T00:00:00Z", "conv_rate": 0.1, "trips": 1, "city": "Graz"},
                  {"driver_id": 1001, "event_timestamp": "2026-01-02T00:00:00Z", "conv_rate": 0.2, "trips": 2, "city": ""},
                  {"driver_id": 1001, "event_timestamp": "2026-01-02T00:00:00Z", "created_timestamp": "2026-01-01T00:00:00Z", "conv_rate": 0.9},
                  {"driver_id": 1001, "event_timestamp": "2026-02-01T00:00:00Z", "conv_rate": 0.3, "trips": 3},
                  {"driver_id": 1002, "event_timestamp": "2026-01-01T12:00:00Z", "conv_rate": null, "trips": 5, "city": "Linz"}
                ]}""");
        assertThat(rows.status()).as(rows.body()).isEqualTo(200);

        Response m = http.post("/api/v1/materialize", Map.of("feature_views", List.of(stats),
                "start", "2026-01-01T00:00:00Z", "end", "2026-01-31T00:00:00+00:00"));
        assertThat(m.status()).as(m.body()).isEqualTo(200);
        assertThat(m.json().at("/feature_views/0/entities").asLong()).isEqualTo(2);
        assertThat(m.json().at("/feature_views/0/written").asLong()).isEqualTo(2);

        Response r = get(List.of(stats + ":conv_rate", stats + ":trips", stats + ":city"),
                Map.of("driver_id", List.of(1001, 1002, 1003)), false);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(strings(r.json().at("/metadata/feature_names")))
                .containsExactly("driver_id", "conv_rate", "trips", "city");
        JsonNode results = r.json().get("results");
        assertThat(results.get(0).get("values").toString()).isEqualTo("[1001,1002,1003]");
        assertThat(strings(results.get(0).get("statuses"))).containsExactly("PRESENT", "PRESENT", "PRESENT");
        // 1001: the latest row in the window is 01-02 (the February row is outside it; at 01-02 the later created wins).
        assertThat(results.get(1).get("values").toString()).isEqualTo("[0.2,null,null]");
        assertThat(strings(results.get(1).get("statuses"))).containsExactly("PRESENT", "NULL_VALUE", "NOT_FOUND");
        assertThat(strings(results.get(1).get("event_timestamps")))
                .containsExactly("2026-01-02T00:00:00Z", "2026-01-01T12:00:00Z", "1970-01-01T00:00:00Z");
        assertThat(results.get(2).get("values").toString()).isEqualTo("[2,5,null]");
        assertThat(results.get(3).get("values").toString()).isEqualTo("[\"\",\"Linz\",null]");

        // Incremental continues from 01-31 and picks up February; an older window afterwards changes nothing.
        Response inc = http.post("/api/v1/materialize-incremental", Map.of("feature_views", List.of(stats),
                "end", "2026-03-01T00:00:00Z"));
        assertThat(inc.status()).as(inc.body()).isEqualTo(200);
        assertThat(inc.json().at("/feature_views/0/start").asString()).isEqualTo("2026-01-31T00:00:00Z");
        Response old = http.post("/api/v1/materialize", Map.of("feature_views", List.of(stats),
                "start", "2025-01-01T00:00:00Z", "end", "2026-01-01T00:00:00Z"));
        assertThat(old.json().at("/feature_views/0/written").asLong()).isZero();
        Response after = get(List.of(stats + ":conv_rate"), Map.of("driver_id", List.of(1001)), false);
        assertThat(after.json().at("/results/1/values").toString()).isEqualTo("[0.3]");
        assertThat(after.json().at("/results/1/event_timestamps/0").asString()).isEqualTo("2026-02-01T00:00:00Z");
    }

    @Test
    void feastMaterializeAnswersPerViewAndCountsOnlyEntitiesWhoseOnlineValueChanged() {
        String stats = view(driver, 0, true, "conv_rate", "FLOAT64");
        Response rows = http.post("/api/v1/feature-views/" + stats + "/rows", """
                {"rows": [
                  {"driver_id": 1, "event_timestamp": "2026-01-01T00:00:00Z", "created_timestamp": "2026-01-01T00:00:00Z", "conv_rate": 0.1},
                  {"driver_id": 2, "event_timestamp": "2026-01-01T00:00:00Z", "conv_rate": 0.2}
                ]}""");
        assertThat(rows.status()).as(rows.body()).isEqualTo(200);
        Map<String, Object> window = Map.of("feature_views", List.of(stats), "start_ts", "2025-12-01T00:00:00Z",
                "end_ts", "2026-01-31T00:00:00Z");

        Response first = feast.post("/materialize", window);
        assertThat(first.status()).as(first.body()).isEqualTo(200);
        JsonNode done = first.json().at("/feature_views/0");
        assertThat(done.get("feature_view").asString()).isEqualTo(stats);
        assertThat(done.get("start").asString()).isEqualTo("2025-12-01T00:00:00Z");
        assertThat(done.get("end").asString()).isEqualTo("2026-01-31T00:00:00Z");
        assertThat(done.get("entities").asLong()).isEqualTo(2);
        assertThat(done.get("written").asLong()).isEqualTo(2);

        // The same window again: the same entities are read, none changes online.
        JsonNode again = feast.post("/materialize", window).json().at("/feature_views/0");
        assertThat(again.get("entities").asLong()).isEqualTo(2);
        assertThat(again.get("written").asLong()).isZero();

        // A correction at the same event time (a later created_timestamp) changes one entity: written 1.
        assertThat(http.post("/api/v1/feature-views/" + stats + "/rows", "{\"rows\": [{\"driver_id\": 1, "
                + "\"event_timestamp\": \"2026-01-01T00:00:00Z\", \"created_timestamp\": \"2026-01-05T00:00:00Z\", "
                + "\"conv_rate\": 0.15}]}").status()).isEqualTo(200);
        JsonNode corrected = feast.post("/materialize", window).json().at("/feature_views/0");
        assertThat(corrected.get("written").asLong()).isEqualTo(1);
        Response read = get(List.of(stats + ":conv_rate"), Map.of("driver_id", List.of(1, 2)), false);
        assertThat(read.json().at("/results/1/values").toString()).isEqualTo("[0.15,0.2]");

        Response incremental = feast.post("/materialize-incremental", Map.of("feature_views", List.of(stats),
                "end_ts", "2026-02-01T00:00:00Z"));
        assertThat(incremental.status()).as(incremental.body()).isEqualTo(200);
        assertThat(incremental.json().at("/feature_views/0/start").asString()).isEqualTo("2026-01-31T00:00:00Z");
        assertThat(incremental.json().at("/feature_views/0/written").asLong()).isZero();

        // A push of the value Redis already holds changes nothing either.
        Response push = feast.post("/push", Map.of("push_source_name", stats, "df", Map.of("driver_id", List.of(2),
                "event_timestamp", List.of("2026-01-01T00:00:00Z"), "conv_rate", List.of(0.2))));
        assertThat(push.status()).as(push.body()).isEqualTo(200);
        assertThat(push.json().get("written_online").asLong()).isZero();
    }

    @Test
    void pushedRowsAreReadAndAnOlderEventNeverOverwritesANewerOne() {
        String stats = view(driver, 0, true, "conv_rate", "FLOAT64", "active", "BOOL");
        Response first = feast.post("/push", Map.of("push_source_name", stats, "to", "online", "df", Map.of(
                "driver_id", List.of(7, 8), "event_timestamp", List.of("2026-05-01T10:00:00Z", "2026-05-01T10:00:00Z"),
                "conv_rate", List.of(0.7, 0.8), "active", List.of(true, false))));
        assertThat(first.status()).as(first.body()).isEqualTo(200);
        Response older = feast.post("/push", Map.of("push_source_name", stats, "df", Map.of(
                "driver_id", List.of(7), "event_timestamp", List.of("2026-05-01T09:00:00Z"), "conv_rate", List.of(0.1))));
        assertThat(older.status()).as(older.body()).isEqualTo(200);
        assertThat(older.json().get("written_online").asLong()).isZero();
        Response newer = feast.post("/push", Map.of("push_source_name", stats, "df", Map.of(
                "driver_id", List.of(8, 8), "event_timestamp", List.of("2026-05-01T12:00:00+02:00", "2026-05-01T11:00:00Z"),
                "conv_rate", List.of(0.85, 0.99))));
        assertThat(newer.json().get("written_online").asLong()).isEqualTo(1);

        Response r = get(List.of(stats + ":conv_rate", stats + ":active"), Map.of("driver_id", List.of(7, 8)), true);
        assertThat(strings(r.json().at("/metadata/feature_names")))
                .containsExactly("driver_id", stats + "__conv_rate", stats + "__active");
        assertThat(r.json().at("/results/1/values").toString()).isEqualTo("[0.7,0.99]");
        assertThat(strings(r.json().at("/results/1/event_timestamps")))
                .containsExactly("2026-05-01T10:00:00Z", "2026-05-01T11:00:00Z");
        // The newer push for 8 carried no 'active': it is null now, not the older value.
        assertThat(r.json().at("/results/2/values").toString()).isEqualTo("[true,null]");
        assertThat(strings(r.json().at("/results/2/statuses"))).containsExactly("PRESENT", "NULL_VALUE");

        // Nothing went offline with "to": "online"; online_and_offline writes both.
        long viewId = jdbc.sql("SELECT view_id FROM feature_views WHERE name = :n").param("n", stats).query(Long.class)
                .single();
        assertThat(jdbc.sql("SELECT count(*) FROM feature_data.view_" + viewId).query(Long.class).single()).isZero();
        Response both = feast.post("/push", Map.of("push_source_name", stats, "to", "online_and_offline", "df", Map.of(
                "driver_id", List.of(9), "event_timestamp", List.of("2026-05-02T00:00:00Z"), "conv_rate", List.of(0.5))));
        assertThat(both.status()).as(both.body()).isEqualTo(200);
        assertThat(jdbc.sql("SELECT count(*) FROM feature_data.view_" + viewId).query(Long.class).single()).isEqualTo(1);
        assertThat(get(List.of(stats + ":conv_rate"), Map.of("driver_id", List.of(9)), false).json()
                .at("/results/1/values/0").asDouble()).isEqualTo(0.5);
    }

    @Test
    void valuesOlderThanTheTtlAreOutsideMaxAge() {
        String stats = view(driver, 3600, true, "conv_rate", "FLOAT64");
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        feast.post("/push", Map.of("push_source_name", stats, "df", Map.of("driver_id", List.of(1, 2),
                "event_timestamp", List.of(now.minusSeconds(7200).toString(), now.minusSeconds(60).toString()),
                "conv_rate", List.of(0.1, 0.2))));
        Response r = get(List.of(stats + ":conv_rate"), Map.of("driver_id", List.of(1, 2)), false);
        assertThat(strings(r.json().at("/results/1/statuses"))).containsExactly("OUTSIDE_MAX_AGE", "PRESENT");
        assertThat(r.json().at("/results/1/values").toString()).isEqualTo("[0.1,0.2]");
    }

    @Test
    void twoViewsKeyedByDifferentEntitiesInOneRead() {
        String drv = view(driver, 0, true, "score", "FLOAT64");
        String cust = view(customer, 0, true, "score", "INT32");
        feast.post("/push", Map.of("push_source_name", drv, "df", Map.of("driver_id", List.of(1),
                "event_timestamp", List.of("2026-01-01T00:00:00Z"), "score", List.of(0.5))));
        feast.post("/push", Map.of("push_source_name", cust, "df", Map.of("customer_id", List.of("c1"),
                "event_timestamp", List.of("2026-01-01T00:00:00Z"), "score", List.of(42))));
        Map<String, List<Object>> entities = new LinkedHashMap<>();
        entities.put("driver_id", List.of(1, 2));
        entities.put("customer_id", List.of("c1", "c1"));
        Response clash = get(List.of(drv + ":score", cust + ":score"), entities, false);
        assertThat(clash.status()).isEqualTo(400);
        assertThat(clash.json().get("detail").asString()).contains("full_feature_names");
        Response r = get(List.of(drv + ":score", cust + ":score"), entities, true);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(strings(r.json().at("/metadata/feature_names")))
                .containsExactly("driver_id", "customer_id", drv + "__score", cust + "__score");
        assertThat(r.json().at("/results/2/values").toString()).isEqualTo("[0.5,null]");
        assertThat(r.json().at("/results/3/values").toString()).isEqualTo("[42,42]");
    }

    @Test
    void unknownViewsFeaturesAndBadInputAre400sNamingThem() {
        String stats = view(driver, 0, true, "conv_rate", "FLOAT64");
        String offline = view(driver, 0, false, "x", "INT64");
        assertDetail(get(List.of("nope_" + stats + ":conv_rate"), Map.of("driver_id", List.of(1)), false),
                "Feature view 'nope_" + stats + "' does not exist");
        assertDetail(get(List.of(stats + ":speed"), Map.of("driver_id", List.of(1)), false),
                "Feature view '" + stats + "' has no feature 'speed'");
        assertDetail(get(List.of(stats + ":conv_rate"), Map.of("customer_id", List.of(1)), false),
                "lacks join key 'driver_id'");
        assertDetail(get(List.of(stats + ":conv_rate"), Map.of("driver_id", List.of("abc")), false),
                "entities.driver_id[0]: expected a INT64 value");
        assertDetail(get(List.of(offline + ":x"), Map.of("driver_id", List.of(1)), false), "is not online");
        assertDetail(feast.post("/push", Map.of("push_source_name", "nope_" + stats, "df", Map.of("driver_id", List.of(1)))),
                "Push source 'nope_" + stats + "' does not exist");
        assertDetail(feast.post("/push", Map.of("push_source_name", stats, "df", Map.of("driver_id", List.of(1),
                "event_timestamp", List.of("2026-01-01T00:00:00Z"), "conv_rate", List.of("fast")))),
                "Row 1, column 'conv_rate'");
        assertDetail(feast.post("/push", Map.of("push_source_name", stats, "to", "somewhere", "df", Map.of())),
                "Invalid 'to' value 'somewhere'");
        assertDetail(feast.post("/get-online-features", "{\"features\": [\"" + stats + ":conv_rate\"], \"entities\": "),
                "Malformed JSON");
        Response problem = http.post("/api/v1/materialize", Map.of("feature_views", List.of("nope_" + stats),
                "start", "2026-01-01T00:00:00Z", "end", "2026-01-02T00:00:00Z"));
        assertThat(problem.status()).isEqualTo(400);
        assertThat(problem.json().get("type").asString()).startsWith("urn:cairn:problem:");
    }

    @Test
    void deletingAViewRemovesItsOnlineValues() {
        String stats = view(driver, 0, true, "conv_rate", "FLOAT64");
        feast.post("/push", Map.of("push_source_name", stats, "df", Map.of("driver_id", List.of(1),
                "event_timestamp", List.of("2026-01-01T00:00:00Z"), "conv_rate", List.of(0.5))));
        String onlineKey = jdbc.sql("SELECT online_key FROM feature_views WHERE name = :n").param("n", stats)
                .query(String.class).single();
        assertThat(redis.keys("cairn:fs:" + onlineKey + ":*")).hasSize(1);
        Response deleted = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port
                + "/api/v1/feature-views/" + stats)).DELETE());
        assertThat(deleted.status()).isEqualTo(204);
        assertThat(redis.keys("cairn:fs:" + onlineKey + ":*")).isEmpty();
        put("/api/v1/feature-views/" + stats, Map.of("entities", List.of(driver), "features",
                List.of(Map.of("name", "conv_rate", "type", "FLOAT64"))));
        Response r = get(List.of(stats + ":conv_rate"), Map.of("driver_id", List.of(1)), false);
        assertThat(strings(r.json().at("/results/1/statuses"))).containsExactly("NOT_FOUND");
    }

    private static void assertDetail(Response response, String expected) {
        assertThat(response.status()).as(response.body()).isEqualTo(400);
        assertThat(response.json().get("detail").asString()).contains(expected);
        assertThat(response.json().size()).isEqualTo(1);
    }
}
