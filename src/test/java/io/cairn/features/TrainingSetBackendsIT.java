package io.cairn.features;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.cairn.HttpJson.Response;
import io.cairn.IntegrationTest;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * A training set over two views or more runs its views' probes on two PostgreSQL backends and zips the results; one
 * saved with {@code save_as} runs on the request's backend alone. Both must give the same bytes, whatever the order
 * in which the request interleaves the views' features.
 */
@IntegrationTest
class TrainingSetBackendsIT {

    @LocalServerPort
    int port;

    @Autowired
    MeterRegistry meters;

    @Autowired
    DataSource dataSource;

    FeatureHttp http;
    String a;
    String b;
    String c;

    @BeforeEach
    void setUp() {
        http = new FeatureHttp(port);
        FeatureFixtures fixtures = new FeatureFixtures(http);
        String driver = fixtures.entity("driver", "driver_id", "INT64");
        String customer = fixtures.entity("customer", "customer_id", "STRING");
        a = fixtures.view("a", List.of(driver), 0, "x", "FLOAT64", "z", "INT32", "s", "STRING");
        b = fixtures.view("b", List.of(customer), 0, "y", "FLOAT64");
        c = fixtures.view("c", List.of(driver), 3600, "w", "BOOL");
        Random rnd = new Random(7);
        Instant base = Instant.parse("2026-03-01T00:00:00Z");
        StringBuilder ra = new StringBuilder("driver_id,event_timestamp,x,z,s\n");
        StringBuilder rb = new StringBuilder("customer_id,event_timestamp,y\n");
        StringBuilder rc = new StringBuilder("driver_id,event_timestamp,w\n");
        for (int i = 0; i < 300; i++) {
            Instant t = base.plusSeconds(60L * rnd.nextInt(600));
            ra.append(rnd.nextInt(20)).append(',').append(t).append(',').append(rnd.nextInt(9) == 0 ? ""
                    : String.valueOf(rnd.nextInt(100_000) / 1000.0)).append(',').append(rnd.nextInt(50))
                    .append(",\"s,").append(i).append("\"\n");
            rb.append("c").append(rnd.nextInt(15)).append(',').append(t.plusSeconds(7)).append(',')
                    .append(rnd.nextDouble()).append('\n');
            rc.append(rnd.nextInt(20)).append(',').append(t.plusSeconds(13)).append(',').append(rnd.nextBoolean())
                    .append('\n');
        }
        fixtures.csvRows(a, ra.toString());
        fixtures.csvRows(b, rb.toString());
        fixtures.csvRows(c, rc.toString());
    }

    private String entityCsv() {
        Random rnd = new Random(11);
        StringBuilder csv = new StringBuilder("driver_id,customer_id,event_timestamp,label\n");
        Instant base = Instant.parse("2026-03-01T00:00:00Z");
        for (int i = 0; i < 400; i++) {
            csv.append(rnd.nextInt(22)).append(",c").append(rnd.nextInt(17)).append(',')
                    .append(base.plusSeconds(rnd.nextInt(40_000))).append(',').append(i % 3).append('\n');
        }
        return csv.toString();
    }

    private double count(String backends) {
        return meters.counter("cairn.feature.training.sets", "backends", backends).count();
    }

    @Test
    void twoBackendsGiveTheBytesOfOne() {
        String features = String.join(",", a + ":x", b + ":y", a + ":z", c + ":w", a + ":s");
        String entities = entityCsv();
        for (String accept : List.of("text/csv", "application/json")) {
            double two = count("2");
            double one = count("1");
            Response split = http.postCsv("/api/v1/training-sets?features=" + features, entities, accept);
            assertThat(split.status()).as(split.body()).isEqualTo(200);
            assertThat(count("2")).isEqualTo(two + 1);
            Response single = http.postCsv("/api/v1/training-sets?features=" + features + "&save_as="
                    + FeatureHttp.unique("split_check"), entities, accept);
            assertThat(single.status()).as(single.body()).isEqualTo(201);
            assertThat(count("1")).isEqualTo(one + 1);
            assertThat(split.body()).isEqualTo(single.body());
            if (accept.equals("text/csv")) {
                List<String> lines = new ArrayList<>(split.body().lines().toList());
                assertThat(lines.get(0)).isEqualTo("driver_id,customer_id,event_timestamp,label,x,y,z,w,s");
                assertThat(lines).hasSize(401);
                // Every view contributed values somewhere (not all nulls from a misaligned zip).
                assertThat(lines.stream().skip(1).filter(l -> l.contains("\"s,"))).isNotEmpty();
                assertThat(lines.stream().skip(1).filter(l -> l.matches(".*,(true|false),\"s,.*"))).isNotEmpty();
            }
        }
    }

    @Test
    void withNoIdleConnectionInThePoolARequestRunsOnOneBackendInsteadOfWaiting() throws Exception {
        HikariDataSource pool = dataSource.unwrap(HikariDataSource.class);
        List<Connection> held = new ArrayList<>();
        try {
            // Everything but one connection: the request gets that one, and none is left for a second backend.
            while (held.size() < pool.getMaximumPoolSize() - 1) {
                held.add(pool.getConnection());
            }
            double one = count("1");
            double two = count("2");
            long started = System.nanoTime();
            Response r = http.postCsv("/api/v1/training-sets?features=" + a + ":x," + b + ":y", entityCsv(), "text/csv");
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            assertThat(r.body().lines().count()).isEqualTo(401);
            // Not after waiting out the pool's connection timeout (30 s) for a second connection.
            assertThat(Duration.ofNanos(System.nanoTime() - started))
                    .isLessThan(Duration.ofMillis(pool.getConnectionTimeout() / 2));
            assertThat(count("1")).isEqualTo(one + 1);
            assertThat(count("2")).isEqualTo(two);
        } finally {
            for (Connection c : held) {
                c.close();
            }
        }
    }

    @Test
    void aBadFeatureStillFailsCleanlyWithTheSecondBackendOpen() {
        Response bad = http.postCsv("/api/v1/training-sets?features=" + a + ":x," + b + ":nope", entityCsv(),
                "text/csv");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("detail").asString()).contains("nope");
        // Nothing leaked: the next split request still gets its second backend and succeeds.
        double two = count("2");
        Response ok = http.postCsv("/api/v1/training-sets?features=" + a + ":x," + b + ":y", entityCsv(), "text/csv");
        assertThat(ok.status()).as(ok.body()).isEqualTo(200);
        assertThat(count("2")).isEqualTo(two + 1);
    }
}
