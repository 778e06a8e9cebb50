package io.cairn.monitoring;

import io.cairn.monitoring.QualityMetrics.Estimate;
import io.cairn.platform.error.CairnException;
import io.cairn.registry.ModelRegistry;
import io.cairn.serving.CanaryGuard;
import io.cairn.serving.DeploymentCatalog;
import io.cairn.serving.ServingOutcomes;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import net.javacrumbs.shedlock.spring.annotation.SchedulerLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Judges guarded canaries every 30 seconds, on one replica at a time (ShedLock): over the last monitoring window
 * ({@code cairn.monitoring.window}), the canary's version against the champion's on the guard's metric
 * ({@link CanaryGuard}). It is pulled back (share 0, audited by serving with the evidence, and an event
 * {@code canary_guard}) when the lower end of the 95% confidence interval of its degradation is above the guard's
 * margin, so noise alone does not pull a good canary back. The interval of a difference comes from the two versions'
 * own intervals by Zou and Donner's MOVER method (Newcombe's for two Wilson intervals): error rate and proportions
 * from Wilson intervals, other quality metrics from their bootstrap intervals, p99 latency from distribution-free
 * order-statistic intervals (the margin then relative: canary p99 above champion p99 × (1 + margin)).
 */
@Component
class CanaryGuardian {

    static final String LOCK = "monitoring.canary-guard";
    private static final Logger log = LoggerFactory.getLogger(CanaryGuardian.class);

    /** What the guard found for one deployment: whether it pulled the canary back, and why. */
    record Decision(String deployment, boolean pulledBack, Map<String, Object> evidence) {
    }

    private final DeploymentCatalog deployments;
    private final ModelRegistry registry;
    private final ServingOutcomes outcomes;
    private final Performance performance;
    private final MonitoringEvents events;
    private final JdbcTemplate jdbc;
    private final Clock clock;
    private final Duration window;
    private long lastFailureLoggedNanos;

    CanaryGuardian(DeploymentCatalog deployments, ModelRegistry registry, ServingOutcomes outcomes,
                   Performance performance, MonitoringEvents events, JdbcTemplate jdbc, Clock clock,
                   MonitoringProperties properties) {
        this.deployments = deployments;
        this.registry = registry;
        this.outcomes = outcomes;
        this.performance = performance;
        this.events = events;
        this.jdbc = jdbc;
        this.clock = clock;
        this.window = properties.window();
    }

    @Scheduled(fixedDelay = 30_000, initialDelay = 20_000)
    @SchedulerLock(name = LOCK, lockAtLeastFor = "PT5S", lockAtMostFor = "PT10M")
    public void check() {
        checkAll(clock.instant());
    }

    /** Judges every guarded canary with a share; returns the decisions made (a skipped one is not listed). */
    List<Decision> checkAll(Instant now) {
        List<Decision> decisions = new ArrayList<>();
        for (String name : deployments.names()) {
            try {
                judge(name, now).ifPresent(decisions::add);
            } catch (RuntimeException e) {
                long t = System.nanoTime();
                if (lastFailureLoggedNanos == 0 || t - lastFailureLoggedNanos > TimeUnit.MINUTES.toNanos(10)) {
                    lastFailureLoggedNanos = t;
                    log.warn("Judging the canary of deployment {} failed; the next run tries again", name, e);
                }
            }
        }
        return decisions;
    }

    private Optional<Decision> judge(String name, Instant now) {
        Optional<DeploymentCatalog.Routing> found = deployments.routing(name);
        if (found.isEmpty() || found.get().canaryGuard() == null || found.get().canaryPercent() == 0) {
            return Optional.empty();
        }
        DeploymentCatalog.Routing routing = found.get();
        CanaryGuard guard = routing.canaryGuard();
        int champion;
        int canary;
        try {
            champion = registry.byAlias(routing.model(), routing.alias()).version();
            canary = registry.byAlias(routing.model(), routing.canaryAlias()).version();
        } catch (CairnException e) {
            return Optional.empty(); // an alias was removed: serving reports that; nothing to compare
        }
        if (champion == canary) {
            return Optional.empty();
        }
        Instant from = now.minus(window);
        Comparison c = switch (guard.metric()) {
            case CanaryGuard.ERROR_RATE -> errorRate(name, from, now, champion, canary);
            case CanaryGuard.P99_LATENCY -> p99(name, from, now, champion, canary, guard.maxDegradation());
            default -> quality(name, from, now, champion, canary, guard.metric());
        };
        if (c == null || c.canarySamples() < guard.minSamples()) {
            return Optional.empty();
        }
        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("metric", guard.metric());
        evidence.put("from", from);
        evidence.put("to", now);
        evidence.put("champion", Map.of("alias", routing.alias(), "version", Integer.toString(champion),
                "estimate", c.champion(), "samples", c.championSamples()));
        evidence.put("canary", Map.of("alias", routing.canaryAlias(), "version", Integer.toString(canary),
                "estimate", c.canary(), "samples", c.canarySamples()));
        evidence.put("degradation", c.degradation());
        evidence.put("degradation_ci_low", c.degradationLow());
        evidence.put("max_degradation", guard.maxDegradation());
        evidence.put("min_samples", guard.minSamples());
        if (!(c.degradationLow() > guard.maxDegradation())) {
            return Optional.of(new Decision(name, false, evidence));
        }
        boolean pulled = deployments.pullBackCanary(name, routing.canaryAlias(), evidence);
        if (pulled) {
            events.notify(events.raise(new MonitoringEvents.Event(name, "canary_guard", canary, null, evidence)));
            log.info("Deployment {}: canary {} (version {}) pulled back: {} degraded by at least {} (margin {})", name,
                    routing.canaryAlias(), canary, guard.metric(), c.degradationLow(), guard.maxDegradation());
        }
        return Optional.of(new Decision(name, pulled, evidence));
    }

