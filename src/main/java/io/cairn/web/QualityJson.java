package io.cairn.web;

import java.util.List;

/**
 * One quality metric over time for the chart: window starts (epoch seconds) and, per version (and segment), the
 * estimate with its 95% confidence interval; null where the window had no scored rows.
 */
public record QualityJson(String metric, long[] x, List<Line> lines) {

    /** One version's (and segment's) line with its band. */
    public record Line(String label, Double[] value, Double[] low, Double[] high) {
    }
}
