package io.cairn.features;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.HttpJson.Response;
import io.cairn.IntegrationTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/** Entities and feature views: idempotent PUT, listing, deleting, and refusing changes that break stored data. */
@IntegrationTest
class FeatureDefinitionsIT {

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    FeatureHttp http;
    String driver;
    String view;

    @BeforeEach
    void setUp() {
        http = new FeatureHttp(port);
        driver = FeatureHttp.unique("driver");
        view = FeatureHttp.unique("driver_stats");
    }

    private Map<String, Object> viewBody(List<Map<String, String>> features) {
        return Map.of("entities", List.of(driver), "features", features, "ttl_seconds", 86400, "online", true,
                "description", "hourly driver stats", "tags", Map.of("team", "ops"));
    }

    private static Map<String, String> feature(String name, String type) {
        return Map.of("name", name, "type", type);
    }

    @Test
    void putIsIdempotentAndTheDefinitionCanBeReadListedAndDeleted() {
        Map<String, String> entity = Map.of("join_key", "driver_id", "value_type", "INT64", "description", "a driver");
        Response created = http.put("/api/v1/entities/" + driver, entity);
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.json().get("join_key").asString()).isEqualTo("driver_id");
        Response again = http.put("/api/v1/entities/" + driver, entity);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().get("updated_at")).isEqualTo(created.json().get("updated_at"));

        var body = viewBody(List.of(feature("conv_rate", "FLOAT64"), feature("trips", "INT32"),
                feature("city", "STRING"), feature("active", "BOOL"), feature("acc", "FLOAT32"),
                feature("lifetime", "INT64")));
        Response v1 = http.put("/api/v1/feature-views/" + view, body);
        assertThat(v1.status()).as(v1.body()).isEqualTo(201);
        JsonNode stored = v1.json();
        assertThat(stored.get("entities").get(0).asString()).isEqualTo(driver);
        assertThat(stored.at("/join_keys/0/name").asString()).isEqualTo("driver_id");
        assertThat(stored.at("/join_keys/0/type").asString()).isEqualTo("INT64");
        assertThat(stored.at("/features/5/type").asString()).isEqualTo("INT64");
        assertThat(stored.get("ttl_seconds").asLong()).isEqualTo(86400);
        assertThat(stored.at("/tags/team").asString()).isEqualTo("ops");
        assertThat(stored.has("viewId")).isFalse();

        Response v2 = http.put("/api/v1/feature-views/" + view, body);
        assertThat(v2.status()).isEqualTo(200);
        assertThat(v2.json()).isEqualTo(stored);
        assertThat(http.get("/api/v1/feature-views/" + view).json()).isEqualTo(stored);
        assertThat(http.get("/api/v1/feature-views").json().get("feature_views").valueStream()
                .map(n -> n.get("name").asString())).contains(view);
        assertThat(http.get("/api/v1/entities").json().get("entities").valueStream()
                .map(n -> n.get("name").asString())).contains(driver);

        Response inUse = http.delete("/api/v1/entities/" + driver);
        assertThat(inUse.status()).isEqualTo(400);
        assertThat(inUse.json().get("detail").asString()).contains(view);

        assertThat(http.delete("/api/v1/feature-views/" + view).status()).isEqualTo(204);
        assertThat(http.get("/api/v1/feature-views/" + view).status()).isEqualTo(404);
        assertThat(http.delete("/api/v1/feature-views/" + view).status()).isEqualTo(404);
        assertThat(http.delete("/api/v1/entities/" + driver).status()).isEqualTo(204);
        assertThat(http.get("/api/v1/entities/" + driver).status()).isEqualTo(404);
    }

    @Test
    void addingAFeatureIsAllowedAndAddsAColumn() {
        http.put("/api/v1/entities/" + driver, Map.of("join_key", "driver_id", "value_type", "INT64"));
        http.put("/api/v1/feature-views/" + view, viewBody(List.of(feature("conv_rate", "FLOAT64"))));
        Response added = http.put("/api/v1/feature-views/" + view,
                viewBody(List.of(feature("conv_rate", "FLOAT64"), feature("trips", "INT64"))));
        assertThat(added.status()).as(added.body()).isEqualTo(200);
        assertThat(added.json().get("features")).hasSize(2);
        long viewId = jdbc.sql("SELECT view_id FROM feature_views WHERE name = :n").param("n", view)
                .query(Long.class).single();
        // The index was rebuilt to carry the new feature too, and the old one is gone.
        assertThat(indexes(viewId)).containsExactly("CREATE INDEX view_" + viewId + "_key_time_2 ON feature_data.view_"
                + viewId + " USING btree (driver_id, event_timestamp, created_timestamp) INCLUDE (conv_rate, trips)");
        assertThat(jdbc.sql("""
                SELECT string_agg(column_name || ' ' || data_type, ', ' ORDER BY ordinal_position)
                FROM information_schema.columns WHERE table_schema = 'feature_data' AND table_name = :t""")
                .param("t", "view_" + viewId).query(String.class).single())
                .isEqualTo("driver_id bigint, event_timestamp timestamp with time zone, "
                        + "created_timestamp timestamp with time zone, conv_rate double precision, trips bigint");
    }

    @Test
    void theIndexCarriesTheFixedWidthFeaturesAsFarAsPostgresAllows() {
        http.put("/api/v1/entities/" + driver, Map.of("join_key", "driver_id", "value_type", "INT64"));
        http.put("/api/v1/feature-views/" + view, viewBody(List.of(feature("conv_rate", "FLOAT64"),
                feature("city", "STRING"), feature("active", "BOOL"))));
        long viewId = viewId(view);
        assertThat(indexes(viewId)).containsExactly("CREATE INDEX view_" + viewId + "_key_time_2 ON feature_data.view_"
                + viewId + " USING btree (driver_id, event_timestamp, created_timestamp) INCLUDE (conv_rate, active)");
        // Adding a text feature leaves the index as it is.
        http.put("/api/v1/feature-views/" + view, viewBody(List.of(feature("conv_rate", "FLOAT64"),
                feature("city", "STRING"), feature("active", "BOOL"), feature("note", "STRING"))));
        assertThat(indexes(viewId)).singleElement().asString().startsWith("CREATE INDEX view_" + viewId + "_key_time_2 ");

        // 32 index columns at most: one key and two timestamps leave room for 29 features.
        String wide = FeatureHttp.unique("wide_stats");
        List<Map<String, String>> features = new java.util.ArrayList<>();
        for (int i = 0; i < 40; i++) {
            features.add(feature("f" + i, i % 2 == 0 ? "FLOAT64" : "INT32"));
        }
        Response created = http.put("/api/v1/feature-views/" + wide, viewBody(features));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        List<String> index = indexes(viewId(wide));
        assertThat(index).singleElement().asString().contains("_key_time_29 ").contains("INCLUDE (f0, f1, ")
                .contains(", f28)");
    }

    private long viewId(String name) {
        return jdbc.sql("SELECT view_id FROM feature_views WHERE name = :n").param("n", name).query(Long.class).single();
    }

    private List<String> indexes(long viewId) {
        return jdbc.sql("SELECT indexdef FROM pg_indexes WHERE schemaname = 'feature_data' AND tablename = :t")
                .param("t", "view_" + viewId).query(String.class).list();
    }

    @Test
    void breakingChangesAreRefusedWithAClearProblem() {
        String other = FeatureHttp.unique("customer");
        http.put("/api/v1/entities/" + driver, Map.of("join_key", "driver_id", "value_type", "INT64"));
        http.put("/api/v1/entities/" + other, Map.of("join_key", "customer_id", "value_type", "STRING"));
        http.put("/api/v1/feature-views/" + view,
                viewBody(List.of(feature("conv_rate", "FLOAT64"), feature("trips", "INT64"))));

        Response dropped = http.put("/api/v1/feature-views/" + view, viewBody(List.of(feature("conv_rate", "FLOAT64"))));
        assertThat(dropped.status()).isEqualTo(400);
        assertThat(dropped.json().get("code").asString()).isEqualTo("INVALID_STATE");
        assertThat(dropped.json().get("detail").asString()).contains("drop feature(s) [trips]");

        Response retyped = http.put("/api/v1/feature-views/" + view,
                viewBody(List.of(feature("conv_rate", "STRING"), feature("trips", "INT64"))));
        assertThat(retyped.status()).isEqualTo(400);
        assertThat(retyped.json().get("detail").asString()).contains("retype feature(s) [conv_rate FLOAT64 -> STRING]");

        Response rekeyed = http.put("/api/v1/feature-views/" + view, Map.of("entities", List.of(other),
                "features", List.of(feature("conv_rate", "FLOAT64"), feature("trips", "INT64"))));
        assertThat(rekeyed.status()).isEqualTo(400);
        assertThat(rekeyed.json().get("detail").asString()).contains("Cannot change the entities");

        Response entityRetyped = http.put("/api/v1/entities/" + driver,
                Map.of("join_key", "driver_id", "value_type", "STRING"));
        assertThat(entityRetyped.status()).isEqualTo(400);
        assertThat(entityRetyped.json().get("detail").asString()).contains(view);

        // Nothing changed.
        assertThat(http.get("/api/v1/feature-views/" + view).json().get("features")).hasSize(2);
        assertThat(http.get("/api/v1/entities/" + driver).json().get("value_type").asString()).isEqualTo("INT64");
    }

    @Test
    void invalidDefinitionsGiveClearMessages() {
        http.put("/api/v1/entities/" + driver, Map.of("join_key", "driver_id", "value_type", "INT64"));
        assertDetail(http.put("/api/v1/entities/" + FeatureHttp.unique("e"),
                Map.of("join_key", "id", "value_type", "FLOAT64")), "a join key is INT64, INT32 or STRING");
        assertDetail(http.put("/api/v1/entities/" + FeatureHttp.unique("e"),
                Map.of("join_key", "bad key", "value_type", "INT64")), "Invalid join_key 'bad key'");
        assertDetail(http.put("/api/v1/entities/" + FeatureHttp.unique("e"), Map.of("value_type", "INT64")),
                "join_key: join_key is required");
        assertDetail(http.put("/api/v1/entities/bad%20name", Map.of("join_key", "id", "value_type", "INT64")),
                "Invalid entity name 'bad name'");
        assertDetail(http.put("/api/v1/feature-views/" + view,
                viewBody(List.of(feature("conv_rate", "DECIMAL")))), "Invalid type of feature 'conv_rate' 'DECIMAL'");
        assertDetail(http.put("/api/v1/feature-views/" + view,
                viewBody(List.of(feature("x", "INT64"), feature("x", "INT64")))), "declares feature 'x' twice");
        assertDetail(http.put("/api/v1/feature-views/" + view,
                viewBody(List.of(feature("event_timestamp", "INT64")))), "reserved");
        assertDetail(http.put("/api/v1/feature-views/" + view,
                viewBody(List.of(feature("driver_id", "INT64")))), "has the name of a join key");
        assertDetail(http.put("/api/v1/feature-views/" + view, Map.of("entities", List.of("nope_" + driver),
                "features", List.of(feature("x", "INT64")))), "entities that do not exist: [nope_" + driver + "]");
        assertDetail(http.put("/api/v1/feature-views/" + view, Map.of("entities", List.of(driver),
                "features", List.of(feature("x", "INT64")), "ttl_seconds", -1)), "ttl_seconds must be 0");
        assertDetail(http.put("/api/v1/feature-views/" + view, Map.of("entities", List.of(driver),
                "features", List.of())), "features must list at least one feature");
        assertDetail(http.put("/api/v1/feature-views/" + view, Map.of("entities", List.of(driver),
                "features", List.of(feature("x", "INT64")), "ttl", 5)), "Unknown field(s) [ttl]");
        assertThat(http.get("/api/v1/feature-views/" + view).status()).isEqualTo(404);
    }

    private static void assertDetail(Response response, String expected) {
        assertThat(response.status()).as(response.body()).isEqualTo(400);
        assertThat(response.json().get("detail").asString()).contains(expected);
    }
}
