package io.cairn.tracking;

/** One logged metric point; {@code value} may be NaN or infinite. */
public record Metric(String key, double value, long timestamp, long step) {
}
