package io.cairn.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.cairn.HttpJson;
import io.cairn.HttpJson.Response;
import io.cairn.IntegrationTest;
import io.cairn.artifacts.ArtifactStore;
import io.cairn.serving.OnnxModels;
import io.cairn.serving.ServingFixtures;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Training-serving skew with a planted bug: driver 1's features are the same online and offline, driver 2's
 * conv_rate was pushed to the online store alone with another value (a broken materialization), and driver 3 exists
 * online only. A prediction for all three, recomputed offline at its time, shows exactly those differences.
 */
@IntegrationTest
class SkewIT {

    @LocalServerPort
    int port;

    @Autowired
    ArtifactStore store;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    SkewCheck skewCheck;

    ServingFixtures fx;
    HttpJson http;
    String view;

    @AfterEach
    void cleanUp() {
        fx.cleanUp();
        fx.delete("/api/v1/feature-views/" + view);
    }

    private void push(String to, List<Integer> ids, Instant at, List<Double> conv, List<Integer> trips) {
        Map<String, Object> df = new LinkedHashMap<>();
        df.put("driver_id", ids);
        df.put("event_timestamp", ids.stream().map(i -> at.toString()).toList());
        df.put("conv_rate", conv);
        df.put("trips", trips);
        Response r = http.post("/push", Map.of("push_source_name", view, "to", to, "df", df));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }

    @Test
    void servedFeaturesThatDifferFromTheOfflineStoreAtPredictionTimeShowAsSkew() {
        fx = new ServingFixtures(port, store);
        http = new HttpJson("http://127.0.0.1:" + port);
        String entity = ServingFixtures.unique("driver").replace('-', '_');
        assertThat(fx.put("/api/v1/entities/" + entity, Map.of("join_key", "driver_id", "value_type", "INT64"))
                .status()).isEqualTo(201);
        view = ServingFixtures.unique("driver_stats").replace('-', '_');
        assertThat(fx.put("/api/v1/feature-views/" + view, Map.of("entities", List.of(entity), "ttl_seconds", 3600,
                "features", List.of(Map.of("name", "conv_rate", "type", "FLOAT64"),
                        Map.of("name", "trips", "type", "INT64")))).status()).isEqualTo(201);
        Instant at = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(60);
        push("online_and_offline", List.of(1, 2), at, List.of(0.5, 0.25), List.of(3, 7));
        push("online", List.of(2), at, List.of(0.75), List.of(7)); // the planted bug
        push("online", List.of(3), at, List.of(0.875), List.of(1)); // never reached the offline store

        String model = fx.model("skewed");
        int version = fx.version(model, OnnxModels.linear(new float[][] {{1}, {10}}, new float[] {0}),
                Map.of("cairn.features", view + ":conv_rate," + view + ":trips"));
        fx.alias(model, "prod", version);
        String deployment = fx.deployReady("skewed", model, "prod");
        Response p = http.post("/api/v1/deployments/" + deployment + "/predict",
                Map.of("entities", Map.of("driver_id", List.of(1, 2, 3)), "parameters", Map.of("channel", "app")));
        assertThat(p.status()).as(p.body()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(15)).until(() -> jdbc.sql(
                "SELECT count(*) FROM skew_samples WHERE deployment = :d").param("d", deployment)
                .query(Long.class).single() > 0);
        assertThat(skewCheck.checkPending()).isPositive();

        Response r = http.get("/api/v1/deployments/" + deployment + "/skew");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode skew = r.json();
        assertThat(skew.get("sampled").asLong()).isEqualTo(1);
        assertThat(skew.get("pending").asLong()).isZero();
        JsonNode conv = skew.at("/features/0");
        assertThat(conv.get("name").asString()).isEqualTo(view + ":conv_rate");
        assertThat(conv.get("compared").asLong()).isEqualTo(3);
        assertThat(conv.get("mismatches").asLong()).isEqualTo(2);
        assertThat(conv.get("mismatch_rate").asDouble()).isCloseTo(2 / 3.0, within(1e-12));
        assertThat(conv.get("max_abs_difference").asDouble()).isCloseTo(0.5, within(1e-12));
        // The missing offline value first (nothing to compare with), then the largest difference.
        assertThat(conv.at("/examples/0/entity_key/driver_id").asLong()).isEqualTo(3);
        assertThat(conv.at("/examples/0/offline").isNull()).isTrue();
        assertThat(conv.at("/examples/1/entity_key/driver_id").asLong()).isEqualTo(2);
        assertThat(conv.at("/examples/1/served").asDouble()).isEqualTo(0.75);
        assertThat(conv.at("/examples/1/offline").asDouble()).isEqualTo(0.25);
        JsonNode trips = skew.at("/features/1");
        assertThat(trips.get("compared").asLong()).isEqualTo(3);
        assertThat(trips.get("mismatches").asLong()).isEqualTo(1);
        assertThat(trips.get("max_abs_difference").asDouble()).isZero();

        assertThat(http.get("/api/v1/deployments/" + deployment + "/skew?from=soon").status()).isEqualTo(400);
        assertThat(http.get("/api/v1/deployments/no-such/skew").status()).isEqualTo(404);
        // Request tags on a prediction by entity key are bounded like the V2 parameters.
        assertThat(http.post("/api/v1/deployments/" + deployment + "/predict", Map.of("entities",
                Map.of("driver_id", List.of(1)), "parameters", List.of(1))).status()).isEqualTo(400);
    }
}
