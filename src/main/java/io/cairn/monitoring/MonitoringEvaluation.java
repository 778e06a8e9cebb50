package io.cairn.monitoring;

import io.cairn.monitoring.Drift.ColumnDrift;
import io.cairn.monitoring.MonitoringSettings.QualityThreshold;
import io.cairn.monitoring.QualityMetrics.Estimate;
import io.cairn.platform.error.CairnException;
import io.cairn.serving.DeploymentCatalog;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import net.javacrumbs.shedlock.spring.annotation.SchedulerLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * The evaluation job: once a window ({@code cairn.monitoring.window}) has closed, stores each deployment's quality
 * per version ({@code quality_history}) and drift per version against its reference ({@code drift_history}), and
 * raises an event ({@link MonitoringEvents}) when a threshold is crossed: the dataset drifts in a window after a
 * window in which it did not, or a version's quality metric goes past the deployment's quality threshold after a
 * window in which it did not. It runs every minute on one replica at a time (ShedLock), and each window is claimed in
 * {@code monitoring_windows} in the transaction that stores its results, so it is evaluated exactly once even when
 * the lock's lease ran out under a slow run. A window is evaluated one minute after it closes (time for the prediction
 * log and the sketches to be written); windows the job missed are caught up, at most {@value #MAX_BACKLOG} back, from
 * the deployment's first prediction in that span (a deployment that has served nothing has no windows).
 * A failure on one deployment is logged and the others go on.
 */
@Component
class MonitoringEvaluation {

    static final String LOCK = "monitoring.evaluate";
    static final int MAX_BACKLOG = 24;
    static final Duration SETTLE = Duration.ofMinutes(1);
    private static final Logger log = LoggerFactory.getLogger(MonitoringEvaluation.class);

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transactions;
    private final DeploymentCatalog deployments;
    private final Performance performance;
    private final Drift drift;
    private final LiveSketches sketches;
    private final MonitoringSettings settings;
    private final MonitoringEvents events;
    private final Clock clock;
    private final Duration window;
    private final JsonMapper json = JsonMapper.builder().build();
    private long lastFailureLoggedNanos;

    MonitoringEvaluation(JdbcTemplate jdbc, TransactionTemplate transactions, DeploymentCatalog deployments,
                         Performance performance, Drift drift, LiveSketches sketches, MonitoringSettings settings,
                         MonitoringEvents events, Clock clock, MonitoringProperties properties) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.deployments = deployments;
        this.performance = performance;
        this.drift = drift;
        this.sketches = sketches;
        this.settings = settings;
        this.events = events;
        this.clock = clock;
        this.window = properties.window();
    }

    @Scheduled(fixedDelay = 60_000, initialDelay = 30_000)
    @SchedulerLock(name = LOCK, lockAtLeastFor = "PT10S", lockAtMostFor = "PT30M")
    public void evaluate() {
        evaluateUntil(clock.instant().minus(SETTLE));
    }

    /** Evaluates every window that closed by {@code until} and has not been evaluated; returns how many it did. */
    int evaluateUntil(Instant until) {
        Instant lastEnd = windowStart(until);
        int evaluated = 0;
        for (String deployment : deployments.names()) {
            try {
                evaluated += evaluateDeployment(deployment, lastEnd);
            } catch (RuntimeException e) {
                long now = System.nanoTime();
                if (lastFailureLoggedNanos == 0 || now - lastFailureLoggedNanos > TimeUnit.MINUTES.toNanos(10)) {
                    lastFailureLoggedNanos = now;
                    log.warn("Evaluating the monitoring windows of deployment {} failed; the next run tries again",
                            deployment, e);
                }
            }
        }
        return evaluated;
    }

    Instant windowStart(Instant t) {
        long size = window.toMillis();
        return Instant.ofEpochMilli(Math.floorDiv(t.toEpochMilli(), size) * size);
    }

    private int evaluateDeployment(String deployment, Instant lastEnd) {
        Instant earliest = lastEnd.minus(window.multipliedBy(MAX_BACKLOG));
        Timestamp latest = jdbc.queryForObject("SELECT max(window_start) FROM monitoring_windows WHERE deployment = ?",
                Timestamp.class, deployment);
        Instant start = latest == null ? earliest : later(earliest, latest.toInstant().plus(window));
        // Windows before the deployment's first prediction since then are not claimed: nothing to evaluate.
        Timestamp first = jdbc.queryForObject("""
                SELECT min(predicted_at) FROM monitored_predictions WHERE deployment = ? AND predicted_at >= ?""",
                Timestamp.class, deployment, Timestamp.from(start));
        if (first == null) {
            return 0;
        }
        start = later(start, windowStart(first.toInstant()));
        int done = 0;
        for (Instant s = start; !s.plus(window).isAfter(lastEnd); s = s.plus(window)) {
            Instant windowStart = s;
            List<Map<String, Object>> raised = transactions.execute(status -> evaluateWindow(deployment, windowStart));
            if (raised != null) {
                done++;
                raised.forEach(events::notify);
            }
        }
        return done;
    }

    private static Instant later(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    /** One window, in one transaction: claims it, stores what it found, raises events; null if already claimed. */
    private List<Map<String, Object>> evaluateWindow(String deployment, Instant start) {
        Instant end = start.plus(window);
        int claimed = jdbc.update("""
                INSERT INTO monitoring_windows (deployment, window_start, window_end, evaluated_at)
                VALUES (?, ?, ?, now()) ON CONFLICT DO NOTHING""", deployment, Timestamp.from(start),
                Timestamp.from(end));
        if (claimed == 0) {
            return null;
        }
        List<Map<String, Object>> raised = new ArrayList<>();
        MonitoringSettings.Settings configured = settings.get(deployment);
        Performance.Report quality = performance.report(new Performance.Query(deployment, start, end, window, null,
                null));
        for (Performance.Window w : quality.windows()) {
            jdbc.update("""
                    INSERT INTO quality_history (deployment, window_start, window_end, version, alias, role, row_count,
                                                 labelled, scored, task, metrics)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS jsonb))""", deployment, Timestamp.from(start),
                    Timestamp.from(end), Integer.parseInt(w.version()), w.alias(), w.role(), w.count(), w.labelled(),
                    w.scored(), w.task(), w.metrics() == null ? null : json.writeValueAsString(w.metrics()));
            QualityThreshold threshold = configured.quality();
            Estimate value = threshold == null || w.metrics() == null ? null : w.metrics().get(threshold.metric());
            if (value != null && threshold.breachedBy(value.value())
                    && !previousQualityBreached(deployment, start, w, threshold)) {
                Map<String, Object> detail = new LinkedHashMap<>();
                detail.put("metric", threshold.metric());
                detail.put("value", value);
                detail.put(threshold.min() != null ? "min" : "max",
                        threshold.min() != null ? threshold.min() : threshold.max());
                detail.put("labelled", w.labelled());
                detail.put("alias", w.alias());
                raised.add(events.raise(new MonitoringEvents.Event(deployment, "quality",
                        Integer.parseInt(w.version()), start, detail)));
            }
        }
        for (int version : sketches.versions(deployment, start, end).keySet()) {
            Drift.Report report;
            try {
                report = drift.report(deployment, start, end, version);
            } catch (CairnException e) {
                continue; // no reference for this version: nothing to compare with
            }
            List<Map<String, Object>> features = new ArrayList<>();
            for (ColumnDrift f : report.features()) {
                Map<String, Object> verdict = new LinkedHashMap<>();
                verdict.put("name", f.name());
                verdict.put("kind", f.kind());
                verdict.put("rule", f.rule());
                verdict.put("drifted", f.drifted());
                verdict.put("psi", f.psi());
                verdict.put("ks_statistic", f.ks_statistic());
                verdict.put("wasserstein", f.wasserstein());
                verdict.put("js_distance", f.js_distance());
                verdict.put("null_share", f.null_share());
                features.add(verdict);
            }
            Boolean before = jdbc.query("""
                    SELECT dataset_drifted FROM drift_history WHERE deployment = ? AND version = ? AND window_start < ?
                    ORDER BY window_start DESC LIMIT 1""", (rs, i) -> rs.getBoolean(1), deployment, version,
                    Timestamp.from(start)).stream().findFirst().orElse(false);
            jdbc.update("""
                    INSERT INTO drift_history (deployment, window_start, window_end, version, training_set_id,
                                               row_count, dataset_drifted, share_drifted, features)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS jsonb))""", deployment, Timestamp.from(start),
                    Timestamp.from(end), version, report.reference().training_set_id(), report.rows(),
                    report.dataset_drifted(), report.share_drifted(), json.writeValueAsString(features));
            if (report.dataset_drifted() && !before) {
                Map<String, Object> detail = new LinkedHashMap<>();
                detail.put("share_drifted", report.share_drifted());
                detail.put("drifted_features", report.features().stream()
                        .filter(f -> Boolean.TRUE.equals(f.drifted())).map(ColumnDrift::name).toList());
                detail.put("training_set", report.reference().name());
                detail.put("rows", report.rows());
                raised.add(events.raise(new MonitoringEvents.Event(deployment, "drift", version, start, detail)));
            }
        }
        return raised;
    }

    private boolean previousQualityBreached(String deployment, Instant start, Performance.Window w,
                                            QualityThreshold threshold) {
        List<Double> previous = jdbc.query("""
                SELECT (metrics -> ? ->> 'value')::double precision FROM quality_history
                WHERE deployment = ? AND version = ? AND alias = ? AND window_start < ?
                ORDER BY window_start DESC LIMIT 1""", (rs, i) -> {
            double v = rs.getDouble(1);
            return rs.wasNull() ? null : v;
        }, threshold.metric(), deployment, Integer.parseInt(w.version()), w.alias(), Timestamp.from(start));
        return !previous.isEmpty() && previous.get(0) != null && threshold.breachedBy(previous.get(0));
    }
}
