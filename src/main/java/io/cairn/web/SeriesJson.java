package io.cairn.web;

/**
 * A metric chart's data: parallel arrays of steps and values (null where the value is not finite, a gap in the
 * line), {@code total} points in the requested range of which these are at most {@code RunPages.MAX_POINTS}.
 */
public record SeriesJson(String key, long[] steps, Double[] values, int total, boolean downsampled) {

    static SeriesJson of(io.cairn.tracking.RunBrowsing.Series series, int maxPoints) {
        int[] kept = Lttb.select(series.steps(), series.values(), maxPoints);
        long[] steps = new long[kept.length];
        Double[] values = new Double[kept.length];
        for (int i = 0; i < kept.length; i++) {
            steps[i] = series.steps()[kept[i]];
            double v = series.values()[kept[i]];
            values[i] = Double.isFinite(v) ? v : null;
        }
        return new SeriesJson(series.key(), steps, values, series.size(), kept.length < series.size());
    }
}
