package io.cairn.monitoring;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.commons.math3.distribution.ChiSquaredDistribution;
import org.apache.commons.math3.stat.inference.KolmogorovSmirnovTest;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.datasketches.quantilescommon.QuantileSearchCriteria;

/**
 * Drift of one column: its current values against its reference, both as {@link ColumnSketch}es.
 * <ul>
 *   <li>numeric: population stability index over 10 quantile bins of the reference ({@code (-inf, q1], ..., (q9,
 *       inf)}, empty bins counted as {@value #EPSILON}), the two-sample Kolmogorov–Smirnov statistic and p-value
 *       (exact below 10,000 pairs of rows, asymptotic above, as Commons Math computes them), and the Wasserstein-1
 *       distance divided by the reference's standard deviation (Evidently's normalisation, at least 0.001);
 *   <li>categorical: PSI over the categories, the chi-square goodness-of-fit p-value of the current counts against
 *       the reference's proportions (0 when a category the reference never had appears), and the Jensen–Shannon
 *       distance (natural logarithm, as SciPy's {@code jensenshannon}).
 * </ul>
 * On sketches, ranks carry the KLL sketch's error, so the KS statistic is within about 0.01 of the exact one and PSI
 * within 0.02 ({@code DriftStatisticsTest} checks this against exact computation).
 */
public final class DriftStatistics {

    static final double EPSILON = 0.0001;
    static final int BINS = 10;
    private static final QuantileSearchCriteria INCLUSIVE = QuantileSearchCriteria.INCLUSIVE;
    private static final KolmogorovSmirnovTest KS = new KolmogorovSmirnovTest();

    /** A histogram: numeric bins ({@code edges}, one more than counts) or categories. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Histogram(List<Double> edges, List<String> categories, List<Long> counts) {
    }

    /** The statistics of one column; those that do not apply to its kind are null. */
    record Statistics(String kind, Double psi, Double ksStatistic, Double ksPValue, Double wasserstein,
                      Double jsDistance, Double chi2PValue, double nullShare, long referenceRows, long currentRows,
                      Histogram reference, Histogram current) {
    }

    private DriftStatistics() {
    }

    static Statistics numeric(ColumnSketch reference, ColumnSketch current) {
        KllDoublesSketch r = reference.numbers();
        KllDoublesSketch c = current.numbers();
        long n = reference.numberCount();
        long m = current.numberCount();
        double nullShare = nullShare(current);
        if (n == 0 || m == 0) {
            return new Statistics("numeric", null, null, null, null, null, null, nullShare, n, m, null, null);
        }
        double[] edges = innerEdges(r);
        double[] refShares = shares(r.getCDF(edges, INCLUSIVE));
        double[] curShares = shares(c.getCDF(edges, INCLUSIVE));
        double psi = psi(refShares, curShares);

        // KS and Wasserstein on the step functions of both CDFs, evaluated at every item either sketch retains.
        double[] points = union(r.getSortedView().getQuantiles(), c.getSortedView().getQuantiles());
        double[] rr = r.getRanks(points, INCLUSIVE);
        double[] cr = c.getRanks(points, INCLUSIVE);
        double d = 0;
        double area = 0;
        for (int i = 0; i < points.length; i++) {
            double gap = Math.abs(rr[i] - cr[i]);
            d = Math.max(d, gap);
            if (i + 1 < points.length) {
                area += gap * (points[i + 1] - points[i]);
            }
        }
        double wasserstein = area / Math.max(reference.standardDeviation(), 0.001);
        double p = ksPValue(d, n, m);

        double[] histogramEdges = new double[edges.length + 2];
        histogramEdges[0] = Math.min(r.getMinItem(), c.getMinItem());
        System.arraycopy(edges, 0, histogramEdges, 1, edges.length);
        histogramEdges[histogramEdges.length - 1] = Math.max(r.getMaxItem(), c.getMaxItem());
        return new Statistics("numeric", psi, d, p, wasserstein, null, null, nullShare, n, m,
                new Histogram(boxed(histogramEdges), null, counts(refShares, n)),
                new Histogram(boxed(histogramEdges), null, counts(curShares, m)));
    }

