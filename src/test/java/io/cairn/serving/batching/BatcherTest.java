package io.cairn.serving.batching;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.onnx.proto.OnnxMl.TensorProto;
import io.cairn.platform.error.CairnException;
import io.cairn.platform.error.ErrorCode;
import io.cairn.serving.OnnxModels;
import io.cairn.serving.TestSessions;
import io.cairn.serving.onnx.Datatype;
import io.cairn.serving.onnx.OnnxModel;
import io.cairn.serving.onnx.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The batcher's policy: fuse what meets, split back exactly, never make a lone request wait for the delay. */
class BatcherTest {

    private final List<OnnxModel> opened = new ArrayList<>();
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final List<Integer> runs = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() {
        pool.shutdownNow();
        opened.forEach(OnnxModel::close);
    }

    private OnnxModel open(byte[] bytes) {
        OnnxModel model = TestSessions.open(bytes);
        opened.add(model);
        return model;
    }

    private static Map<String, Tensor> rows(String input, float... values) {
        return Map.of(input, new Tensor(Datatype.FP32, new long[] {values.length / 2, 2}, values));
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void aLoneRequestRunsAtOnceEvenWithAnHourOfQueueDelay() throws Exception {
        Batcher batcher = new Batcher(open(OnnxModels.scaling(2, 2f)), 32, TimeUnit.HOURS.toMillis(1), 1,
                (requests, nanos) -> runs.add(requests));
        for (int i = 0; i < 3; i++) {
            batcher.arrive();
            Batcher.Outcome outcome = batcher.infer(rows("input", 1, 2), null);
            assertThat((float[]) outcome.outputs().get("output").data()).containsExactly(2f, 4f);
            assertThat(outcome.batchRequests()).isEqualTo(1);
        }
        assertThat(runs).containsExactly(1, 1, 1);
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void requestsAnnouncedTogetherAreFusedIntoOneRunAndSplitBackRowByRow() throws Exception {
        Batcher batcher = new Batcher(open(OnnxModels.scaling(2, 3f)), 32, TimeUnit.HOURS.toMillis(1), 1,
                (requests, nanos) -> runs.add(requests));
        // All three are inside the server before any of them is submitted: the first to submit leads and waits
        // for the other two, which it knows are coming.
        batcher.arrive();
        batcher.arrive();
        batcher.arrive();
        Future<Batcher.Outcome> one = pool.submit(() -> batcher.infer(rows("input", 1, 2), null));
        Future<Batcher.Outcome> two = pool.submit(() -> batcher.infer(rows("input", 3, 4, 5, 6), null));
        Future<Batcher.Outcome> three = pool.submit(() -> batcher.infer(rows("input", 7, 8), List.of("output")));
        assertThat((float[]) one.get().outputs().get("output").data()).containsExactly(3f, 6f);
        assertThat(two.get().outputs().get("output").shape()).containsExactly(2, 2);
        assertThat((float[]) two.get().outputs().get("output").data()).containsExactly(9f, 12f, 15f, 18f);
        assertThat((float[]) three.get().outputs().get("output").data()).containsExactly(21f, 24f);
        assertThat(one.get().batchRequests()).isEqualTo(3);
        assertThat(runs).containsExactly(3);
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void aRequestThatWithdrawsReleasesTheWaitingLeader() throws Exception {
        Batcher batcher = new Batcher(open(OnnxModels.scaling(2, 1f)), 32, TimeUnit.HOURS.toMillis(1), 1,
                (requests, nanos) -> runs.add(requests));
        batcher.arrive();
        batcher.arrive();
        Follower leader = Follower.start(batcher, rows("input", 1, 2));
        leader.awaitCollecting();
        batcher.depart(); // the second request turned out malformed
        assertThat(leader.outcome().batchRequests()).isEqualTo(1);
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void requestsStackOnlyWithOthersOfTheSameTrailingShape() throws Exception {
        Batcher batcher = new Batcher(open(OnnxModels.identity(TensorProto.DataType.FLOAT_VALUE, -1, -2)), 32,
                TimeUnit.HOURS.toMillis(1), 1, (requests, nanos) -> runs.add(requests));
        for (int i = 0; i < 4; i++) {
            batcher.arrive();
        }
        Future<Batcher.Outcome> a = pool.submit(() -> batcher.infer(Map.of("x",
                new Tensor(Datatype.FP32, new long[] {1, 2}, new float[] {1, 2})), null));
        Future<Batcher.Outcome> b = pool.submit(() -> batcher.infer(Map.of("x",
                new Tensor(Datatype.FP32, new long[] {1, 3}, new float[] {3, 4, 5})), null));
        Future<Batcher.Outcome> c = pool.submit(() -> batcher.infer(Map.of("x",
                new Tensor(Datatype.FP32, new long[] {2, 2}, new float[] {6, 7, 8, 9})), null));
        Future<Batcher.Outcome> d = pool.submit(() -> batcher.infer(Map.of("x",
                new Tensor(Datatype.FP32, new long[] {1, 3}, new float[] {10, 11, 12})), null));
        assertThat((float[]) a.get().outputs().get("y").data()).containsExactly(1f, 2f);
        assertThat((float[]) b.get().outputs().get("y").data()).containsExactly(3f, 4f, 5f);
        assertThat((float[]) c.get().outputs().get("y").data()).containsExactly(6f, 7f, 8f, 9f);
        assertThat((float[]) d.get().outputs().get("y").data()).containsExactly(10f, 11f, 12f);
        assertThat(runs).containsExactlyInAnyOrder(2, 2);
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void aBatchNeverExceedsMaxBatchSizeRows() throws Exception {
        Batcher batcher = new Batcher(open(OnnxModels.scaling(2, 1f)), 3, TimeUnit.HOURS.toMillis(1), 1,
                (requests, nanos) -> runs.add(requests));
        for (int i = 0; i < 3; i++) {
            batcher.arrive();
        }
        List<Future<Batcher.Outcome>> calls = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            float v = i;
            calls.add(pool.submit(() -> batcher.infer(rows("input", v, v, v, v), null)));
        }
        for (int i = 0; i < 3; i++) {
            float[] out = (float[]) calls.get(i).get().outputs().get("output").data();
            assertThat(out).containsExactly(i, i, i, i);
        }
        // Two rows each, at most three rows per run: no two requests fit together.
        assertThat(runs).containsExactly(1, 1, 1);
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void withSeveralRunSlotsRequestsKnownToBeComingStillJoinTheCollectingLeader() throws Exception {
        Batcher batcher = new Batcher(open(OnnxModels.scaling(2, 3f)), 32, TimeUnit.HOURS.toMillis(1), 4,
                (requests, nanos) -> runs.add(requests));
        for (int i = 0; i < 3; i++) {
            batcher.arrive();
        }
        List<Future<Batcher.Outcome>> calls = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            float v = i + 1;
            calls.add(pool.submit(() -> batcher.infer(rows("input", v, v), null)));
        }
        for (int i = 0; i < 3; i++) {
            assertThat((float[]) calls.get(i).get().outputs().get("output").data()).containsExactly(3f * (i + 1),
                    3f * (i + 1));
        }
        assertThat(runs).containsExactly(3);
        // And a lone request afterwards still runs at once.
        batcher.arrive();
        assertThat(batcher.infer(rows("input", 1, 1), null).batchRequests()).isEqualTo(1);
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void requestsThatTogetherWouldExceedOneTensorsSizeRunInSeveralRuns() throws Exception {
        // 20 bytes per stacked input at most: two requests of one row (8 bytes each) fit together, a third does not.
        // (The real limit is ONNX Runtime's 2 GB per tensor; beyond it a fused run failed for every request in it.)
        Batcher batcher = new Batcher(open(OnnxModels.scaling(2, 2f)), 32, TimeUnit.HOURS.toMillis(1), 1,
                (requests, nanos) -> runs.add(requests), 20);
        for (int i = 0; i < 5; i++) {
            batcher.arrive();
        }
        List<Future<Batcher.Outcome>> calls = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            float v = i;
            calls.add(pool.submit(() -> batcher.infer(rows("input", v, 1), null)));
        }
        for (int i = 0; i < 5; i++) {
            assertThat((float[]) calls.get(i).get().outputs().get("output").data()).containsExactly(2f * i, 2f);
        }
        assertThat(runs).containsExactly(2, 2, 1);
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void anInterruptedRequestStillQueuedLeavesTheQueueAndFailsWithoutRunning() throws Exception {
        // At most three rows per run: the leader's two rows leave no room for the queued request's two, so it stays
        // queued while the leader waits (an hour) for the third request it was told about.
        Batcher batcher = new Batcher(open(OnnxModels.scaling(2, 2f)), 3, TimeUnit.HOURS.toMillis(1), 1,
                (requests, nanos) -> runs.add(requests));
        for (int i = 0; i < 3; i++) {
            batcher.arrive();
        }
        Follower leader = Follower.start(batcher, rows("input", 1, 2, 3, 4));
        leader.awaitCollecting();
        Follower queued = Follower.start(batcher, rows("input", 5, 6, 7, 8));
        queued.awaitParked(batcher);
        queued.thread.interrupt();
        // Before, park returned at once while the flag was set and the thread spun here until the test timed out.
        queued.thread.join();
        assertThat(queued.error).isInstanceOf(CairnException.class);
        assertThat(((CairnException) queued.error).code()).isEqualTo(ErrorCode.TEMPORARILY_UNAVAILABLE);
        assertThat(queued.interruptedAfter).as("the interrupt is given back to the caller").isTrue();
        batcher.depart(); // the third request never comes
        assertThat((float[]) leader.outcome().outputs().get("output").data()).containsExactly(2f, 4f, 6f, 8f);
        // The withdrawn request was not run, and it left nothing behind: a lone request runs at once.
        batcher.arrive();
        assertThat(batcher.infer(rows("input", 5, 6), null).batchRequests()).isEqualTo(1);
        assertThat(runs).containsExactly(1, 1);
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void anInterruptedRequestAlreadyInARunningBatchGetsItsAnswerAndKeepsTheInterrupt() throws Exception {
        Batcher batcher = new Batcher(open(OnnxModels.scaling(2, 2f)), 32, TimeUnit.HOURS.toMillis(1), 1,
                (requests, nanos) -> runs.add(requests));
        for (int i = 0; i < 3; i++) {
            batcher.arrive();
        }
        Follower leader = Follower.start(batcher, rows("input", 1, 2));
        leader.awaitCollecting();
        Follower taken = Follower.start(batcher, rows("input", 3, 4));
        taken.awaitParked(batcher);
        taken.thread.interrupt();
        batcher.depart();
        taken.thread.join();
        assertThat(taken.error).isNull();
        assertThat((float[]) taken.outcome.outputs().get("output").data()).containsExactly(6f, 8f);
        assertThat(taken.interruptedAfter).isTrue();
        assertThat(leader.outcome().batchRequests()).isEqualTo(2);
        assertThat(runs).containsExactly(2);
    }

    /** A request on a thread of its own, so that the test can see where it waits, interrupt it and see its flag. */
    private static final class Follower {
        final Thread thread;
        volatile Batcher.Outcome outcome;
        volatile Exception error;
        volatile boolean interruptedAfter;

        private Follower(Batcher batcher, Map<String, Tensor> inputs) {
            thread = new Thread(() -> {
                try {
                    outcome = batcher.infer(inputs, null);
                } catch (Exception e) {
                    error = e;
                }
                interruptedAfter = Thread.currentThread().isInterrupted();
            });
            thread.setDaemon(true);
        }

        static Follower start(Batcher batcher, Map<String, Tensor> inputs) {
            Follower follower = new Follower(batcher, inputs);
            follower.thread.start();
            return follower;
        }

        /** The leader waits (timed) for the requests it was told about; its lock waits are untimed. */
        void awaitCollecting() {
            await().until(() -> thread.getState() == Thread.State.TIMED_WAITING);
        }

        Batcher.Outcome outcome() throws Exception {
            thread.join();
            if (error != null) {
                throw error;
            }
            return outcome;
        }

        /** Parked by the batcher itself (not on its lock, whose parks name the lock's own object). */
        void awaitParked(Batcher batcher) {
            await().until(() -> LockSupport.getBlocker(thread) == batcher);
        }
    }

    @Test
    void modelsWithAFixedFirstDimensionAndBatchSizeOneAreNotBatched() {
        OnnxModel fixed = open(OnnxModels.identity(TensorProto.DataType.FLOAT_VALUE, 1, 2));
        assertThat(new Batcher(fixed, 32, 2, 1, (r, n) -> { }).batching()).isFalse();
        assertThat(new Batcher(open(OnnxModels.scaling(2, 1f)), 1, 2, 1, (r, n) -> { }).batching()).isFalse();
        assertThat(new Batcher(open(OnnxModels.scaling(2, 1f)), 2, 2, 1, (r, n) -> { }).batching()).isTrue();
    }
}
