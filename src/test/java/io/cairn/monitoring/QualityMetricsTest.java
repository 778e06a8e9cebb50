package io.cairn.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.cairn.monitoring.QualityMetrics.Estimate;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The metrics against exact computations written out here the slow, obvious way (ROC AUC over every pair, F1 from
 * the confusion matrix), and the intervals against published values and their defining properties.
 */
class QualityMetricsTest {

    private static final double EXACT = 1e-12;

    @Test
    void wilsonIntervalsMatchPublishedValues() {
        // Newcombe (1998), Table I: 81 of 263 → 0.2553 to 0.3662; 0 of 10 → 0 to 0.2775; and 5 of 10 → 0.2366 to
        // 0.7634 as any calculator gives.
        Estimate a = QualityMetrics.wilson(81, 263);
        assertThat(a.value()).isCloseTo(81.0 / 263, within(EXACT));
        assertThat(a.ci_low()).isCloseTo(0.2553, within(5e-5));
        assertThat(a.ci_high()).isCloseTo(0.3662, within(5e-5));
        Estimate zero = QualityMetrics.wilson(0, 10);
        assertThat(zero.ci_low()).isZero();
        assertThat(zero.ci_high()).isCloseTo(0.2775, within(5e-5));
        Estimate half = QualityMetrics.wilson(5, 10);
        assertThat(half.ci_low()).isCloseTo(0.2366, within(5e-5));
        assertThat(half.ci_high()).isCloseTo(0.7634, within(5e-5));
    }

    @Test
    void binaryMetricsEqualTheExactOnes() {
        Random random = new Random(7);
        int n = 500;
        int[] y = new int[n];
        int[] a = new int[n];
        double[] s = new double[n];
        for (int i = 0; i < n; i++) {
            y[i] = random.nextDouble() < 0.4 ? 1 : 0;
            // Informative but noisy scores, rounded so that ties occur.
            s[i] = Math.round(Math.min(1, Math.max(0, 0.3 * y[i] + 0.7 * random.nextDouble())) * 50) / 50.0;
            a[i] = s[i] >= 0.5 ? 1 : 0;
        }
        Map<String, Estimate> m = QualityMetrics.binary(y, a, s, 200);

        int tp = 0;
        int fp = 0;
        int fn = 0;
        int tn = 0;
        for (int i = 0; i < n; i++) {
            if (a[i] == 1 && y[i] == 1) {
                tp++;
            } else if (a[i] == 1) {
                fp++;
            } else if (y[i] == 1) {
                fn++;
            } else {
                tn++;
            }
        }
        assertThat(m.get("accuracy").value()).isCloseTo((tp + tn) / (double) n, within(EXACT));
        assertThat(m.get("precision").value()).isCloseTo(tp / (double) (tp + fp), within(EXACT));
        assertThat(m.get("recall").value()).isCloseTo(tp / (double) (tp + fn), within(EXACT));
        double precision = tp / (double) (tp + fp);
        double recall = tp / (double) (tp + fn);
        assertThat(m.get("f1").value()).isCloseTo(2 * precision * recall / (precision + recall), within(EXACT));
        assertThat(m.get("positive_rate").value()).isCloseTo((tp + fp) / (double) n, within(EXACT));

        double won = 0;
        long pairs = 0;
        double logLoss = 0;
        for (int i = 0; i < n; i++) {
            double p = Math.min(1 - 1e-15, Math.max(1e-15, s[i]));
            logLoss -= y[i] == 1 ? Math.log(p) : Math.log(1 - p);
            if (y[i] != 1) {
                continue;
            }
            for (int j = 0; j < n; j++) {
                if (y[j] == 0) {
                    pairs++;
                    won += s[i] > s[j] ? 1 : s[i] == s[j] ? 0.5 : 0;
                }
            }
        }
        assertThat(m.get("roc_auc").value()).isCloseTo(won / pairs, within(EXACT));
        assertThat(m.get("log_loss").value()).isCloseTo(logLoss / n, within(1e-12));

        for (Estimate e : m.values()) {
            assertThat(e.ci_low()).isLessThanOrEqualTo(e.value());
            assertThat(e.ci_high()).isGreaterThanOrEqualTo(e.value());
            assertThat(e.ci_high() - e.ci_low()).as("a 95%% interval of 500 rows has width").isBetween(0.005, 0.3);
        }
        // Seeded: the same rows give the same interval.
        assertThat(QualityMetrics.binary(y, a, s, 200)).isEqualTo(m);
        // Without scores there is no ROC AUC and no log loss.
        assertThat(QualityMetrics.binary(y, a, null, 200)).doesNotContainKeys("roc_auc", "log_loss");
    }

    @Test
    void bootstrapIntervalsNarrowAsRowsGrow() {
        Random random = new Random(11);
        double small = width(random, 100);
        double large = width(random, 10_000);
        // The standard error falls with the square root of n: 10x for 100x the rows (loosely, it is random).
        assertThat(large).isLessThan(small / 5);
    }

    private static double width(Random random, int n) {
        double[] y = new double[n];
        double[] p = new double[n];
        for (int i = 0; i < n; i++) {
            y[i] = random.nextGaussian() * 3;
            p[i] = y[i] + random.nextGaussian();
        }
        Estimate mae = QualityMetrics.regression(y, p, 200).get("mae");
        return mae.ci_high() - mae.ci_low();
    }

    @Test
    void multiclassAccuracyAndMacroF1EqualTheExactOnes() {
        String[] labels = {"a", "a", "b", "b", "c", "c", "c", "a"};
        String[] answers = {"a", "b", "b", "b", "c", "a", "d", "a"};
        Map<String, Estimate> m = QualityMetrics.multiclass(labels, answers, 100);
        assertThat(m.get("accuracy").value()).isCloseTo(5 / 8.0, within(EXACT));
        // Per class F1 = 2TP / (labelled + answered): a 2·2/(3+3), b 2·2/(2+3), c 2·1/(3+1), d 0/(0+1).
        double expected = (4 / 6.0 + 4 / 5.0 + 2 / 4.0 + 0) / 4;
        assertThat(m.get("macro_f1").value()).isCloseTo(expected, within(EXACT));
    }

    @Test
    void regressionMetricsEqualTheExactOnes() {
        double[] y = {3, -0.5, 2, 7, 0};
        double[] p = {2.5, 0.0, 2, 8, 0.5};
        Map<String, Estimate> m = QualityMetrics.regression(y, p, 100);
        assertThat(m.get("mae").value()).isCloseTo((0.5 + 0.5 + 0 + 1 + 0.5) / 5, within(EXACT));
        assertThat(m.get("rmse").value()).isCloseTo(Math.sqrt((0.25 + 0.25 + 0 + 1 + 0.25) / 5), within(EXACT));
        // MAPE over the rows whose label is not 0.
        assertThat(m.get("mape").value()).isCloseTo((0.5 / 3 + 0.5 / 0.5 + 0 + 1 / 7.0) / 4, within(EXACT));
        double mean = (3 - 0.5 + 2 + 7 + 0) / 5;
        double total = 0;
        for (double v : y) {
            total += (v - mean) * (v - mean);
        }
        assertThat(m.get("r2").value()).isCloseTo(1 - 1.75 / total, within(EXACT));
        // Constant labels: R² is undefined and left out, the rest is there.
        assertThat(QualityMetrics.regression(new double[] {1, 1}, new double[] {1, 2}, 10)).containsKey("mae")
                .doesNotContainKey("r2");
    }
}
