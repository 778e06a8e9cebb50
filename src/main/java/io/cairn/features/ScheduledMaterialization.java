package io.cairn.features;

import io.cairn.features.Materialization.Materialized;
import io.cairn.features.store.DefinitionStore;
import io.cairn.features.store.DefinitionStore.DueView;
import io.cairn.features.store.DefinitionStore.ScheduleOutcome;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import net.javacrumbs.shedlock.spring.annotation.SchedulerLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Runs materialize-incremental for every feature view whose schedule is due, on one replica at a time (ShedLock,
 * like monitoring's jobs). A run materializes up to the time it starts and then sets the view's next run from that
 * time, so a replica that was down catches up with one run, not one per missed slot. One view's failure is recorded
 * on the view ({@code scheduled_materialization.last_error}) and logged; the other views go on and the view is tried
 * again at its next time. Every replica reads the outcomes from the database for its gauges, so a scrape of any
 * replica shows the same values:
 * {@code cairn_feature_materialization_runs{feature_view, outcome}} (a counter kept in PostgreSQL, exposed as a gauge),
 * {@code cairn_feature_materialization_last_duration_seconds}, {@code ..._last_rows_written} and
 * {@code ..._last_run_timestamp_seconds}, each by {@code feature_view}.
 */
@Component
class ScheduledMaterialization {

    static final String LOCK = "features.materialize-scheduled";
    private static final Logger log = LoggerFactory.getLogger(ScheduledMaterialization.class);

    private final DefinitionStore store;
    private final Materialization materialization;
    private final Clock clock;
    private final MultiGauge runs;
    private final MultiGauge duration;
    private final MultiGauge rowsWritten;
    private final MultiGauge lastRun;

    ScheduledMaterialization(DefinitionStore store, Materialization materialization, Clock clock,
                             MeterRegistry meters) {
        this.store = store;
        this.materialization = materialization;
        this.clock = clock;
        this.runs = MultiGauge.builder("cairn.feature.materialization.runs")
                .description("Scheduled materializations run per feature view, by outcome").register(meters);
        this.duration = MultiGauge.builder("cairn.feature.materialization.last.duration").baseUnit("seconds")
                .description("How long the latest scheduled materialization of the view took").register(meters);
        this.rowsWritten = MultiGauge.builder("cairn.feature.materialization.last.rows.written")
                .description("Online values the latest scheduled materialization of the view wrote").register(meters);
        this.lastRun = MultiGauge.builder("cairn.feature.materialization.last.run.timestamp").baseUnit("seconds")
                .description("When the latest scheduled materialization of the view started (Unix time)")
                .register(meters);
    }

    @Scheduled(fixedDelayString = "${cairn.features.schedule-poll:15s}", initialDelayString = "20s")
    @SchedulerLock(name = LOCK, lockAtLeastFor = "PT5S", lockAtMostFor = "PT30M")
    public void runDueOnSchedule() {
        try {
            runDue(clock.instant());
        } catch (RuntimeException e) {
            // Reading the due views failed (the database is away): the next poll tries again.
            log.warn("Looking for due feature-view schedules failed; the next poll tries again", e);
        }
    }

    @Scheduled(fixedDelay = 30_000, initialDelay = 5_000)
    void refreshGaugesOnSchedule() {
        try {
            refreshGauges();
        } catch (RuntimeException e) {
            log.warn("Reading the feature-view schedules for the gauges failed; they keep their values", e);
        }
    }

    /** Runs every schedule due at {@code now}; returns the names of the views it ran, in order. */
    List<String> runDue(Instant now) {
        List<String> ran = new ArrayList<>();
        for (DueView due : store.dueViews(now)) {
            runOne(due);
            ran.add(due.name());
        }
        if (!ran.isEmpty()) {
            refreshGauges();
        }
        return ran;
    }

    private void runOne(DueView due) {
        Instant started = clock.instant();
        long t0 = System.nanoTime();
        Long entities = null;
        Long written = null;
        String error = null;
        try {
            Materialized done = materialization.materializeOnSchedule(due.name(), started);
            entities = done.entities();
            written = done.written();
        } catch (RuntimeException e) {
            error = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            log.warn("Scheduled materialization of feature view {} failed; it runs again at its next time",
                    due.name(), e);
        }
        long durationMs = (System.nanoTime() - t0) / 1_000_000;
        Instant next;
        try {
            next = MaterializationSchedule.parse(due.schedule()).nextAfter(started);
        } catch (RuntimeException e) {
            // Only a schedule stored by an older, laxer version could fail here: try again in an hour, say why.
            next = started.plusSeconds(3600);
            error = (error == null ? "" : error + "; ") + e.getMessage();
        }
        try {
            store.recordScheduledRun(due.viewId(), due.schedule(), started, durationMs, entities, written,
                    error, next);
        } catch (RuntimeException e) {
            // The view may have been deleted meanwhile (its schedule row went with it); nothing to record then.
            log.warn("Recording the scheduled materialization of feature view {} failed", due.name(), e);
        }
    }

    void refreshGauges() {
        List<MultiGauge.Row<?>> runRows = new ArrayList<>();
        List<MultiGauge.Row<?>> durationRows = new ArrayList<>();
        List<MultiGauge.Row<?>> rowsRows = new ArrayList<>();
        List<MultiGauge.Row<?>> lastRunRows = new ArrayList<>();
        for (ScheduleOutcome o : store.scheduleOutcomes()) {
            Tags view = Tags.of("feature_view", o.view());
            runRows.add(MultiGauge.Row.of(view.and("outcome", "success"), o.runs() - o.failures()));
            runRows.add(MultiGauge.Row.of(view.and("outcome", "failure"), o.failures()));
            if (o.lastStartedAt() != null) {
                durationRows.add(MultiGauge.Row.of(view, o.lastDurationMs() == null ? 0 : o.lastDurationMs() / 1000.0));
                rowsRows.add(MultiGauge.Row.of(view, o.lastRowsWritten() == null ? 0 : o.lastRowsWritten()));
                lastRunRows.add(MultiGauge.Row.of(view, o.lastStartedAt().toEpochMilli() / 1000.0));
            }
        }
        runs.register(runRows, true);
        duration.register(durationRows, true);
        rowsWritten.register(rowsRows, true);
        lastRun.register(lastRunRows, true);
    }
}
