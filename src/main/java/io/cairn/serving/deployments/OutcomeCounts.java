package io.cairn.serving.deployments;

import io.cairn.platform.scheduling.PeriodicFlush;
import io.cairn.serving.ServingOutcomes;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.javacrumbs.shedlock.spring.annotation.SchedulerLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Writes this replica's request outcomes ({@link ServingMetrics.ModelMeters}' counts since the last flush) to
 * {@code serving_outcomes} every {@value #FLUSH_SECONDS} seconds, adding them to the minute's row, and answers
 * {@link ServingOutcomes} from that table. A failed write puts the counts back, so the next flush carries them.
 */
@Component
class OutcomeCounts implements ServingOutcomes, SmartLifecycle {

    static final int FLUSH_SECONDS = 5;
    static final Duration RETENTION = Duration.ofDays(7);
    private static final Logger log = LoggerFactory.getLogger(OutcomeCounts.class);

    private final JdbcTemplate jdbc;
    private final ServingMetrics metrics;
    private final Clock clock;
    private final PeriodicFlush flusher;
    private volatile boolean running;
    private boolean failing;

    OutcomeCounts(JdbcTemplate jdbc, ServingMetrics metrics, Clock clock) {
        this.jdbc = jdbc;
        this.metrics = metrics;
        this.clock = clock;
        this.flusher = new PeriodicFlush("cairn-serving-outcomes", Duration.ofSeconds(FLUSH_SECONDS), this::flush);
    }

    void flush() {
        List<ServingMetrics.Drained> drained = metrics.drainOutcomes();
        if (drained.isEmpty()) {
            return;
        }
        Timestamp minute = Timestamp.from(clock.instant().truncatedTo(ChronoUnit.MINUTES));
        List<Object[]> rows = new ArrayList<>(drained.size());
        for (ServingMetrics.Drained d : drained) {
            rows.add(new Object[] {d.deployment(), d.version(), minute, d.succeeded(), d.failed()});
        }
        try {
            jdbc.batchUpdate("""
                    INSERT INTO serving_outcomes (deployment, version, minute, succeeded, failed)
                    VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (deployment, minute, version) DO UPDATE
                    SET succeeded = serving_outcomes.succeeded + EXCLUDED.succeeded,
                        failed = serving_outcomes.failed + EXCLUDED.failed""", rows);
            failing = false;
        } catch (RuntimeException e) {
            drained.forEach(metrics::restore);
            if (!failing) {
                log.warn("Writing request outcomes failed; they are kept for the next flush", e);
                failing = true;
            }
        }
    }

    @Override
    public Map<Integer, Outcomes> counts(String deployment, Instant from, Instant to) {
        Map<Integer, Outcomes> out = new LinkedHashMap<>();
        jdbc.query("""
                SELECT version, sum(succeeded), sum(failed) FROM serving_outcomes
                WHERE deployment = ? AND minute >= ? AND minute < ? GROUP BY version""", rs -> {
            out.put(rs.getInt(1), new Outcomes(rs.getLong(2), rs.getLong(3)));
        }, deployment, Timestamp.from(from.truncatedTo(ChronoUnit.MINUTES)), Timestamp.from(to));
        return out;
    }

    /**
     * Deletes rows older than {@link #RETENTION}, hourly on one replica (ShedLock): they serve the canary guard, which
     * looks back one monitoring window; Prometheus keeps the long history of the same counts.
     */
    @Scheduled(cron = "0 27 * * * *")
    @SchedulerLock(name = "serving.outcomes-retention", lockAtLeastFor = "PT1M", lockAtMostFor = "PT10M")
    public void deleteExpired() {
        jdbc.update("DELETE FROM serving_outcomes WHERE minute < ?", Timestamp.from(clock.instant().minus(RETENTION)));
    }

    @Override
    public void start() {
        running = true;
        flusher.start();
    }

    /** Writes what is left (see the phase). */
    @Override
    public void stop() {
        running = false;
        flusher.stop();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Stops after the web server finished its requests, so their outcomes are written. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 4096;
    }
}
