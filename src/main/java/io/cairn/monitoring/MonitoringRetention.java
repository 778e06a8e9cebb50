package io.cairn.monitoring;

import java.sql.Timestamp;
import io.cairn.platform.scheduling.BatchedRun;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import net.javacrumbs.shedlock.spring.annotation.SchedulerLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Deletes predictions older than {@code cairn.monitoring.retention} from {@code monitored_predictions}, with their
 * labels and label history, and the drift sketches, evaluated windows and events of that age, hourly, on one replica
 * at a time (ShedLock, as the prediction log's retention). A batch of
 * {@link #BATCH} predictions is one statement (labels, history and predictions together, so no label outlives its
 * prediction); a run stops after {@link #RUN_BUDGET} and the next carries on.
 */
@Component
class MonitoringRetention {

    static final String LOCK = "monitoring.retention";
    static final int BATCH = 5_000;
    static final Duration RUN_BUDGET = Duration.ofMinutes(10);

    private static final Logger log = LoggerFactory.getLogger(MonitoringRetention.class);

    private final JdbcTemplate jdbc;
    private final Duration retention;
    private final Clock clock;

    MonitoringRetention(JdbcTemplate jdbc, MonitoringProperties properties, Clock clock) {
        this.jdbc = jdbc;
        this.retention = properties.retention();
        this.clock = clock;
    }

    /** One run; at minute 47, away from the prediction log's (17), so the two do not compete for the database. */
    @Scheduled(cron = "0 47 * * * *")
    @SchedulerLock(name = LOCK, lockAtLeastFor = "PT1M", lockAtMostFor = "PT50M")
    public void deleteExpired() {
        if (retention.isZero() || retention.isNegative()) {
            return;
        }
        Instant cutoff = clock.instant().minus(retention);
        BatchedRun.Outcome run = BatchedRun.repeat(BATCH, RUN_BUDGET, () -> deleteBatch(cutoff));
        if (run.done() > 0) {
            log.info("Deleted {} monitored predictions from before {} with their labels (retention {}){}", run.done(),
                    cutoff, retention, run.moreRemain() ? "; more remain for the next run" : "");
        }
        deleteHistory(cutoff);
    }

    /**
     * Sketches, evaluated windows and events older than the cutoff: a few rows per deployment and window, so one
     * statement each.
     */
    void deleteHistory(Instant cutoff) {
        Timestamp before = Timestamp.from(cutoff);
        int sketches = jdbc.update("DELETE FROM drift_sketches WHERE bucket_start < ?", before);
        jdbc.update("DELETE FROM quality_history WHERE window_start < ?", before);
        jdbc.update("DELETE FROM drift_history WHERE window_start < ?", before);
        jdbc.update("DELETE FROM monitoring_windows WHERE window_start < ?", before);
        jdbc.update("DELETE FROM monitoring_events WHERE raised_at < ?", before);
        jdbc.update("DELETE FROM skew_results WHERE predicted_at < ?", before);
        jdbc.update("DELETE FROM skew_samples WHERE predicted_at < ?", before);
        if (sketches > 0) {
            log.info("Deleted {} drift sketch rows and the monitoring history from before {}", sketches, cutoff);
        }
    }

    private int deleteBatch(Instant cutoff) {
        Integer gone = jdbc.queryForObject("""
                WITH batch AS (SELECT prediction_id FROM monitored_predictions WHERE predicted_at < ?
                               ORDER BY predicted_at LIMIT ?),
                     labels AS (DELETE FROM ground_truth g USING batch b WHERE g.prediction_id = b.prediction_id),
                     history AS (DELETE FROM ground_truth_history h USING batch b
                                 WHERE h.prediction_id = b.prediction_id),
                     predictions AS (DELETE FROM monitored_predictions m USING batch b
                                     WHERE m.prediction_id = b.prediction_id RETURNING 1)
                SELECT count(*)::int FROM predictions""", Integer.class, Timestamp.from(cutoff), BATCH);
        return gone == null ? 0 : gone;
    }
}
