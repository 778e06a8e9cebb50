package io.cairn.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TimestampsTest {

    @Test
    void offsetsBecomeUtcAndDigitsBelowTheMicrosecondAreDropped() {
        assertThat(Timestamps.parse("2026-01-01T01:30:00+01:30")).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
        assertThat(Timestamps.parse("2025-12-31T19:00:00-05:00")).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
        assertThat(Timestamps.parse("2026-01-01 00:00:00.123456789Z")).isEqualTo(Instant.parse("2026-01-01T00:00:00.123456Z"));
        assertThat(Timestamps.parse("2026-01-01T00:00:00.5Z")).isEqualTo(Instant.parse("2026-01-01T00:00:00.500Z"));
        assertThat(Timestamps.parse("2026-01-01T00:00Z")).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
        assertThat(Timestamps.parse("2024-02-29T12:00:00+0100")).isEqualTo(Instant.parse("2024-02-29T11:00:00Z"));
    }

    @Test
    void theFastPathAgreesWithJavaTime() {
        Random rnd = new Random(42);
        for (int i = 0; i < 10_000; i++) {
            long second = -2_000_000_000L + (long) (rnd.nextDouble() * 6_000_000_000L);
            int micros = rnd.nextInt(1_000_000);
            int offsetMinutes = (rnd.nextInt(28 * 4) - 14 * 4) * 15;
            OffsetDateTime t = Instant.ofEpochSecond(second, micros * 1000L)
                    .atOffset(java.time.ZoneOffset.ofTotalSeconds(offsetMinutes * 60));
            String text = t.toString();
            assertThat(Timestamps.parse(text)).as(text).isEqualTo(t.toInstant());
        }
    }

    @Test
    void timestampsWithoutAnOffsetOrOutOfRangeAreRejected() {
        assertThatThrownBy(() -> Timestamps.parse("2026-01-01T00:00:00")).hasMessageContaining("has no offset");
        assertThatThrownBy(() -> Timestamps.parse("yesterday")).hasMessageContaining("not an ISO-8601 timestamp");
        assertThatThrownBy(() -> Timestamps.parse("2026-02-30T00:00:00Z")).hasMessageContaining("not an ISO-8601");
        assertThatThrownBy(() -> Timestamps.parse("+12026-01-01T00:00:00Z")).hasMessageContaining("0001 to 9999");
    }

    @Test
    void microsRoundTrip() {
        Instant t = Instant.parse("1969-12-31T23:59:59.999999Z");
        assertThat(Timestamps.ofMicros(Timestamps.micros(t))).isEqualTo(t);
    }
}
