package io.cairn.features;

import io.cairn.platform.error.CairnException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import org.springframework.scheduling.support.CronExpression;

/**
 * When a feature view's scheduled materialization runs: either every fixed interval (an ISO-8601 duration such as
 * {@code PT15M}, at least a minute) or at the times of a Spring cron expression (six fields, seconds first, or a
 * macro such as {@code @hourly}), evaluated in UTC so every replica agrees whatever its time zone.
 */
public final class MaterializationSchedule {

    static final Duration SHORTEST_INTERVAL = Duration.ofMinutes(1);

    private final String text;
    private final Duration interval;
    private final CronExpression cron;

    private MaterializationSchedule(String text, Duration interval, CronExpression cron) {
        this.text = text;
        this.interval = interval;
        this.cron = cron;
    }

    /**
     * @throws CairnException (400) saying what a schedule may be, when {@code text} is neither form
     */
    public static MaterializationSchedule parse(String text) {
        String s = text == null ? "" : text.strip();
        if (s.startsWith("P") || s.startsWith("p")) {
            Duration d;
            try {
                d = Duration.parse(s);
            } catch (DateTimeParseException e) {
                throw invalid(text, "it starts like an ISO-8601 duration but is not one (e.g. PT15M, PT1H, P1D)");
            }
            if (d.compareTo(SHORTEST_INTERVAL) < 0) {
                throw invalid(text, "the interval is shorter than a minute");
            }
            return new MaterializationSchedule(s, d, null);
        }
        try {
            return new MaterializationSchedule(s, null, CronExpression.parse(s));
        } catch (IllegalArgumentException e) {
            throw invalid(text, "it is neither an ISO-8601 duration (PT15M) nor a six-field cron expression "
                    + "(seconds minutes hours day-of-month month day-of-week, e.g. 0 */15 * * * *): " + e.getMessage());
        }
    }

    private static CairnException invalid(String text, String why) {
        return CairnException.invalid("Invalid schedule '" + text + "': " + why + ".");
    }

    /** The first run time strictly after {@code after}. */
    public Instant nextAfter(Instant after) {
        if (interval != null) {
            return after.plus(interval);
        }
        ZonedDateTime next = cron.next(after.atZone(ZoneOffset.UTC));
        // A cron that never fires again (a day that does not exist, such as 30 February): park it far away.
        return next == null ? Instant.parse("9999-12-31T00:00:00Z") : next.toInstant();
    }

    @Override
    public String toString() {
        return text;
    }
}
