package io.cairn.monitoring;

import io.cairn.registry.MonitoringTags.ScoreOutput;
import io.cairn.registry.MonitoringTags.Settings;
import io.cairn.registry.MonitoringTags.Task;
import io.cairn.serving.PredictionsLogged.LoggedPrediction;
import io.cairn.serving.PredictionsLogged.Values;
import java.util.Map;

/**
 * What one logged prediction answered, row by row, read from its outputs by the version's monitoring settings
 * ({@code cairn.task}, {@code cairn.score_output}, {@code cairn.threshold}):
 * <ul>
 *   <li>binary classification: a floating-point score output is the positive class's score, and the answer is
 *       {@code 1} at or above the threshold, else {@code 0}; an integer or boolean output is the answer itself (then
 *       there is no score, so no ROC AUC or log loss);
 *   <li>multiclass classification: a 2-D output without a column is read as one score per class, and the answer is
 *       the index of the highest; otherwise the output's value is the class label;
 *   <li>regression: the output's value is the prediction.
 * </ul>
 * Without {@code cairn.score_output} the first output is read; its column is, for a 2-D output, column 1 of a
 * two-column binary output (the positive class, as scikit-learn's converters write probabilities) and column 0
 * otherwise. Class labels are compared as text, numbers without a fraction written as integers, as labels are stored.
 *
 * @param scores    per row: the score (binary) or the prediction (regression); null elements where there is none
 * @param predicted per row: the class answered (classification); null for regression
 * @param problem   why nothing could be read (a missing output, a column out of range), else null
 */
record RowAnswers(Task task, Double[] scores, String[] predicted, String problem) {

    static RowAnswers read(Settings settings, LoggedPrediction prediction) {
        int rows = prediction.rows();
        Task task = settings.task();
        ScoreOutput where = settings.scoreOutput();
        Map<String, Values> outputs = prediction.outputs();
        Values values = where == null
                ? outputs.values().stream().findFirst().orElse(null)
                : outputs.get(where.output());
        if (values == null) {
            return failed(task, where == null ? "the prediction has no outputs"
                    : "output '" + where.output() + "' (" + "cairn.score_output) is not among " + outputs.keySet());
        }
        int columns = values.columns();
        if (values.rows() != rows && !(values.shape().length == 0 && rows == 1)) {
            return failed(task, "output has " + values.rows() + " rows, the prediction " + rows);
        }
        Integer named = where == null ? null : where.column();
        boolean perClassScores = task == Task.MULTICLASS_CLASSIFICATION && named == null && columns > 1;
        int column = named != null ? named : task == Task.BINARY_CLASSIFICATION && columns == 2 ? 1 : 0;
        boolean ambiguous = named == null && !perClassScores && columns > (task == Task.BINARY_CLASSIFICATION ? 2 : 1);
        if (!perClassScores && (ambiguous || column >= columns)) {
            return failed(task, "the output has " + columns + " values per row; cairn.score_output must name a "
                    + "column from 0 to " + (columns - 1));
        }
        Double[] scores = new Double[rows];
        String[] predicted = task == Task.REGRESSION ? null : new String[rows];
        for (int r = 0; r < rows; r++) {
            int at = r * columns + column;
            switch (task) {
                case REGRESSION -> scores[r] = finite(values.number(at));
                case BINARY_CLASSIFICATION -> {
                    if (values.integral() || !values.numeric()) {
                        predicted[r] = classLabel(values, at);
                    } else {
                        Double score = finite(values.number(at));
                        scores[r] = score;
                        predicted[r] = score == null ? null : score >= settings.threshold() ? "1" : "0";
                    }
                }
                case MULTICLASS_CLASSIFICATION -> predicted[r] = perClassScores
                        ? argmax(values, r * columns, columns) : classLabel(values, at);
            }
        }
        return new RowAnswers(task, scores, predicted, null);
    }

    private static RowAnswers failed(Task task, String problem) {
        return new RowAnswers(task, null, null, problem);
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    private static String argmax(Values values, int from, int columns) {
        int best = -1;
        double bestValue = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < columns; c++) {
            double v = values.number(from + c);
            if (v > bestValue) {
                bestValue = v;
                best = c;
            }
        }
        return best < 0 ? null : Integer.toString(best);
    }

    /** A class label as text, the way labels are stored: an integral number without a fraction. */
    static String classLabel(Values values, int at) {
        if (!values.numeric()) {
            return values.text(at);
        }
        double v = values.number(at);
        if (!Double.isFinite(v)) {
            return null;
        }
        return LabelText.of(v);
    }
}
