package io.cairn.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.IntegrationTest;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/** Predictions past cairn.monitoring.retention go with their labels and label history; recent ones stay. */
@IntegrationTest
class MonitoringRetentionIT {

    @Autowired
    JdbcClient jdbc;

    @Autowired
    MonitoringRetention retention;

    private UUID prediction(String deployment, Instant at, boolean relabelled) {
        UUID id = UUID.randomUUID();
        jdbc.sql("INSERT INTO monitored_predictions (prediction_id, deployment, model, version, alias, row_count, "
                + "latency_ms, predicted_at) VALUES (:id, :d, 'm', 1, 'champion', 1, 1.0, :at)")
                .param("id", id).param("d", deployment).param("at", Timestamp.from(at)).update();
        jdbc.sql("INSERT INTO ground_truth (prediction_id, row_index, deployment, value_text, labelled_at, "
                + "labelled_by) VALUES (:id, 0, :d, '1', now(), 'test')").param("id", id).param("d", deployment)
                .update();
        if (relabelled) {
            jdbc.sql("INSERT INTO ground_truth_history (prediction_id, row_index, deployment, value_text, "
                    + "labelled_at, labelled_by, replaced_at) VALUES (:id, 0, :d, '0', now(), 'test', now())")
                    .param("id", id).param("d", deployment).update();
        }
        return id;
    }

    private long count(String table, UUID id) {
        return jdbc.sql("SELECT count(*) FROM " + table + " WHERE prediction_id = :id").param("id", id)
                .query(Long.class).single();
    }

    @Test
    void expiredPredictionsGoWithTheirLabelsAndRecentOnesStay() {
        String deployment = "retention-" + UUID.randomUUID();
        Instant now = Instant.now();
        UUID old = prediction(deployment, now.minus(Duration.ofDays(91)), true);
        UUID recent = prediction(deployment, now.minus(Duration.ofDays(89)), true);

        // A run by the scheduler (minute 47) holds the lock for at least a minute; this run must not be skipped.
        jdbc.sql("DELETE FROM shedlock WHERE name = :n").param("n", MonitoringRetention.LOCK).update();
        retention.deleteExpired();

        for (String table : new String[] {"monitored_predictions", "ground_truth", "ground_truth_history"}) {
            assertThat(count(table, old)).as(table + " of the expired prediction").isZero();
            assertThat(count(table, recent)).as(table + " of the recent prediction").isEqualTo(1);
        }
    }

    @Test
    void expiredSketchesWindowsAndEventsGoAndRecentOnesStay() {
        String deployment = "retention-" + UUID.randomUUID();
        Instant now = Instant.now();
        for (Instant at : new Instant[] {now.minus(Duration.ofDays(91)), now.minus(Duration.ofDays(89))}) {
            Timestamp t = Timestamp.from(at);
            jdbc.sql("INSERT INTO drift_sketches (deployment, bucket_start, version, replica, model, row_count, "
                    + "sketches, updated_at) VALUES (:d, :t, 1, gen_random_uuid(), 'm', 1, '\\x00', now())")
                    .param("d", deployment).param("t", t).update();
            jdbc.sql("INSERT INTO monitoring_windows (deployment, window_start, window_end, evaluated_at) "
                    + "VALUES (:d, :t, :t, now())").param("d", deployment).param("t", t).update();
            jdbc.sql("INSERT INTO quality_history (deployment, window_start, window_end, version, alias, row_count, "
                    + "labelled, scored) VALUES (:d, :t, :t, 1, 'champion', 1, 0, 0)").param("d", deployment)
                    .param("t", t).update();
            jdbc.sql("INSERT INTO monitoring_events (deployment, kind, detail, raised_at) VALUES (:d, 'drift', '{}', "
                    + ":t)").param("d", deployment).param("t", t).update();
        }
        retention.deleteHistory(now.minus(Duration.ofDays(90)));
        for (String table : new String[] {"drift_sketches", "monitoring_windows", "quality_history",
                "monitoring_events"}) {
            assertThat(jdbc.sql("SELECT count(*) FROM " + table + " WHERE deployment = :d").param("d", deployment)
                    .query(Long.class).single()).as(table).isEqualTo(1);
        }
    }
}
