package io.cairn.web;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import org.springframework.web.util.UriUtils;

/** How the pages write times, durations, numbers and links. Times are UTC, as the API's. */
public final class Format {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private Format() {
    }

    /** Epoch milliseconds as a UTC date and time; empty for null. */
    public static String time(Long millis) {
        return millis == null ? "" : TIME.format(Instant.ofEpochMilli(millis));
    }

    /** Epoch milliseconds as ISO-8601 for {@code <time datetime>}. */
    public static String iso(Long millis) {
        return millis == null ? "" : Instant.ofEpochMilli(millis).toString();
    }

    /** The time between two epoch-millisecond instants, as "1h 02m", "3m 05s" or "12.4s"; empty when unknown. */
    public static String duration(Long start, Long end) {
        if (start == null || end == null || end < start) {
            return "";
        }
        Duration d = Duration.ofMillis(end - start);
        if (d.toHours() > 0) {
            return String.format(Locale.ROOT, "%dh %02dm", d.toHours(), d.toMinutesPart());
        }
        if (d.toMinutes() > 0) {
            return String.format(Locale.ROOT, "%dm %02ds", d.toMinutes(), d.toSecondsPart());
        }
        return String.format(Locale.ROOT, "%.1fs", d.toMillis() / 1000.0);
    }

    /** A metric value with up to 6 significant digits; NaN and infinities by name. */
    public static String number(double value) {
        if (Double.isNaN(value)) {
            return "NaN";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "Infinity" : "-Infinity";
        }
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return Long.toString((long) value);
        }
        String text = String.format(Locale.ROOT, "%.6g", value);
        if (text.contains("e")) {
            return text;
        }
        return text.contains(".") ? text.replaceAll("0+$", "").replaceAll("\\.$", "") : text;
    }

    /** What the pages call a run: its name, or its id when it has none. */
    public static String runName(io.cairn.tracking.RunInfo run) {
        return run.runName() == null || run.runName().isEmpty() ? run.runId() : run.runName();
    }

    /** A byte count as B, KiB, MiB or GiB. */
    public static String bytes(Long size) {
        if (size == null) {
            return "";
        }
        if (size < 1024) {
            return size + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = size;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    /** One path segment, percent-encoded (model names, run ids, keys may hold any character). */
    public static String segment(String value) {
        return UriUtils.encodePathSegment(value, StandardCharsets.UTF_8);
    }

    /** One query parameter value, form-encoded. */
    public static String query(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /**
     * An MLflow search filter for names containing the text (case-insensitive), or null for none. Quotes become
     * LIKE's any-character, so no text can break out of the literal.
     */
    static String nameContains(String text) {
        return text == null || text.isEmpty() ? null : "name ILIKE '%" + text.replace("'", "_") + "%'";
    }

    /** The first {@code max} characters of a value, with an ellipsis when cut. */
    public static String shorten(String value, int max) {
        if (value == null || value.length() <= max) {
            return value == null ? "" : value;
        }
        return value.substring(0, max - 1) + "…";
    }
}
