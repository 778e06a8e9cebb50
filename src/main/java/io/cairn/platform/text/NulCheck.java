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
}
