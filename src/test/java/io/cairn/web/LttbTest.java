package io.cairn.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LttbTest {

    @Test
    void aShortSeriesIsKeptWhole() {
        long[] xs = {0, 1, 2, 3};
        double[] ys = {1, 2, 3, 4};
        assertThat(Lttb.select(xs, ys, 10)).containsExactly(0, 1, 2, 3);
    }

    @Test
    void keepsTheEndsAndAtMostTheThresholdInAscendingOrder() {
        int n = 100_000;
        long[] xs = new long[n];
        double[] ys = new double[n];
        Random random = new Random(7);
        for (int i = 0; i < n; i++) {
            xs[i] = i;
            ys[i] = random.nextGaussian();
        }
        int[] kept = Lttb.select(xs, ys, 2000);
        assertThat(kept).hasSize(2000);
        assertThat(kept[0]).isZero();
        assertThat(kept[1999]).isEqualTo(n - 1);
        for (int i = 1; i < kept.length; i++) {
            assertThat(kept[i]).isGreaterThan(kept[i - 1]);
        }
    }

    @Test
    void choosesTheLargestTriangleInEachBucketAsComputedByHand() {
        // 8 points, threshold 4: two buckets of 3 points between the ends, [1,2,3] and [4,5,6].
        long[] xs = {0, 1, 2, 3, 4, 5, 6, 7};
        double[] ys = {0, 0, 5, 0, 0, -3, 0, 0};
        // Bucket 1, a = (0,0), next bucket's mean = (5, -1): the area |(0-5)(y-0) - (0-x)(-1-0)| is largest at x=2
        // (|-25 - 2| = 27 against 1 and 3). Bucket 2, a = (2,5), next = the last point (7,0): largest at x=5.
        assertThat(Lttb.select(xs, ys, 4)).containsExactly(0, 2, 5, 7);
    }

    @Test
    void aSpikeSurvivesDownsampling() {
        int n = 10_000;
        long[] xs = new long[n];
        double[] ys = new double[n];
        for (int i = 0; i < n; i++) {
            xs[i] = i;
            ys[i] = Math.sin(i / 50.0);
        }
        ys[6543] = 100;
        assertThat(Arrays.stream(Lttb.select(xs, ys, 500)).boxed()).contains(6543);
    }

    @Test
    void nonFiniteValuesAreNotChosenOverFiniteOnes() {
        long[] xs = {0, 1, 2, 3, 4, 5, 6, 7};
        double[] ys = {0, Double.NaN, Double.NaN, 1, 2, Double.POSITIVE_INFINITY, 3, 0};
        int[] kept = Lttb.select(xs, ys, 4);
        assertThat(kept[1]).isEqualTo(3);
        assertThat(kept[2]).isIn(4, 6);
    }
}
