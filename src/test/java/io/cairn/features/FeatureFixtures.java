package io.cairn.features;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.HttpJson.Response;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Defines entities and views with unique names for one test, over HTTP. */
final class FeatureFixtures {

    private final FeatureHttp http;

    FeatureFixtures(FeatureHttp http) {
        this.http = http;
    }

    /** Defines an entity with a unique name and returns that name. */
    String entity(String prefix, String joinKey, String type) {
        String name = FeatureHttp.unique(prefix);
        Response r = http.put("/api/v1/entities/" + name, Map.of("join_key", joinKey, "value_type", type));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return name;
    }

    /** Defines a view with a unique name; {@code features} alternates names and types. */
    String view(String prefix, List<String> entities, long ttlSeconds, String... features) {
        String name = FeatureHttp.unique(prefix);
        List<Map<String, String>> specs = new ArrayList<>();
        for (int i = 0; i < features.length; i += 2) {
            specs.add(Map.of("name", features[i], "type", features[i + 1]));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("entities", entities);
        body.put("features", specs);
        body.put("ttl_seconds", ttlSeconds);
        Response r = http.put("/api/v1/feature-views/" + name, body);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return name;
    }

    void rows(String view, String json) {
        Response r = http.post("/api/v1/feature-views/" + view + "/rows", json);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }

    void csvRows(String view, String csv) {
        Response r = http.postCsv("/api/v1/feature-views/" + view + "/rows", csv);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }
}
