package io.cairn.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.apache.commons.math3.distribution.ChiSquaredDistribution;
import org.apache.commons.math3.stat.inference.KolmogorovSmirnovTest;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/**
 * Drift statistics on sketches against the exact statistics of the same data, computed here from sorted arrays: the
 * KS statistic within 0.01 and PSI within 0.02 (the tolerances), over many random data sets since KLL
 * compaction is itself random; below the sketch's size everything is exact, p-values included.
 */
class DriftStatisticsTest {

    private static ColumnSketch sketch(double[] values) {
        ColumnSketch s = new ColumnSketch();
        for (double v : values) {
            s.addNumber(v);
        }
        return s;
    }

    /** A sketch built as the server builds live ones: many small bucket sketches, stored and merged. */
    private static ColumnSketch merged(double[] values, int parts) {
        ColumnSketch total = new ColumnSketch();
        int size = values.length / parts;
        for (int p = 0; p < parts; p++) {
            int end = p == parts - 1 ? values.length : (p + 1) * size;
            ColumnSketch part = sketch(Arrays.copyOfRange(values, p * size, end));
            total.merge(ColumnSketch.fromBytes(part.toBytes()));
        }
        return total;
    }

    /** A sketch built as the server builds a training set's: one pass, at the reference's k, stored and read back. */
    private static ColumnSketch reference(double[] values) {
        ColumnSketch s = new ColumnSketch(ColumnSketch.REFERENCE_K);
        for (double v : values) {
            s.addNumber(v);
        }
        return ColumnSketch.fromBytes(s.toBytes());
    }

    /** The exact two-sample KS statistic, from the two sorted samples. */
    static double exactKs(double[] a, double[] b) {
        double[] x = a.clone();
        double[] y = b.clone();
        Arrays.sort(x);
        Arrays.sort(y);
        int i = 0;
        int j = 0;
        double d = 0;
        while (i < x.length && j < y.length) {
            double v = Math.min(x[i], y[j]);
            while (i < x.length && x[i] == v) {
                i++;
            }
            while (j < y.length && y[j] == v) {
                j++;
            }
            d = Math.max(d, Math.abs(i / (double) x.length - j / (double) y.length));
        }
        return d;
    }

    /** PSI over the reference's exact decile bins (-inf, q1], ..., (q9, inf), q_i the smallest value of rank ≥ i/10. */
    static double exactPsi(double[] reference, double[] current) {
        double[] r = reference.clone();
        Arrays.sort(r);
        double[] edges = new double[9];
        for (int i = 1; i < 10; i++) {
            edges[i - 1] = r[(int) Math.ceil(i / 10.0 * r.length) - 1];
        }
        edges = Arrays.stream(edges).distinct().toArray();
        double[] p = binShares(reference, edges);
        double[] q = binShares(current, edges);
        double psi = 0;
        for (int i = 0; i < p.length; i++) {
            double a = Math.max(p[i], 0.0001);
            double b = Math.max(q[i], 0.0001);
            psi += (b - a) * Math.log(b / a);
        }
        return psi;
    }

    private static double[] binShares(double[] values, double[] edges) {
        double[] shares = new double[edges.length + 1];
        for (double v : values) {
            int bin = 0;
            while (bin < edges.length && v > edges[bin]) {
                bin++;
            }
            shares[bin] += 1.0 / values.length;
        }
        return shares;
    }

    @RepeatedTest(20)
    void ksAndPsiOnSketchesStayWithinTheirTolerancesOfTheExactValues() {
        Random random = new Random();
        double shift = random.nextDouble();
        double[] reference = random.doubles(50_000).map(u -> random.nextGaussian()).toArray();
        double[] current = random.doubles(30_000).map(u -> random.nextGaussian() * (1 + shift / 2) + shift).toArray();
        DriftStatistics.Statistics s = DriftStatistics.numeric(reference(reference), merged(current, 96));
        assertThat(s.ksStatistic()).isCloseTo(exactKs(reference, current), within(0.01));
        assertThat(s.psi()).isCloseTo(exactPsi(reference, current), within(0.02));
        assertThat(s.referenceRows()).isEqualTo(50_000);
        assertThat(s.currentRows()).isEqualTo(30_000);
    }

    @RepeatedTest(5)
    void aSmallReferenceAgainstALittleTrafficStaysWithinTheTolerancesToo() {
        Random random = new Random();
        double shift = random.nextDouble();
        double[] reference = random.doubles(2000).map(u -> random.nextGaussian()).toArray();
        double[] current = random.doubles(1500).map(u -> random.nextGaussian() + shift).toArray();
        DriftStatistics.Statistics s = DriftStatistics.numeric(reference(reference), merged(current, 1));
        assertThat(s.ksStatistic()).isCloseTo(exactKs(reference, current), within(0.01));
        assertThat(s.psi()).isCloseTo(exactPsi(reference, current), within(0.02));
    }

