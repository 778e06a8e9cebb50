package io.cairn.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The guard's interval of a difference, against Newcombe's published example of his method 10. */
class CanaryGuardianTest {

    @Test
    void theDifferenceOfTwoWilsonIntervalsIsNewcombesHybridInterval() {
        // Newcombe (1998), Table II, example (a): 56/70 against 48/80, difference 0.2000, 95% CI 0.0524 to 0.3339.
        CanaryGuardian.Comparison c = CanaryGuardian.worseWhenLower(QualityMetrics.wilson(56, 70), 70,
                QualityMetrics.wilson(48, 80), 80);
        assertThat(c.degradation()).isCloseTo(0.2, within(1e-12));
        assertThat(c.degradationLow()).isCloseTo(0.0524, within(5e-5));
        // The same pair seen as error rates (higher is worse) gives the same bound.
        CanaryGuardian.Comparison errors = CanaryGuardian.worseWhenHigher(QualityMetrics.wilson(48, 80), 80,
                QualityMetrics.wilson(56, 70), 70);
        assertThat(errors.degradationLow()).isCloseTo(0.0524, within(5e-5));
    }
}
