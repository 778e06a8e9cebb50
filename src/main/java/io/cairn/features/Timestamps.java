package io.cairn.features;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;

/**
 * Event and created timestamps: ISO-8601 with an offset on the way in, UTC instants with microsecond precision (what
 * PostgreSQL's timestamptz holds) inside, ISO-8601 UTC on the way out.
 */
public final class Timestamps {

    /** 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999999Z: what every client and PostgreSQL agree on. */
    private static final long MIN_SECOND = -62135596800L;
    private static final long MAX_SECOND = 253402300799L;

    private Timestamps() {
    }

    /**
     * Parses {@code 2026-01-01T00:00:00Z} or {@code 2026-01-01T01:00:00.5+01:00}; a space instead of the {@code T} is
     * accepted. Digits below the microsecond are dropped, so the value compares the same here and in PostgreSQL.
     *
     * @throws IllegalArgumentException when there is no offset or the text is not a timestamp
     */
    public static Instant parse(String text) {
        Instant fast = parseCommon(text);
        if (fast != null) {
            return fast;
        }
        String t = text.trim();
        if (t.length() > 10 && t.charAt(10) == ' ') {
            t = t.substring(0, 10) + 'T' + t.substring(11);
        }
        Instant instant;
        try {
            instant = OffsetDateTime.parse(t).toInstant().truncatedTo(ChronoUnit.MICROS);
        } catch (DateTimeParseException e) {
            try {
                LocalDateTime.parse(t);
            } catch (DateTimeParseException notLocal) {
                throw new IllegalArgumentException("'" + shorten(text) + "' is not an ISO-8601 timestamp with an "
                        + "offset (e.g. 2026-01-01T00:00:00Z)");
            }
            throw new IllegalArgumentException("timestamp '" + shorten(text) + "' has no offset; write it as ISO-8601 "
                    + "with an offset, e.g. 2026-01-01T00:00:00Z or 2026-01-01T01:00:00+01:00");
        }
        return inRange(instant, text);
    }

    private static Instant inRange(Instant instant, String text) {
        if (instant.getEpochSecond() < MIN_SECOND || instant.getEpochSecond() > MAX_SECOND) {
            throw new IllegalArgumentException("timestamp '" + shorten(text) + "' is outside the years 0001 to 9999");
        }
        return instant;
    }

    /**
     * The common shape {@code yyyy-MM-ddTHH:mm:ss[.fraction](Z|±HH:MM|±HHMM|±HH)} without the cost of a formatter (ingestion
     * parses one or two per row); anything else returns null and takes the general path.
     */
    private static Instant parseCommon(String s) {
        int n = s.length();
        if (n < 20 || s.charAt(4) != '-' || s.charAt(7) != '-' || (s.charAt(10) != 'T' && s.charAt(10) != ' ')
                || s.charAt(13) != ':' || s.charAt(16) != ':') {
            return null;
        }
        int year = digits(s, 0, 4);
        int month = digits(s, 5, 2);
        int day = digits(s, 8, 2);
        int hour = digits(s, 11, 2);
        int minute = digits(s, 14, 2);
        int second = digits(s, 17, 2);
        if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23
                || minute > 59 || second > 59) {
            return null;
        }
        int i = 19;
        long micros = 0;
        if (i < n && s.charAt(i) == '.') {
            i++;
            int start = i;
            while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                if (i - start < 6) {
                    micros = micros * 10 + (s.charAt(i) - '0');
                }
                i++;
            }
            int count = i - start;
            if (count == 0) {
                return null;
            }
            for (int k = count; k < 6; k++) {
                micros *= 10;
            }
        }
        int offsetSeconds;
        if (i == n - 1 && (s.charAt(i) == 'Z' || s.charAt(i) == 'z')) {
            offsetSeconds = 0;
        } else if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')
                && (i == n - 3 || i == n - 5 || (i == n - 6 && s.charAt(i + 3) == ':'))) {
            // +HH:MM, +HHMM or +HH
            int oh = digits(s, i + 1, 2);
            int om = i == n - 3 ? 0 : digits(s, n - 2, 2);
            if (oh < 0 || om < 0 || oh > 18 || om > 59) {
                return null;
            }
            offsetSeconds = (oh * 3600 + om * 60) * (s.charAt(i) == '-' ? -1 : 1);
        } else {
            return null;
        }
        long epochSecond = daysFromCivil(year, month, day) * 86400L + hour * 3600L + minute * 60L + second
                - offsetSeconds;
        return inRange(Instant.ofEpochSecond(epochSecond, micros * 1000L), s);
    }

    private static int digits(String s, int from, int count) {
        int v = 0;
        for (int i = from; i < from + count; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    private static int daysInMonth(int year, int month) {
        return switch (month) {
            case 2 -> (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28;
            case 4, 6, 9, 11 -> 30;
            default -> 31;
        };
    }

    /** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm). */
    private static long daysFromCivil(int y, int m, int d) {
        y -= m <= 2 ? 1 : 0;
        long era = (y >= 0 ? y : y - 399) / 400;
        long yoe = y - era * 400;
        long doy = (153L * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
        long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146097 + doe - 719468;
    }

    /** Microseconds since the epoch: the online store's timestamp and the unit PostgreSQL stores. */
    public static long micros(Instant instant) {
        return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1_000);
    }

    public static Instant ofMicros(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
    }

    /** ISO-8601 in UTC, e.g. {@code 2026-01-01T00:00:00Z}. */
    public static String format(Instant instant) {
        return instant.toString();
    }

    private static String shorten(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}