    @Test
    void belowTheSketchSizeEverythingIsExactIncludingTheKsPValue() {
        Random random = new Random(3);
        double[] reference = random.doubles(300).map(u -> random.nextGaussian()).toArray();
        double[] current = random.doubles(30).map(u -> random.nextGaussian() + 0.4).toArray();
        DriftStatistics.Statistics s = DriftStatistics.numeric(sketch(reference), sketch(current));
        assertThat(s.ksStatistic()).isCloseTo(exactKs(reference, current), within(1e-12));
        assertThat(s.psi()).isCloseTo(exactPsi(reference, current), within(1e-12));
        // Commons Math's own two-sample test on the raw values: 9,000 pairs, so the exact p-value.
        assertThat(s.ksPValue()).isCloseTo(new KolmogorovSmirnovTest().kolmogorovSmirnovTest(reference, current),
                within(1e-9));
        // Wasserstein-1 of the two empirical distributions over the reference's population standard deviation.
        assertThat(s.wasserstein()).isCloseTo(exactWasserstein(reference, current) / std(reference), within(1e-9));
        assertThat(s.reference().counts().stream().mapToLong(Long::longValue).sum()).isEqualTo(300);
        assertThat(s.current().edges()).hasSize(11);
    }

    @Test
    void anUnshiftedFeatureIsNotFarFromItsReference() {
        Random random = new Random(5);
        double[] reference = random.doubles(20_000).map(u -> random.nextGaussian()).toArray();
        double[] same = random.doubles(20_000).map(u -> random.nextGaussian()).toArray();
        DriftStatistics.Statistics s = DriftStatistics.numeric(reference(reference), merged(same, 4));
        assertThat(s.wasserstein()).isLessThan(0.05);
        assertThat(s.psi()).isLessThan(0.01);
        assertThat(s.ksPValue()).isGreaterThan(0.01);
    }

    private static double exactWasserstein(double[] a, double[] b) {
        double[] all = new double[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        Arrays.sort(all);
        double area = 0;
        for (int i = 0; i + 1 < all.length; i++) {
            double x = all[i];
            double fa = Arrays.stream(a).filter(v -> v <= x).count() / (double) a.length;
            double fb = Arrays.stream(b).filter(v -> v <= x).count() / (double) b.length;
            area += Math.abs(fa - fb) * (all[i + 1] - all[i]);
        }
        return area;
    }

    private static double std(double[] values) {
        double mean = Arrays.stream(values).average().orElseThrow();
        return Math.sqrt(Arrays.stream(values).map(v -> (v - mean) * (v - mean)).sum() / values.length);
    }

    @Test
    void categoricalStatisticsEqualTheExactOnes() {
        Map<String, Long> reference = new LinkedHashMap<>(Map.of("a", 500L, "b", 300L, "c", 200L));
        Map<String, Long> current = new LinkedHashMap<>(Map.of("a", 40L, "b", 30L, "c", 30L));
        DriftStatistics.Statistics s = DriftStatistics.categorical(reference, current, new ColumnSketch());
        double[] p = {0.5, 0.3, 0.2};
        double[] q = {0.4, 0.3, 0.3};
        double chi2 = Math.pow(40 - 50, 2) / 50 + 0 + Math.pow(30 - 20, 2) / 20;
        assertThat(s.chi2PValue()).isCloseTo(1 - new ChiSquaredDistribution(2).cumulativeProbability(chi2),
                within(1e-12));
        double psi = 0;
        double js = 0;
        for (int i = 0; i < 3; i++) {
            psi += (q[i] - p[i]) * Math.log(q[i] / p[i]);
            double m = (p[i] + q[i]) / 2;
            js += p[i] * Math.log(p[i] / m) + q[i] * Math.log(q[i] / m);
        }
        assertThat(s.psi()).isCloseTo(psi, within(1e-12));
        assertThat(s.jsDistance()).isCloseTo(Math.sqrt(js / 2), within(1e-12));
        assertThat(s.current().categories()).containsExactly("a", "b", "c");
        // A category the reference never had: chi-square cannot expect it, so it is drift outright.
        current.put("new", 5L);
        assertThat(DriftStatistics.categorical(reference, current, new ColumnSketch()).chi2PValue()).isZero();
    }

    @Test
    void sketchesSurviveTheirBytesAndKeepExactCountsOfFewCodes() {
        ColumnSketch s = new ColumnSketch();
        for (int i = 0; i < 1000; i++) {
            s.addNumber(i % 3);
        }
        s.addNull();
        s.addText("x");
        ColumnSketch back = ColumnSketch.fromBytes(s.toBytes());
        assertThat(back.exactCounts()).containsEntry(0.0, 334L).containsEntry(2.0, 333L);
        assertThat(back.nulls()).isEqualTo(1);
        assertThat(back.count()).isEqualTo(1002);
        assertThat(back.integerCodes(20)).isTrue();
        assertThat(DriftStatistics.categoryCounts(back)).containsEntry("1", 333L);
        assertThat(back.mean()).isCloseTo(0.999, within(1e-12));
    }
}
