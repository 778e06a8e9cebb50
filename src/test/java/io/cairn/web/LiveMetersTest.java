package io.cairn.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.CountingMode;
import io.micrometer.core.instrument.simple.SimpleConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class LiveMetersTest {

    @Test
    void quantilesInterpolateInsideTheirBucketAsHistogramQuantileDoes() {
        TreeMap<Double, Double> cumulative = new TreeMap<>();
        cumulative.put(1.0, 10.0);
        cumulative.put(2.0, 30.0);
        cumulative.put(4.0, 40.0);
        // p50: rank 20 of 40 falls in (1, 2], 10 of its 20 counts in: 1.5. p99: rank 39.6 in (2, 4], 9.6 of 10: 3.92.
        assertThat(LiveMeters.quantile(cumulative, 0.50)).isCloseTo(1.5, within(1e-12));
        assertThat(LiveMeters.quantile(cumulative, 0.99)).isCloseTo(3.92, within(1e-12));
        assertThat(LiveMeters.quantile(new TreeMap<>(), 0.5)).isNull();
    }

    @Test
    void aDeploymentFirstSeenAfterAPassCountsFromZeroAtThatPass() {
        // Cumulative, as the Prometheus registry the server runs with (the simple registry's default steps reset);
        // explicit buckets, as the simple registry makes none for a percentile histogram.
        SimpleMeterRegistry registry = new SimpleMeterRegistry(new SimpleConfig() {
            @Override
            public String get(String key) {
                return null;
            }

            @Override
            public CountingMode mode() {
                return CountingMode.CUMULATIVE;
            }
        }, Clock.SYSTEM);
        LiveMeters meters = new LiveMeters(registry);
        meters.sampleAll(); // a pass before the deployment has any meter
        Counter ok = Counter.builder("cairn.inference.requests").tags("deployment", "d", "model_version", "1",
                "outcome", "success").register(registry);
        Counter failed = Counter.builder("cairn.inference.requests").tags("deployment", "d", "model_version", "1",
                "outcome", "error").register(registry);
        Timer total = Timer.builder("cairn.inference.latency").tags("deployment", "d", "model_version", "1", "stage",
                "total").serviceLevelObjectives(Duration.ofMillis(1), Duration.ofMillis(5)).register(registry);
        ok.increment(7);
        failed.increment(1);
        for (int i = 0; i < 7; i++) {
            total.record(Duration.ofMillis(2));
        }
        LiveMeters.Live live = meters.live("d");
        assertThat(live.requests()).isEqualTo(8);
        assertThat(live.errors()).isEqualTo(1);
        assertThat(live.qps()).isPositive();
        // All 7 in (1 ms, 5 ms]: rank 3.5 of 7 interpolates to the bucket's middle.
        assertThat(live.p50Ms()).isCloseTo(3.0, within(1e-9));

        meters.sampleAll(); // now sampled: the next minute's figures count from here
        ok.increment(2);
        assertThat(meters.live("d").requests()).isEqualTo(10); // the zero sample is still the oldest in the window
    }
}
