package io.cairn.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ValueTypeTest {

    @Test
    void textIsReadStrictlyPerType() {
        assertThat(ValueType.INT64.fromText("9007199254740993")).isEqualTo(9007199254740993L);
        assertThat(ValueType.INT64.fromText("3.0")).isEqualTo(3L);
        assertThat(ValueType.INT32.fromText("-7")).isEqualTo(-7);
        assertThat(ValueType.FLOAT64.fromText("1e-3")).isEqualTo(0.001);
        assertThat(ValueType.FLOAT64.fromText("NaN")).isEqualTo(Double.NaN);
        assertThat(ValueType.FLOAT64.fromText("-inf")).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(ValueType.FLOAT32.fromText("0.1")).isEqualTo(0.1f);
        assertThat(ValueType.BOOL.fromText("TRUE")).isEqualTo(true);
        assertThat(ValueType.BOOL.fromText("0")).isEqualTo(false);
        assertThat(ValueType.STRING.fromText(" x ")).isEqualTo(" x ");
    }

    @Test
    void valuesThatDoNotFitAreRejectedWithTheType() {
        assertThatThrownBy(() -> ValueType.INT64.fromText("3.5")).hasMessage("expected a INT64 value, got '3.5'");
        assertThatThrownBy(() -> ValueType.INT32.fromText("3000000000")).hasMessageContaining("INT32");
        assertThatThrownBy(() -> ValueType.FLOAT64.fromText("1d")).hasMessageContaining("FLOAT64");
        assertThatThrownBy(() -> ValueType.FLOAT64.fromText("1e400")).hasMessageContaining("out of range");
        assertThatThrownBy(() -> ValueType.FLOAT32.fromText("1e40")).hasMessageContaining("out of range");
        assertThatThrownBy(() -> ValueType.BOOL.fromText("yes")).hasMessageContaining("BOOL");
        assertThatThrownBy(() -> ValueType.STRING.fromText("a\0b")).hasMessageContaining("NUL");
    }
}
