package io.cairn.serving;

import java.util.List;

/**
 * A canary's guard, part of its deployment's definition: when the canary is worse than the champion on
 * {@code metric} by more than {@code max_degradation}, with 95% confidence, once it has at least {@code min_samples}
 * (requests, or labelled rows for a quality metric), monitoring pulls its share down to 0. Metrics:
 * {@code error_rate} (share of requests that failed on the server; absolute margin), {@code p99_latency_ms} (relative
 * margin: 0.2 allows a p99 20% above the champion's) or a live quality metric ({@link #QUALITY_METRICS}; absolute
 * margin, in the metric's direction).
 */
public record CanaryGuard(String metric, double maxDegradation, int minSamples) {

    public static final String ERROR_RATE = "error_rate";
    public static final String P99_LATENCY = "p99_latency_ms";
    /** Quality metrics higher of which is better. */
    public static final List<String> HIGHER_IS_BETTER = List.of("accuracy", "precision", "recall", "f1", "roc_auc",
            "macro_f1", "r2");
    /** Quality metrics lower of which is better (errors). */
    public static final List<String> LOWER_IS_BETTER = List.of("log_loss", "mae", "rmse", "mape");
    public static final List<String> QUALITY_METRICS = List.of("accuracy", "precision", "recall", "f1", "roc_auc",
            "log_loss", "macro_f1", "mae", "rmse", "mape", "r2");
    public static final int DEFAULT_MIN_SAMPLES = 500;

    /** Whether the metric is one of monitoring's quality metrics (so it needs labels). */
    public boolean onQuality() {
        return QUALITY_METRICS.contains(metric);
    }
}
