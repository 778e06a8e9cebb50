package io.cairn.platform.scheduling;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchedRunTest {

    @Test
    void batchesRunWhileFullAndTheLastOneTellsWhetherMoreRemain() {
        ArrayDeque<Integer> sizes = new ArrayDeque<>(List.of(10, 10, 3, 10));
        BatchedRun.Outcome run = BatchedRun.repeat(10, Duration.ofMinutes(1), sizes::poll);
        assertThat(run).isEqualTo(new BatchedRun.Outcome(23, false));
        assertThat(sizes).containsExactly(10);
    }

    @Test
    void aSpentBudgetEndsTheRunAfterTheCurrentBatchWithMoreRemaining() {
        int[] calls = {0};
        BatchedRun.Outcome run = BatchedRun.repeat(5, Duration.ZERO, () -> {
            calls[0]++;
            return 5;
        });
        assertThat(calls[0]).isEqualTo(1);
        assertThat(run).isEqualTo(new BatchedRun.Outcome(5, true));
    }
}
