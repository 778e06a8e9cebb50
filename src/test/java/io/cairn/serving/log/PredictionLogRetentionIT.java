package io.cairn.serving.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.IntegrationTest;
import io.cairn.serving.ServingFixtures;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/** One run of the retention job deletes every row older than the retention (30 days), in batches, under its lock. */
@IntegrationTest
class PredictionLogRetentionIT {

    @Autowired
    PredictionLogRetention retention;

    @Autowired
    JdbcClient jdbc;

    private final String deployment = ServingFixtures.unique("retained");

    @AfterEach
    void cleanUp() {
        jdbc.sql("DELETE FROM prediction_log WHERE deployment = :d").param("d", deployment).update();
    }

    /** {@code n} rows created {@code age} ago (1 ms apart), with UUIDv7 ids of that time as the writer makes them. */
    private void insert(int n, Duration age) {
        long millis = Instant.now().minus(age).toEpochMilli();
        jdbc.sql("""
                INSERT INTO prediction_log (id, deployment, model, version, alias, outputs, latency_ms, created_at)
                SELECT (lpad(to_hex(:ms + i), 12, '0') || '7000' || '8000' || lpad(to_hex(i), 12, '0'))::uuid,
                       :d, 'm', 1, 'champion', '[]', 1.0, to_timestamp((:ms + i) / 1000.0)
                FROM generate_series(1, :n) AS i""").param("ms", millis).param("d", deployment).param("n", n).update();
    }

    private long count(String condition) {
        return jdbc.sql("SELECT count(*) FROM prediction_log WHERE deployment = :d AND " + condition)
                .param("d", deployment).query(Long.class).single();
    }

    @Test
    void oneRunDeletesEveryRowOlderThanTheRetentionInBatchesAndKeepsTheRest() {
        insert(2 * PredictionLogRetention.BATCH + 123, Duration.ofDays(45));
        insert(10, Duration.ofDays(31));
        insert(7, Duration.ofDays(29));
        insert(5, Duration.ofMinutes(1));
        // A run within the last minute (lockAtLeastFor) would make this one skip: start from a free lock.
        jdbc.sql("DELETE FROM shedlock WHERE name = :n").param("n", PredictionLogRetention.LOCK).update();

        retention.deleteExpired();

        assertThat(count("created_at < now() - interval '30 days'")).isZero();
        assertThat(count("true")).isEqualTo(12);
        // The run held ShedLock's lock, and keeps it for lockAtLeastFor so that other replicas skip this hour.
        assertThat(jdbc.sql("SELECT lock_until > locked_at FROM shedlock WHERE name = :n")
                .param("n", PredictionLogRetention.LOCK).query(Boolean.class).single()).isTrue();
    }
}
