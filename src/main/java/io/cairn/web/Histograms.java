package io.cairn.web;

import io.cairn.monitoring.DriftStatistics;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A drift histogram as SVG bars: each bin's share of rows, so a training set and a live window compare by shape. */
public final class Histograms {

    public static final int WIDTH = 320;
    public static final int HEIGHT = 140;
    private static final int AXIS = 16;

    private Histograms() {
    }

    /** One bin: position, size, its label (range or category) and its share as text. */
    public record Bar(double x, double y, double width, double height, String label, String share) {
    }

    public static List<Bar> bars(DriftStatistics.Histogram histogram) {
        List<Bar> bars = new ArrayList<>();
        if (histogram == null || histogram.counts() == null || histogram.counts().isEmpty()) {
            return bars;
        }
        List<Long> counts = histogram.counts();
        long total = counts.stream().mapToLong(Long::longValue).sum();
        if (total == 0) {
            return bars;
        }
        double max = counts.stream().mapToLong(Long::longValue).max().orElse(1) / (double) total;
        double width = (double) WIDTH / counts.size();
        for (int i = 0; i < counts.size(); i++) {
            double share = counts.get(i) / (double) total;
            double h = (HEIGHT - AXIS) * share / max;
            bars.add(new Bar(i * width + 1, HEIGHT - AXIS - h, Math.max(1, width - 2), h, label(histogram, i),
                    String.format(Locale.ROOT, "%.1f %%", share * 100)));
        }
        return bars;
    }

    private static String label(DriftStatistics.Histogram h, int i) {
        if (h.categories() != null && i < h.categories().size()) {
            return h.categories().get(i);
        }
        if (h.edges() != null && i + 1 < h.edges().size()) {
            return Format.number(h.edges().get(i)) + " – " + Format.number(h.edges().get(i + 1));
        }
        return "bin " + (i + 1);
    }

    public static String at(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }
}
