package io.cairn.monitoring;

import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The quality of a set of labelled predictions, computed exactly, each metric with a 95% confidence interval:
 * <ul>
 *   <li>proportions (accuracy, precision, recall, positive rate) by the Wilson score interval;
 *   <li>everything else (F1, ROC AUC, log loss, macro-F1, MAE, RMSE, MAPE, R²) by the percentile bootstrap: the
 *       metric computed on {@code resamples} resamples of the rows drawn with replacement, the interval between the
 *       2.5th and 97.5th percentiles. The random draws are seeded, so the same rows give the same interval.
 * </ul>
 * Conventions follow scikit-learn: log loss clips scores to [1e-15, 1 - 1e-15]; macro-F1 averages over every class
 * seen in labels or answers (a class never answered has F1 0); precision without a positive answer, ROC AUC without
 * both classes and R² of constant labels are undefined and left out. MAPE is over rows whose label is not 0 (scikit-
 * learn divides by machine epsilon instead, which makes one zero label dominate).
 */
public final class QualityMetrics {

    static final double Z95 = 1.959963984540054;
    static final double LOG_LOSS_EPS = 1e-15;
    private static final long SEED = 0x5EED_CA12L;

    /** A metric's value and its 95% confidence interval. */
    public record Estimate(double value, double ci_low, double ci_high) {
    }

    private QualityMetrics() {
    }

    /**
     * Binary classification. {@code labels} and {@code answers} are 0 or 1; {@code scores} (null, or NaN per row,
     * when the model answers without a score) are the positive class's score.
     */
    static Map<String, Estimate> binary(int[] labels, int[] answers, double[] scores, int resamples) {
        int n = labels.length;
        Map<String, Estimate> out = new LinkedHashMap<>();
        if (n == 0) {
            return out;
        }
        long tp = 0;
        long fp = 0;
        long fn = 0;
        long correct = 0;
        long positive = 0;
        for (int i = 0; i < n; i++) {
            if (labels[i] == answers[i]) {
                correct++;
            }
            if (answers[i] == 1) {
                positive++;
                if (labels[i] == 1) {
                    tp++;
                } else {
                    fp++;
                }
            } else if (labels[i] == 1) {
                fn++;
            }
        }
        out.put("accuracy", wilson(correct, n));
        if (tp + fp > 0) {
            out.put("precision", wilson(tp, tp + fp));
        }
        if (tp + fn > 0) {
            out.put("recall", wilson(tp, tp + fn));
        }
        if (2 * tp + fp + fn > 0) {
            out.put("f1", bootstrap(n, resamples, w -> f1(labels, answers, w)));
        }
        boolean scored = scores != null && Arrays.stream(scores).allMatch(Double::isFinite);
        if (scored) {
            int[] order = orderByScore(scores);
            double auc = rocAuc(labels, scores, order, null);
            if (!Double.isNaN(auc)) {
                out.put("roc_auc", bootstrap(n, resamples, w -> rocAuc(labels, scores, order, w)));
            }
            out.put("log_loss", bootstrap(n, resamples, w -> logLoss(labels, scores, w)));
        }
        out.put("positive_rate", wilson(positive, n));
        return out;
    }

    /** Multiclass classification: accuracy and macro-F1 over class labels given as text. */
    static Map<String, Estimate> multiclass(String[] labels, String[] answers, int resamples) {
        int n = labels.length;
        Map<String, Estimate> out = new LinkedHashMap<>();
        if (n == 0) {
            return out;
        }
        Map<String, Integer> classes = new HashMap<>();
        int[] y = new int[n];
        int[] a = new int[n];
        long correct = 0;
        for (int i = 0; i < n; i++) {
            y[i] = classes.computeIfAbsent(labels[i], k -> classes.size());
            a[i] = classes.computeIfAbsent(answers[i], k -> classes.size());
            if (y[i] == a[i]) {
                correct++;
            }
        }
        int k = classes.size();
        out.put("accuracy", wilson(correct, n));
        out.put("macro_f1", bootstrap(n, resamples, w -> macroF1(y, a, k, w)));
        return out;
    }

