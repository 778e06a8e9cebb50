package io.cairn.features;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PostgresTextTest {

    private static int shape(String s) {
        return PostgresText.javaFloatingShape(s.getBytes(StandardCharsets.US_ASCII));
    }

    private static int fraction(String s) {
        return PostgresText.utcTimestampFraction(s.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void plainFloatsInsideJavasPlainRangeAreKept() {
        assertThat(shape("0.3327")).isEqualTo(PostgresText.AS_IS);
        assertThat(shape("-12.5")).isEqualTo(PostgresText.AS_IS);
        assertThat(shape("0.001")).isEqualTo(PostgresText.AS_IS);
        assertThat(shape("9999999.5")).isEqualTo(PostgresText.AS_IS);
        assertThat(shape("473")).isEqualTo(PostgresText.INTEGRAL);
        assertThat(shape("0")).isEqualTo(PostgresText.INTEGRAL);
        assertThat(shape("-0")).isEqualTo(PostgresText.INTEGRAL);
        assertThat(shape("9999999")).isEqualTo(PostgresText.INTEGRAL);
    }

    @Test
    void everythingJavaWritesDifferentlyIsLeftToTheTypedValue() {
        assertThat(shape("0.0001")).isEqualTo(PostgresText.OTHER);     // Java: 1.0E-4
        assertThat(shape("0.000999")).isEqualTo(PostgresText.OTHER);   // Java: 9.99E-4
        assertThat(shape("10000000")).isEqualTo(PostgresText.OTHER);   // Java: 1.0E7
        assertThat(shape("1e-05")).isEqualTo(PostgresText.OTHER);
        assertThat(shape("1.5e+20")).isEqualTo(PostgresText.OTHER);
        assertThat(shape("NaN")).isEqualTo(PostgresText.OTHER);
        assertThat(shape("-Infinity")).isEqualTo(PostgresText.OTHER);
        assertThat(shape("")).isEqualTo(PostgresText.OTHER);
        assertThat(shape("-")).isEqualTo(PostgresText.OTHER);
        assertThat(shape("1.")).isEqualTo(PostgresText.OTHER);
        assertThat(shape("01.5")).isEqualTo(PostgresText.OTHER);
        assertThat(shape("1.50")).isEqualTo(PostgresText.OTHER);
    }

    @Test
    void utcTimestampsGiveTheirFractionDigits() {
        assertThat(fraction("2026-01-01 00:00:00+00")).isZero();
        assertThat(fraction("2026-01-01 00:00:00.5+00")).isEqualTo(1);
        assertThat(fraction("2026-01-01 00:00:00.123456+00")).isEqualTo(6);
        assertThat(fraction("0001-01-01 00:00:00+00")).isZero();
    }

    @Test
    void otherTimestampShapesAreLeftToTheTypedValue() {
        assertThat(fraction("2026-01-01 00:00:00+01")).isEqualTo(-1);
        assertThat(fraction("2026-01-01 00:00:00+05:30")).isEqualTo(-1);
        assertThat(fraction("0044-03-15 12:00:00+00 BC")).isEqualTo(-1);
        assertThat(fraction("10000-01-01 00:00:00+00")).isEqualTo(-1);
        assertThat(fraction("infinity")).isEqualTo(-1);
        assertThat(fraction("2026-01-01T00:00:00+00")).isEqualTo(-1);
        assertThat(fraction("2026-01-01 00:00:00.+00")).isEqualTo(-1);
        assertThat(fraction("2026-01-01 00:00:00.1234567+00")).isEqualTo(-1);
    }
}
