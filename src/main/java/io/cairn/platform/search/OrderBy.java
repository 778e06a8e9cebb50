package io.cairn.platform.search;

/** One MLflow order_by term, e.g. {@code metrics.acc DESC}. */
public record OrderBy(Comparison.Entity entity, String key, boolean ascending) {
}