    /** Regression: MAE, RMSE, MAPE and R² of predictions against labels. */
    static Map<String, Estimate> regression(double[] labels, double[] predictions, int resamples) {
        int n = labels.length;
        Map<String, Estimate> out = new LinkedHashMap<>();
        if (n == 0) {
            return out;
        }
        out.put("mae", bootstrap(n, resamples, w -> mae(labels, predictions, w)));
        out.put("rmse", bootstrap(n, resamples, w -> Math.sqrt(mse(labels, predictions, w))));
        if (!Double.isNaN(mape(labels, predictions, null))) {
            out.put("mape", bootstrap(n, resamples, w -> mape(labels, predictions, w)));
        }
        if (!Double.isNaN(r2(labels, predictions, null))) {
            out.put("r2", bootstrap(n, resamples, w -> r2(labels, predictions, w)));
        }
        return out;
    }

    /** The Wilson score interval of k successes in n trials, with the observed proportion as the value. */
    static Estimate wilson(long k, long n) {
        double p = (double) k / n;
        double z2 = Z95 * Z95;
        double denominator = 1 + z2 / n;
        double center = (p + z2 / (2.0 * n)) / denominator;
        double half = Z95 / denominator * Math.sqrt(p * (1 - p) / n + z2 / (4.0 * n * n));
        return new Estimate(p, Math.max(0, center - half), Math.min(1, center + half));
    }

    /** A metric of weighted rows: {@code w} null means every row once, else how often each row was drawn. */
    @FunctionalInterface
    interface Weighted {
        double of(int[] w);
    }

    /**
     * The metric on all rows, with the percentile bootstrap's 95% interval. A resample on which the metric is
     * undefined (say ROC AUC of a resample with one class) is left out of the percentiles.
     */
    static Estimate bootstrap(int n, int resamples, Weighted metric) {
        double value = metric.of(null);
        if (resamples <= 0 || n < 2) {
            return new Estimate(value, value, value);
        }
        SplittableRandom random = new SplittableRandom(SEED ^ n);
        double[] replicates = new double[resamples];
        int defined = 0;
        int[] w = new int[n];
        for (int b = 0; b < resamples; b++) {
            Arrays.fill(w, 0);
            for (int i = 0; i < n; i++) {
                w[random.nextInt(n)]++;
            }
            double r = metric.of(w);
            if (!Double.isNaN(r)) {
                replicates[defined++] = r;
            }
        }
        if (defined == 0) {
            return new Estimate(value, value, value);
        }
        Arrays.sort(replicates, 0, defined);
        return new Estimate(value, percentile(replicates, defined, 0.025), percentile(replicates, defined, 0.975));
    }

