package io.cairn.serving;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Serving's announcement that predictions are in the prediction log: published by the log's writer thread after each
 * batch it wrote, in the order written. Other modules (monitoring) learn of predictions from this and never read
 * {@code prediction_log} themselves. Listeners run on the writer thread and must be quick; what they throw is logged
 * and does not affect the log.
 */
public record PredictionsLogged(List<LoggedPrediction> predictions) {

    public PredictionsLogged {
        predictions = List.copyOf(predictions);
    }

    /**
     * One logged prediction. {@code rows} is the number of rows it answered (the first dimension of its outputs: a
     * V2 request of shape {@code [n, f]} or a prediction for n entities), so a label can name one of them.
     * {@code inputs} are the tensors that went in (empty when {@code cairn.serving.prediction-log.log-inputs} is
     * off), {@code outputs} those that came out, and {@code tags} the request's tags: the scalar {@code parameters}
     * of the request, as text. For a prediction by entity key, {@code entityKeys} holds the join keys' values (row i
     * of the answer is entity i: numbers as {@code Long} or {@code Double}, text as {@code String}), and the input
     * holds the feature values that were served for them, in the version's {@code cairn.features} order; it is empty
     * for a V2 request.
     */
    public record LoggedPrediction(UUID predictionId, String deployment, String model, int version, String alias,
                                   String requestId, int rows, double latencyMs, Instant createdAt,
                                   Map<String, Values> inputs, Map<String, Values> outputs, Map<String, String> tags,
                                   Map<String, List<Object>> entityKeys) {
    }

    /**
     * A tensor's values, flattened in row-major order. The array is the one serving answered with and is shared, not
     * copied: read it, never change it.
     *
     * @param datatype the Open Inference Protocol datatype ({@code FP32}, {@code INT64}, {@code BYTES}, ...)
     * @param data     {@code boolean[]}, {@code byte[]}, {@code short[]}, {@code int[]}, {@code long[]},
     *                 {@code float[]}, {@code double[]} or, for BYTES, {@code String[]}
     */
    public record Values(String datatype, long[] shape, Object data) {

        /** The first dimension (1 for a scalar). */
        public int rows() {
            return shape.length == 0 ? 1 : (int) Math.min(Integer.MAX_VALUE, Math.max(0, shape[0]));
        }

        /** The values per row: the product of the dimensions after the first (1 for a 1-D tensor or a scalar). */
        public int columns() {
            long n = 1;
            for (int i = 1; i < shape.length; i++) {
                n *= shape[i];
            }
            return (int) Math.min(Integer.MAX_VALUE, n);
        }

        /** Whether the values are numbers (or booleans, read as 0 and 1) rather than text. */
        public boolean numeric() {
            return !(data instanceof String[]);
        }

        /** Whether the values are integers or booleans: class labels rather than scores. */
        public boolean integral() {
            return !(data instanceof String[] || data instanceof float[] || data instanceof double[]);
        }

        /** The value at a flat index as a number; NaN for text that is not one. */
        public double number(int index) {
            if (data instanceof double[] d) {
                return d[index];
            } else if (data instanceof float[] f) {
                return f[index];
            } else if (data instanceof long[] l) {
                return l[index];
            } else if (data instanceof int[] i) {
                return i[index];
            } else if (data instanceof short[] s) {
                return s[index];
            } else if (data instanceof byte[] b) {
                return datatype.equals("UINT8") ? b[index] & 0xff : b[index];
            } else if (data instanceof boolean[] b) {
                return b[index] ? 1 : 0;
            } else if (data instanceof String[] s) {
                return parse(s[index]);
            }
            throw new IllegalStateException("unexpected tensor data " + data.getClass());
        }

        /** The value at a flat index as text: integers without a fraction, text as it is. */
        public String text(int index) {
            if (data instanceof String[] s) {
                return s[index];
            } else if (data instanceof double[] d) {
                return Double.toString(d[index]);
            } else if (data instanceof float[] f) {
                return Float.toString(f[index]);
            }
            return Long.toString((long) number(index));
        }

        private static double parse(String s) {
            try {
                return Double.parseDouble(s);
            } catch (NumberFormatException e) {
                return Double.NaN;
            }
        }

        @Override
        public String toString() {
            return "Values[" + datatype + " " + Arrays.toString(shape) + "]";
        }
    }
}
