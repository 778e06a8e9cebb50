package io.cairn.platform.scheduling;

import java.time.Duration;
import java.util.function.IntSupplier;

/**
 * The loop of a clean-up job that deletes in batches, each its own statement, so it never holds locks or a snapshot
 * for long: batches run while each is full and the run's time budget lasts, and the next run carries on.
 */
public final class BatchedRun {

    /** What a run did: rows removed, and whether it stopped with a full batch (so more remain). */
    public record Outcome(long done, boolean moreRemain) {
    }

    private BatchedRun() {
    }

    /** Runs {@code batch} (which returns how many rows it handled, at most {@code size}) until one is not full. */
    public static Outcome repeat(int size, Duration budget, IntSupplier batch) {
        long deadline = System.nanoTime() + budget.toNanos();
        long done = 0;
        int n;
        do {
            n = batch.getAsInt();
            done += n;
        } while (n == size && System.nanoTime() < deadline);
        return new Outcome(done, n == size);
    }
}