    /** Linear interpolation between closest ranks (numpy's default). */
    static double percentile(double[] sorted, int count, double q) {
        double position = q * (count - 1);
        int lower = (int) Math.floor(position);
        int upper = Math.min(count - 1, lower + 1);
        return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - lower);
    }

    private static int weight(int[] w, int i) {
        return w == null ? 1 : w[i];
    }

    static double f1(int[] labels, int[] answers, int[] w) {
        long tp = 0;
        long wrong = 0;
        for (int i = 0; i < labels.length; i++) {
            int c = weight(w, i);
            if (answers[i] == 1 && labels[i] == 1) {
                tp += c;
            } else if (answers[i] == 1 || labels[i] == 1) {
                wrong += c;
            }
        }
        return 2 * tp + wrong == 0 ? Double.NaN : 2.0 * tp / (2.0 * tp + wrong);
    }

    static double macroF1(int[] labels, int[] answers, int classes, int[] w) {
        long[] tp = new long[classes];
        long[] asLabel = new long[classes];
        long[] asAnswer = new long[classes];
        for (int i = 0; i < labels.length; i++) {
            int c = weight(w, i);
            if (c == 0) {
                continue;
            }
            asLabel[labels[i]] += c;
            asAnswer[answers[i]] += c;
            if (labels[i] == answers[i]) {
                tp[labels[i]] += c;
            }
        }
        double sum = 0;
        int present = 0;
        for (int k = 0; k < classes; k++) {
            if (asLabel[k] + asAnswer[k] == 0) {
                continue; // not in this resample at all
            }
            present++;
            sum += 2.0 * tp[k] / (asLabel[k] + asAnswer[k]);
        }
        return present == 0 ? Double.NaN : sum / present;
    }

    private static int[] orderByScore(double[] scores) {
        Integer[] boxed = new Integer[scores.length];
        for (int i = 0; i < boxed.length; i++) {
            boxed[i] = i;
        }
        Arrays.sort(boxed, (x, y) -> Double.compare(scores[x], scores[y]));
        int[] order = new int[boxed.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = boxed[i];
        }
        return order;
    }

    /**
     * ROC AUC as the Mann–Whitney statistic: the share of (positive, negative) pairs in which the positive scores
     * higher, ties counting half. One pass over the rows in score order, tied scores as one group.
     */
    static double rocAuc(int[] labels, double[] scores, int[] order, int[] w) {
        double negativesBelow = 0;
        double pairsWon = 0;
        double positives = 0;
        int i = 0;
        while (i < order.length) {
            int j = i;
            double groupPositives = 0;
            double groupNegatives = 0;
            while (j < order.length && scores[order[j]] == scores[order[i]]) {
                int row = order[j];
                int c = weight(w, row);
                if (labels[row] == 1) {
                    groupPositives += c;
                } else {
                    groupNegatives += c;
                }
                j++;
            }
            pairsWon += groupPositives * (negativesBelow + groupNegatives / 2.0);
            negativesBelow += groupNegatives;
            positives += groupPositives;
            i = j;
        }
        double negatives = negativesBelow;
        return positives == 0 || negatives == 0 ? Double.NaN : pairsWon / (positives * negatives);
    }

    static double logLoss(int[] labels, double[] scores, int[] w) {
        double sum = 0;
        long count = 0;
        for (int i = 0; i < labels.length; i++) {
            int c = weight(w, i);
            if (c == 0) {
                continue;
            }
            double p = Math.min(1 - LOG_LOSS_EPS, Math.max(LOG_LOSS_EPS, scores[i]));
            sum += c * -(labels[i] == 1 ? Math.log(p) : Math.log(1 - p));
            count += c;
        }
        return sum / count;
    }

    static double mae(double[] y, double[] p, int[] w) {
        double sum = 0;
        long count = 0;
        for (int i = 0; i < y.length; i++) {
            int c = weight(w, i);
            sum += c * Math.abs(y[i] - p[i]);
            count += c;
        }
        return sum / count;
    }

    static double mse(double[] y, double[] p, int[] w) {
        double sum = 0;
        long count = 0;
        for (int i = 0; i < y.length; i++) {
            int c = weight(w, i);
            double e = y[i] - p[i];
            sum += c * e * e;
            count += c;
        }
        return sum / count;
    }

    static double mape(double[] y, double[] p, int[] w) {
        double sum = 0;
        long count = 0;
        for (int i = 0; i < y.length; i++) {
            if (y[i] == 0) {
                continue;
            }
            int c = weight(w, i);
            sum += c * Math.abs((y[i] - p[i]) / y[i]);
            count += c;
        }
        return count == 0 ? Double.NaN : sum / count;
    }

    static double r2(double[] y, double[] p, int[] w) {
        double sum = 0;
        long count = 0;
        for (int i = 0; i < y.length; i++) {
            int c = weight(w, i);
            sum += c * y[i];
            count += c;
        }
        double mean = sum / count;
        double residual = 0;
        double total = 0;
        for (int i = 0; i < y.length; i++) {
            int c = weight(w, i);
            residual += c * (y[i] - p[i]) * (y[i] - p[i]);
            total += c * (y[i] - mean) * (y[i] - mean);
        }
        return total == 0 ? Double.NaN : 1 - residual / total;
    }
}
