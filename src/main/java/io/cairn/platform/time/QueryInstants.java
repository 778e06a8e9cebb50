package io.cairn.platform.time;

import io.cairn.platform.error.CairnException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/** A time given as a query parameter of {@code /api/v1}: ISO-8601 with an offset, or a 400 that says so. */
public final class QueryInstants {

    private QueryInstants() {
    }

    /** The instant, or null for an absent or blank value. */
    public static Instant parse(String parameter, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return OffsetDateTime.parse(value.strip()).toInstant();
        } catch (DateTimeParseException e) {
            throw CairnException.invalid("Invalid '" + parameter + "' time '" + value
                    + "': use ISO-8601 with an offset, e.g. 2026-01-01T00:00:00Z.");
        }
    }
}
