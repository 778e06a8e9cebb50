package io.cairn.features;

/**
 * Reads PostgreSQL's text output of a value closely enough to tell whether it already is, or is one cheap step from,
 * the text the training-set CSV writer gives the typed value (see {@code TrainingSetWriter.Csv}). Assumes the settings
 * the training-set transaction makes: {@code extra_float_digits} above 0 (shortest exact text, as pgjdbc always asks)
 * and {@code DateStyle} ISO. Anything else answers "other", and the caller parses the value as before.
 */
final class PostgresText {

    /** The text is not handled here. */
    static final int OTHER = 0;
    /** The text is Java's too. */
    static final int AS_IS = 1;
    /** Java's text is this plus {@code ".0"}. */
    static final int INTEGRAL = 2;

    private PostgresText() {
    }

    /**
     * How a {@code float8} or {@code float4} in PostgreSQL's shortest text relates to Java's text of the same value
     * ({@code Double.toString} from JDK 19 on, or {@code Float.toString}). Both print the shortest decimal that reads
     * back as the value, so the digits agree; they differ in notation. Java writes plain notation with at least one
     * fraction digit for magnitudes in [1e-3, 1e7), and PostgreSQL writes plain notation without a trailing ".0" for
     * magnitudes in [1e-4, 1e15) (float4: [1e-4, 1e6)). So a plain text whose magnitude is inside Java's range is
     * Java's text, with ".0" added when it has no fraction; exponent notation, NaN, infinities and plain texts outside
     * Java's range are {@link #OTHER}. Zero is "0" or "-0" in PostgreSQL, "0.0" or "-0.0" in Java.
     */
    static int javaFloatingShape(byte[] t) {
        int n = t.length;
        int i = n > 0 && t[0] == '-' ? 1 : 0;
        int intStart = i;
        while (i < n && t[i] >= '0' && t[i] <= '9') {
            i++;
        }
        int intDigits = i - intStart;
        if (intDigits == 0 || intDigits > 7 || (intDigits > 1 && t[intStart] == '0')) {
            return OTHER;
        }
        if (i == n) {
            return INTEGRAL;
        }
        if (t[i] != '.' || i + 1 == n) {
            return OTHER;
        }
        int fracStart = ++i;
        while (i < n && t[i] >= '0' && t[i] <= '9') {
            i++;
        }
        if (i != n || t[n - 1] == '0') {
            return OTHER;
        }
        if (t[intStart] == '0') {
            // 0.xxx: at least 1e-3, so at most two zeros before the first significant digit.
            int zeros = 0;
            while (fracStart + zeros < n && t[fracStart + zeros] == '0') {
                zeros++;
            }
            if (zeros > 2) {
                return OTHER;
            }
        }
        return AS_IS;
    }

    /**
     * For a {@code timestamptz} printed in UTC, {@code yyyy-MM-dd HH:mm:ss[.f{1,6}]+00}, the number of fraction digits
     * (0 for none); -1 for any other shape (another offset, a year outside 0000-9999, BC, infinity). Java's
     * {@code Instant.toString} of the same instant is the first 19 bytes with 'T' for the space, the fraction padded
     * with zeros to 3 or 6 digits, and 'Z'.
     */
    static int utcTimestampFraction(byte[] t) {
        int n = t.length;
        if (n < 22 || t[n - 3] != '+' || t[n - 2] != '0' || t[n - 1] != '0') {
            return -1;
        }
        if (!digits(t, 0, 4) || t[4] != '-' || !digits(t, 5, 2) || t[7] != '-' || !digits(t, 8, 2) || t[10] != ' '
                || !digits(t, 11, 2) || t[13] != ':' || !digits(t, 14, 2) || t[16] != ':' || !digits(t, 17, 2)) {
            return -1;
        }
        if (n == 22) {
            return 0;
        }
        int fraction = n - 23;
        if (t[19] != '.' || fraction < 1 || fraction > 6 || !digits(t, 20, fraction)) {
            return -1;
        }
        return fraction;
    }

    static int indexOf(byte[] t, byte b) {
        for (int i = 0; i < t.length; i++) {
            if (t[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static boolean digits(byte[] t, int from, int count) {
        for (int i = from; i < from + count; i++) {
            if (t[i] < '0' || t[i] > '9') {
                return false;
            }
        }
        return true;
    }
}
