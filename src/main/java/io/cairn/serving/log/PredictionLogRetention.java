package io.cairn.serving.log;

import io.cairn.serving.ServingProperties;
import io.cairn.platform.scheduling.BatchedRun;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import net.javacrumbs.shedlock.spring.annotation.SchedulerLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Deletes prediction_log rows older than {@code cairn.serving.prediction-log.retention} (30 days by default), hourly,
 * on one replica at a time (ShedLock, see {@code io.cairn.platform.scheduling}). Rows go in batches of
 * {@link #BATCH} rows, each its own statement and transaction, so a run never holds locks or a snapshot for long
 * while the writer keeps inserting; a run stops after {@link #RUN_BUDGET} and the next one carries on.
 */
@Component
class PredictionLogRetention {

    static final String LOCK = "serving.prediction-log-retention";
    static final int BATCH = 5_000;
    static final Duration RUN_BUDGET = Duration.ofMinutes(10);

    private static final Logger log = LoggerFactory.getLogger(PredictionLogRetention.class);

    private final PredictionLogStore store;
    private final Duration retention;
    private final Clock clock;

    PredictionLogRetention(PredictionLogStore store, ServingProperties properties, Clock clock) {
        this.store = store;
        this.retention = properties.predictionLog().retention();
        this.clock = clock;
    }

    /**
     * One run. Every replica's scheduler fires at the same minute of the hour; the lock lets the first one run and
     * the others skip. lockAtLeastFor covers replicas whose clocks differ by up to a minute (the lock's own times are
     * the database's); lockAtMostFor frees the lock of a replica that died mid-run, well after {@link #RUN_BUDGET}.
     */
    @Scheduled(cron = "${cairn.serving.prediction-log.retention-schedule:0 17 * * * *}")
    @SchedulerLock(name = LOCK, lockAtLeastFor = "PT1M", lockAtMostFor = "PT50M")
    public void deleteExpired() {
        if (retention.isZero() || retention.isNegative()) {
            return;
        }
        Instant cutoff = clock.instant().minus(retention);
        BatchedRun.Outcome run = BatchedRun.repeat(BATCH, RUN_BUDGET, () -> store.deleteCreatedBefore(cutoff, BATCH));
        if (run.done() > 0) {
            log.info("Deleted {} prediction log rows created before {} (retention {}){}", run.done(), cutoff, retention,
                    run.moreRemain() ? "; more remain for the next run" : "");
        }
    }
}
