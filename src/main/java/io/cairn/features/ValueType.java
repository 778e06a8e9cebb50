package io.cairn.features;

import io.cairn.platform.text.NulCheck;
import java.util.Locale;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.JsonNode;

/**
 * The value types of entity join keys and features, with how each is read from JSON and CSV text. Values are held
 * as {@link Long}, {@link Integer}, {@link Double}, {@link Float}, {@link String} or {@link Boolean}.
 */
public enum ValueType {
    INT64("bigint"),
    INT32("integer"),
    FLOAT64("double precision"),
    FLOAT32("real"),
    STRING("text"),
    BOOL("boolean");

    private final String sqlType;

    ValueType(String sqlType) {
        this.sqlType = sqlType;
    }

    /** The PostgreSQL column type that stores this type exactly. */
    public String sqlType() {
        return sqlType;
    }

    /** Whether an entity may use this type for its join key (floats and booleans make poor keys, as in Feast). */
    public boolean isKeyType() {
        return this == INT64 || this == INT32 || this == STRING;
    }

    public static ValueType parse(String name) {
        if (name != null) {
            try {
                return valueOf(name.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                // Falls through to the error below.
            }
        }
        throw new IllegalArgumentException("unknown value type '" + name + "'; use one of "
                + java.util.Arrays.toString(values()));
    }

    /**
     * Reads the parser's current token as a value of this type; JSON null gives null. Strings holding a number are
     * accepted for the numeric types (JavaScript cannot hold every INT64 as a number).
     *
     * @throws IllegalArgumentException with a short reason when the token does not fit
     */
    public Object fromJson(JsonParser p) {
        JsonToken token = p.currentToken();
        return switch (token) {
            case VALUE_NULL -> null;
            case VALUE_STRING -> this == STRING ? text(p.getString()) : fromText(p.getString());
            case VALUE_TRUE, VALUE_FALSE -> {
                if (this != BOOL) {
                    throw mismatch(token == JsonToken.VALUE_TRUE ? "true" : "false");
                }
                yield token == JsonToken.VALUE_TRUE;
            }
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> fromNumberText(p.getString(), p.isNaN());
            default -> throw new IllegalArgumentException("expected a " + this + " value, got " + describe(token));
        };
    }

    /** Like {@link #fromJson(JsonParser)} for a tree node (Feast's column-oriented bodies). */
    public Object fromJson(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        if (node.isString()) {
            return this == STRING ? text(node.asString()) : fromText(node.asString());
        }
        if (node.isBoolean()) {
            if (this != BOOL) {
                throw mismatch(node.toString());
            }
            return node.booleanValue();
        }
        if (node.isNumber()) {
            if (node.isIntegralNumber() && node.canConvertToLong()) {
                // Join keys on the online read path: no detour through the number's text.
                long v = node.longValue();
                if (this == INT64) {
                    return v;
                }
                if (this == INT32 && v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
                    return (int) v;
                }
            }
            return fromNumberText(node.toString(), node.isDouble() && Double.isNaN(node.doubleValue()));
        }
        throw new IllegalArgumentException("expected a " + this + " value, got " + (node.isArray() ? "an array"
                : "an object"));
    }

    private Object fromNumberText(String literal, boolean nan) {
        if (this == STRING || this == BOOL) {
            throw mismatch(literal);
        }
        return nan ? fromText("NaN") : fromText(literal);
    }

    /**
     * Reads CSV (or any textual) input. The caller decides what an empty cell means (null) before calling.
     *
     * @throws IllegalArgumentException with a short reason when the text does not fit
     */
    public Object fromText(String s) {
        try {
            return switch (this) {
                case INT64 -> Long.parseLong(integral(s));
                case INT32 -> Integer.parseInt(integral(s));
                case FLOAT64 -> {
                    double d = Double.parseDouble(floating(s));
                    if (Double.isInfinite(d) && !isInfinityLiteral(s)) {
                        throw new IllegalArgumentException(quote(s) + " is out of range for FLOAT64");
                    }
                    yield d;
                }
                case FLOAT32 -> {
                    float f = Float.parseFloat(floating(s));
                    if (Float.isInfinite(f) && !isInfinityLiteral(s)) {
                        throw new IllegalArgumentException(quote(s) + " is out of range for FLOAT32");
                    }
                    yield f;
                }
                case STRING -> text(s);
                case BOOL -> switch (s.trim().toLowerCase(Locale.ROOT)) {
                    case "true", "t", "1" -> Boolean.TRUE;
                    case "false", "f", "0" -> Boolean.FALSE;
                    default -> throw mismatch(s);
                };
            };
        } catch (NumberFormatException e) {
            throw mismatch(s);
        }
    }

    /** "3.0" and "1e3" are fine for integers as long as they are whole; anything else is not. */
    private String integral(String s) {
        String t = s.trim();
        if (t.indexOf('.') >= 0 || t.indexOf('e') >= 0 || t.indexOf('E') >= 0) {
            try {
                java.math.BigDecimal d = new java.math.BigDecimal(t);
                return d.toBigIntegerExact().toString();
            } catch (NumberFormatException | ArithmeticException e) {
                throw mismatch(s);
            }
        }
        return t;
    }

    private String floating(String s) {
        String t = s.trim();
        // Java also accepts "1d", "0x1p3" and "Infinityf"; JSON and CSV producers never mean those.
        if (t.isEmpty() || t.endsWith("d") || t.endsWith("D") || t.endsWith("f") || t.endsWith("F")
                || t.contains("x") || t.contains("X")) {
            if (!isInfinityLiteral(t) && !t.equals("NaN")) {
                throw mismatch(s);
            }
        }
        return switch (t.toLowerCase(Locale.ROOT)) {
            case "nan" -> "NaN";
            case "inf", "infinity", "+inf", "+infinity" -> "Infinity";
            case "-inf", "-infinity" -> "-Infinity";
            default -> t;
        };
    }

    private static boolean isInfinityLiteral(String s) {
        String t = s.trim().toLowerCase(Locale.ROOT);
        return t.equals("inf") || t.equals("infinity") || t.equals("+inf") || t.equals("+infinity") || t.equals("-inf")
                || t.equals("-infinity");
    }

    private static String text(String s) {
        // PostgreSQL text cannot hold NUL, and a UTF-16 surrogate without its pair has no UTF-8 form: the driver
        // would store it as '?', silently changing the value.
        if (s.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("text must not contain the NUL character (\\u0000)");
        }
        int lone = NulCheck.loneSurrogateAt(s);
        if (lone >= 0) {
            throw new IllegalArgumentException("text must be valid Unicode: a lone UTF-16 surrogate \\u"
                    + String.format("%04x", (int) s.charAt(lone)) + " at character " + lone + " has no UTF-8 form");
        }
        return s;
    }

    private IllegalArgumentException mismatch(String got) {
        return new IllegalArgumentException("expected a " + this + " value, got " + quote(got));
    }

    private static String quote(String s) {
        String shown = s.length() > 40 ? s.substring(0, 40) + "..." : s;
        return "'" + shown + "'";
    }

    private static String describe(JsonToken token) {
        return switch (token) {
            case START_ARRAY -> "an array";
            case START_OBJECT -> "an object";
            default -> token.name();
        };
    }
}