    /** Categorical drift over category counts (reference and current, by category). */
    static Statistics categorical(Map<String, Long> reference, Map<String, Long> current, ColumnSketch currentSketch) {
        TreeSet<String> all = new TreeSet<>(reference.keySet());
        all.addAll(current.keySet());
        List<String> categories = new ArrayList<>(all);
        long n = reference.values().stream().mapToLong(Long::longValue).sum();
        long m = current.values().stream().mapToLong(Long::longValue).sum();
        double nullShare = nullShare(currentSketch);
        if (n == 0 || m == 0) {
            return new Statistics("categorical", null, null, null, null, null, null, nullShare, n, m, null, null);
        }
        int k = categories.size();
        double[] p = new double[k];
        double[] q = new double[k];
        List<Long> refCounts = new ArrayList<>(k);
        List<Long> curCounts = new ArrayList<>(k);
        for (int i = 0; i < k; i++) {
            long rc = reference.getOrDefault(categories.get(i), 0L);
            long cc = current.getOrDefault(categories.get(i), 0L);
            refCounts.add(rc);
            curCounts.add(cc);
            p[i] = rc / (double) n;
            q[i] = cc / (double) m;
        }
        double chi2 = 0;
        boolean unseen = false;
        for (int i = 0; i < k; i++) {
            double expected = p[i] * m;
            if (expected == 0) {
                unseen |= q[i] > 0;
                continue;
            }
            double o = q[i] * m;
            chi2 += (o - expected) * (o - expected) / expected;
        }
        double chi2P;
        if (unseen) {
            chi2P = 0;
        } else if (k < 2) {
            chi2P = 1;
        } else {
            chi2P = 1 - new ChiSquaredDistribution(null, k - 1).cumulativeProbability(chi2);
        }
        return new Statistics("categorical", psi(p, q), null, null, null, jensenShannon(p, q), chi2P, nullShare, n,
                m, new Histogram(null, categories, refCounts), new Histogram(null, categories, curCounts));
    }

    /** The two-sample KS p-value: exact when n·m is below 10,000 (as Commons Math's own test decides), else asymptotic. */
    static double ksPValue(double d, long n, long m) {
        if (d <= 0) {
            return 1;
        }
        int ni = (int) Math.min(Integer.MAX_VALUE, n);
        int mi = (int) Math.min(Integer.MAX_VALUE, m);
        if ((double) n * m < 10_000) {
            return KS.exactP(d, ni, mi, true);
        }
        return KS.approximateP(d, ni, mi);
    }

    /** The reference's decile edges, without repeats (a value heavy enough to span two deciles is one edge). */
    static double[] innerEdges(KllDoublesSketch reference) {
        double[] ranks = new double[BINS - 1];
        for (int i = 1; i < BINS; i++) {
            ranks[i - 1] = i / (double) BINS;
        }
        return Arrays.stream(reference.getQuantiles(ranks, INCLUSIVE)).distinct().sorted().toArray();
    }

    /** Bin shares from a CDF at the inner edges (whose last element, 1, closes the last bin). */
    static double[] shares(double[] cdf) {
        double[] shares = new double[cdf.length];
        double before = 0;
        for (int i = 0; i < cdf.length; i++) {
            shares[i] = Math.max(0, cdf[i] - before);
            before = cdf[i];
        }
        return shares;
    }

    /** PSI = Σ (q - p) · ln(q / p), with empty bins counted as {@value #EPSILON}. */
    static double psi(double[] reference, double[] current) {
        double psi = 0;
        for (int i = 0; i < reference.length; i++) {
            double p = Math.max(reference[i], EPSILON);
            double q = Math.max(current[i], EPSILON);
            psi += (q - p) * Math.log(q / p);
        }
        return psi;
    }

    static double jensenShannon(double[] p, double[] q) {
        double divergence = 0;
        for (int i = 0; i < p.length; i++) {
            double mid = (p[i] + q[i]) / 2;
            if (p[i] > 0) {
                divergence += p[i] * Math.log(p[i] / mid);
            }
            if (q[i] > 0) {
                divergence += q[i] * Math.log(q[i] / mid);
            }
        }
        return Math.sqrt(Math.max(0, divergence / 2));
    }

    private static double nullShare(ColumnSketch current) {
        long total = current.count();
        return total == 0 ? 0 : current.nulls() / (double) total;
    }

    private static double[] union(double[] a, double[] b) {
        double[] all = new double[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return Arrays.stream(all).sorted().distinct().toArray();
    }

    private static List<Long> counts(double[] shares, long total) {
        List<Long> counts = new ArrayList<>(shares.length);
        for (double s : shares) {
            counts.add(Math.round(s * total));
        }
        return counts;
    }

    private static List<Double> boxed(double[] values) {
        return Arrays.stream(values).boxed().toList();
    }

    /** Category counts of a column: its text's frequent items, or its integer codes' counts. */
    static Map<String, Long> categoryCounts(ColumnSketch column) {
        Map<String, Long> counts = new LinkedHashMap<>();
        if (column.textual()) {
            column.categories().forEach(e -> counts.put(e.getKey(), e.getValue()));
            return counts;
        }
        Map<Double, Long> exact = column.exactCounts();
        if (exact != null) {
            exact.forEach((v, c) -> counts.put(LabelText.of(v), c));
            return counts;
        }
        // More distinct codes than the exact map keeps: count each retained value's weight from the KLL sketch.
        KllDoublesSketch numbers = column.numbers();
        if (numbers == null) {
            return counts;
        }
        double[] values = Arrays.stream(numbers.getSortedView().getQuantiles()).distinct().toArray();
        long n = numbers.getN();
        for (double v : values) {
            double share = numbers.getRank(v, INCLUSIVE) - numbers.getRank(v, QuantileSearchCriteria.EXCLUSIVE);
            counts.merge(LabelText.of(v), Math.round(share * n), Long::sum);
        }
        return counts;
    }

}
