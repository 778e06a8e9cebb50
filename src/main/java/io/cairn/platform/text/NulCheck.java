package io.cairn.platform.text;

import io.cairn.platform.error.CairnException;

/**
 * Refuses text with U+0000 in it. PostgreSQL's text cannot hold that character: a value with one fails the statement
 * ("invalid byte sequence for encoding UTF8: 0x00"), which would otherwise surface as a 500 in the middle of a write.
 */
public final class NulCheck {

    private NulCheck() {
    }

    /** The value, unchanged, when it has no NUL; else a 400 naming the field. Null passes (absence is checked elsewhere). */
    public static String noNul(String field, String value) {
        if (value != null && value.indexOf('\0') >= 0) {
            throw CairnException.invalid("Invalid value for '" + field + "': it holds a NUL character (U+0000), "
                    + "which cannot be stored; remove it.");
        }
        return value;
    }

    /**
     * {@link #noNul}, and refuses a lone UTF-16 surrogate too: it has no UTF-8 form, so the driver would store it as
     * {@code ?} without a word.
     */
    public static String storable(String field, String value) {
        noNul(field, value);
        int at = value == null ? -1 : loneSurrogateAt(value);
        if (at >= 0) {
            throw CairnException.invalid("Invalid value for '" + field + "': it holds a lone UTF-16 surrogate "
                    + "(\\u" + Integer.toHexString(value.charAt(at)) + ") at index " + at + ", which is not valid "
                    + "Unicode; send valid UTF-8.");
        }
        return value;
    }

    /** Where the first UTF-16 surrogate without its pair stands in the value, or -1 when there is none. */
    public static int loneSurrogateAt(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return i;
            }
        }
        return -1;
    }
}
