package io.cairn.features;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.HttpJson;
import io.cairn.HttpJson.Response;
import io.cairn.IntegrationTest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/**
 * The set-based join against a brute-force one on random data: a view keyed by two entities, timestamps on a coarse
 * grid (many ties on event_timestamp, broken by created_timestamp), null values, a TTL, keys without rows.
 */
@IntegrationTest
class PointInTimeRandomIT {

    @LocalServerPort
    int port;

    record FeatureRow(long driver, String city, Instant ts, Instant created, Double v, int n) {
    }

    @Test
    void theSetBasedJoinAgreesWithABruteForceJoin() {
        FeatureHttp http = new FeatureHttp(port);
        FeatureFixtures fixtures = new FeatureFixtures(http);
        String driver = fixtures.entity("driver", "driver_id", "INT64");
        String city = fixtures.entity("city", "city", "STRING");
        long ttl = 600;
        String view = fixtures.view("rnd", List.of(driver, city), ttl, "v", "FLOAT64", "n", "INT32");

        Random rnd = new Random(20261123);
        Instant base = Instant.parse("2026-05-01T00:00:00Z");
        List<FeatureRow> features = new ArrayList<>();
        List<Integer> createdOrder = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            createdOrder.add(i);
        }
        java.util.Collections.shuffle(createdOrder, rnd);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            long d = 1 + rnd.nextInt(4);
            String c = rnd.nextBoolean() ? "x" : "y";
            Instant ts = base.plusSeconds(60L * rnd.nextInt(40));
            Instant created = base.plusSeconds(createdOrder.get(i));
            Double v = rnd.nextInt(5) == 0 ? null : Math.round(rnd.nextDouble() * 1000) / 1000.0;
            features.add(new FeatureRow(d, c, ts, created, v, i));
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("driver_id", d);
            row.put("city", c);
            row.put("event_timestamp", ts.toString());
            row.put("created_timestamp", created.toString());
            row.put("v", v);
            row.put("n", i);
            rows.add(row);
        }
        fixtures.rows(view, HttpJson.mapper().writeValueAsString(Map.of("rows", rows)));

        List<Map<String, Object>> entityRows = new ArrayList<>();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            long d = 1 + rnd.nextInt(5);
            String c = rnd.nextBoolean() ? "x" : "y";
            Instant ts = base.plusSeconds(60L * rnd.nextInt(46) + (rnd.nextBoolean() ? 0 : 30));
            entityRows.add(Map.of("driver_id", d, "city", c, "event_timestamp", ts.toString(), "i", i));
            FeatureRow best = null;
            for (FeatureRow f : features) {
                if (f.driver() == d && f.city().equals(c) && !f.ts().isAfter(ts)
                        && !f.ts().isBefore(ts.minusSeconds(ttl))
                        && (best == null || f.ts().isAfter(best.ts())
                        || (f.ts().equals(best.ts()) && f.created().isAfter(best.created())))) {
                    best = f;
                }
            }
            expected.add("[" + i + "," + (best == null ? "null" : best.v()) + "," + (best == null ? "null" : best.n())
                    + "]");
        }
        Response r = http.post("/api/v1/training-sets", HttpJson.mapper().writeValueAsString(Map.of(
                "features", List.of(view + ":v", view + ":n"), "entity_rows", entityRows)));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        List<String> columns = new ArrayList<>();
        r.json().get("columns").forEach(c -> columns.add(c.asString()));
        int i = columns.indexOf("i");
        int v = columns.indexOf("v");
        int n = columns.indexOf("n");
        List<String> got = new ArrayList<>();
        for (JsonNode row : r.json().get("rows")) {
            got.add("[" + row.get(i) + "," + row.get(v) + "," + row.get(n) + "]");
        }
        assertThat(got).containsExactlyElementsOf(expected);
        assertThat(expected.stream().filter(e -> e.endsWith(",null,null]")).count()).isBetween(20L, 200L);
    }
}
