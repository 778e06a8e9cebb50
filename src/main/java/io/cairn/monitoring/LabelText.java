package io.cairn.monitoring;

/**
 * How monitoring writes a number as a class label or category: an integral value without a fraction ({@code 1}, not
 * {@code 1.0}), as labels are stored, answers are read and categories are counted, so the three compare as text.
 */
final class LabelText {

    private LabelText() {
    }

    /** The number's label text; integral values below 2^53 (exact in a double) without a fraction. */
    static String of(double v) {
        return v == Math.rint(v) && Math.abs(v) < 0x1p53 ? Long.toString((long) v) : Double.toString(v);
    }
}