    /**
     * The two versions' estimates, the canary's degradation (how much worse, in the metric's bad direction) and the
     * lower end of its 95% interval.
     */
    record Comparison(Estimate champion, long championSamples, Estimate canary, long canarySamples,
                      double degradation, double degradationLow) {
    }

    private Comparison errorRate(String name, Instant from, Instant to, int champion, int canary) {
        Map<Integer, ServingOutcomes.Outcomes> counts = outcomes.counts(name, from, to);
        ServingOutcomes.Outcomes p = counts.get(champion);
        ServingOutcomes.Outcomes c = counts.get(canary);
        if (p == null || c == null || p.total() == 0 || c.total() == 0) {
            return null;
        }
        Estimate pe = QualityMetrics.wilson(p.failed(), p.total());
        Estimate ce = QualityMetrics.wilson(c.failed(), c.total());
        return worseWhenHigher(pe, p.total(), ce, c.total());
    }

    private Comparison quality(String name, Instant from, Instant to, int champion, int canary, String metric) {
        Duration span = Duration.between(from, to);
        Performance.Report report = performance.report(new Performance.Query(name, from, to,
                span.compareTo(Performance.MIN_WINDOW) < 0 ? Performance.MIN_WINDOW : span, null, null));
        // One window spans the whole range, so each version under its role is one entry.
        Performance.Window p = null;
        Performance.Window c = null;
        for (Performance.Window w : report.windows()) {
            int v = Integer.parseInt(w.version());
            if (v == champion && "champion".equals(w.role())) {
                p = w;
            } else if (v == canary && "canary".equals(w.role())) {
                c = w;
            }
        }
        if (p == null || c == null || p.metrics() == null || c.metrics() == null
                || !p.metrics().containsKey(metric) || !c.metrics().containsKey(metric)) {
            return null;
        }
        Estimate pe = p.metrics().get(metric);
        Estimate ce = c.metrics().get(metric);
        return CanaryGuard.LOWER_IS_BETTER.contains(metric) ? worseWhenHigher(pe, p.scored(), ce, c.scored())
                : worseWhenLower(pe, p.scored(), ce, c.scored());
    }

    /** MOVER: the canary's excess over the champion, lower bound from the two intervals. */
    static Comparison worseWhenHigher(Estimate champion, long nChampion, Estimate canary, long nCanary) {
        double d = canary.value() - champion.value();
        double low = d - Math.sqrt(square(canary.value() - canary.ci_low()) + square(champion.ci_high()
                - champion.value()));
        return new Comparison(champion, nChampion, canary, nCanary, d, low);
    }

    /** MOVER: the champion's excess over the canary (for metrics higher of which is better). */
    static Comparison worseWhenLower(Estimate champion, long nChampion, Estimate canary, long nCanary) {
        double d = champion.value() - canary.value();
        double low = d - Math.sqrt(square(champion.value() - champion.ci_low()) + square(canary.ci_high()
                - canary.value()));
        return new Comparison(champion, nChampion, canary, nCanary, d, low);
    }

    private static double square(double x) {
        return x * x;
    }

    private Comparison p99(String name, Instant from, Instant to, int champion, int canary, double margin) {
        Estimate p = latencyP99(name, champion, from, to);
        Estimate c = latencyP99(name, canary, from, to);
        if (p == null || c == null) {
            return null;
        }
        // Relative: the canary's p99 over the champion's, minus 1; its lower bound from the interval ends.
        double d = c.value() / p.value() - 1;
        double low = c.ci_low() / p.ci_high() - 1;
        long nChampion = latencyCount(name, champion, from, to);
        long nCanary = latencyCount(name, canary, from, to);
        return new Comparison(p, nChampion, c, nCanary, d, low);
    }

    private long latencyCount(String name, int version, Instant from, Instant to) {
        Long n = jdbc.queryForObject("""
                SELECT count(*) FROM monitored_predictions
                WHERE deployment = ? AND version = ? AND predicted_at >= ? AND predicted_at < ?""", Long.class, name,
                version, Timestamp.from(from), Timestamp.from(to));
        return n == null ? 0 : n;
    }

    /**
     * The p99 of a version's request latencies with a distribution-free 95% interval: the order statistics at ranks
     * n·0.99 ∓ 1.96·√(n·0.99·0.01), from the binomial distribution of the count below the true p99.
     */
    private Estimate latencyP99(String name, int version, Instant from, Instant to) {
        long n = latencyCount(name, version, from, to);
        if (n == 0) {
            return null;
        }
        double spread = QualityMetrics.Z95 * Math.sqrt(n * 0.99 * 0.01);
        double low = Math.max(0, Math.floor(n * 0.99 - spread)) / n;
        double high = Math.min(n, Math.ceil(n * 0.99 + spread)) / n;
        return jdbc.queryForObject("""
                SELECT percentile_disc(?) WITHIN GROUP (ORDER BY latency_ms),
                       percentile_disc(?) WITHIN GROUP (ORDER BY latency_ms),
                       percentile_disc(0.99) WITHIN GROUP (ORDER BY latency_ms)
                FROM monitored_predictions
                WHERE deployment = ? AND version = ? AND predicted_at >= ? AND predicted_at < ?""",
                (rs, i) -> new Estimate(rs.getDouble(3), rs.getDouble(1), rs.getDouble(2)), low, high, name, version,
                Timestamp.from(from), Timestamp.from(to));
    }
}
