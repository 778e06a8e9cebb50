package io.cairn.serving.batching;

import ai.onnxruntime.OrtException;
import io.cairn.platform.error.CairnException;
import io.cairn.platform.error.ErrorCode;
import io.cairn.serving.onnx.OnnxModel;
import io.cairn.serving.onnx.Tensor;
import io.cairn.serving.onnx.TensorSpec;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Dynamic batching for one loaded model. Requests that meet in the queue are stacked along the first dimension into
 * one ONNX Runtime run of at most {@code maxBatchSize} rows, and the outputs are split back per request.
 *
 * <p>Policy: at most {@code concurrentRuns} runs of this model are in progress through the batcher at a time (by
 * default one per core, as sessions run each inference on one thread). A request that finds a run slot free runs at
 * once on its own thread, together with whatever is queued; it waits up to {@code maxQueueDelay} for more only while
 * other requests for this model are already inside the server (announced with {@link #arrive()}, still being
 * decoded), and those join its batch instead of starting their own. So a lone request never waits. Requests that
 * arrive while every slot is busy queue up and form the next batch; when a run ends, the first queued request's
 * thread leads the next one. Under concurrent load batches therefore fill by themselves, and the delay only bounds
 * how long a leader waits for requests it knows are coming.
 *
 * <p>Without batching ({@code maxBatchSize} 1, or a model whose inputs or outputs have a fixed first dimension) every
 * request runs directly on its own thread, in parallel with the others. Requests are only stacked with others whose
 * inputs agree on every dimension after the first; a fused run that ONNX Runtime rejects as an invalid argument is
 * repeated request by request, so one bad request fails alone. Stacked inputs stay within what ONNX Runtime takes as
 * one tensor ({@link #MAX_FUSED_BYTES}): requests that together would not fit run in several smaller runs, since a run
 * too large to start would fail every request in it, including those of clients that sent a few rows.
 */
public final class Batcher {

    /** Told about every ORT run: how many requests it served and how long it took. */
    public interface RunListener {
        void ran(int requests, long computeNanos);
    }

    /** What a request gets back: its outputs, how long it queued, how long its run took, how many shared that run. */
    public record Outcome(Map<String, Tensor> outputs, long queueNanos, long computeNanos, int batchRequests) {
    }

    /**
     * The most bytes one stacked input may take: ONNX Runtime's Java API copies a tensor into one direct buffer,
     * which holds at most 2^31 - 1 bytes less eight elements, and the stacked Java array must fit in an int too.
     */
    static final long MAX_FUSED_BYTES = Integer.MAX_VALUE - 64;

    private static final int WAITING = 0;
    private static final int LEAD = 1;
    private static final int DONE = 2;

    private final OnnxModel model;
    private final int maxBatchSize;
    private final long maxDelayNanos;
    private final boolean batching;
    private final int concurrentRuns;
    private final RunListener listener;
    private final long maxFusedBytes;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private int running;
    private boolean collecting;
    private int arriving;

    /**
     * @param concurrentRuns how many batches of this model may run at the same time (at least one)
     */
    public Batcher(OnnxModel model, int maxBatchSize, long maxQueueDelayMillis, int concurrentRuns,
                   RunListener listener) {
        this(model, maxBatchSize, maxQueueDelayMillis, concurrentRuns, listener, MAX_FUSED_BYTES);
    }

    /** @param maxFusedBytes the most bytes one stacked input of a fused run may take (tests make it small) */
    Batcher(OnnxModel model, int maxBatchSize, long maxQueueDelayMillis, int concurrentRuns, RunListener listener,
            long maxFusedBytes) {
        this.maxFusedBytes = maxFusedBytes;
        this.model = model;
        this.maxBatchSize = Math.max(1, maxBatchSize);
        this.maxDelayNanos = TimeUnit.MILLISECONDS.toNanos(Math.max(0, maxQueueDelayMillis));
        this.batching = this.maxBatchSize > 1 && model.batchable();
        this.concurrentRuns = Math.max(1, concurrentRuns);
        this.listener = listener;
    }

    /** Whether requests are fused at all. */
    public boolean batching() {
        return batching;
    }

    /** Announces a request that will call {@link #infer} (or {@link #depart()}) soon. */
    public void arrive() {
        if (batching) {
            lock.lock();
            try {
                arriving++;
            } finally {
                lock.unlock();
            }
        }
    }

    /** Withdraws an announced request that will not call {@link #infer} (it was malformed). */
    public void depart() {
        if (batching) {
            lock.lock();
            try {
                arriving--;
                arrived.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * Runs one announced request, possibly together with others.
     *
     * @param inputs  every model input, checked against the model's metadata
     * @param outputs the outputs wanted, null for all
     */
    public Outcome infer(Map<String, Tensor> inputs, List<String> outputs) throws OrtException {
        Pending p = new Pending(inputs, outputs, System.nanoTime());
        if (!batching) {
            runAlone(p);
            return p.outcome();
        }
        boolean lead;
        boolean collect = false;
        lock.lock();
        try {
            arriving--;
            // A leader still collecting is waiting for exactly this request: join it rather than run alone.
            lead = !collecting && running < concurrentRuns;
            if (lead) {
                running++;
                // Decided here, under the same lock, so the requests it waits for cannot slip past and lead.
                collect = collecting = maxDelayNanos > 0 && arriving > 0;
            } else {
                queue.add(p);
                arrived.signalAll();
            }
        } finally {
            lock.unlock();
        }
        if (!lead) {
            boolean interrupted = awaitTurn(p);
            try {
                if (p.state == DONE) {
                    return p.outcome();
                }
                lead(p, collect);
                return p.outcome();
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        lead(p, collect);
        return p.outcome();
    }

    /**
     * Parks a queued request until a leader completed it or handed leadership over, and says whether its thread
     * was interrupted meanwhile. {@code park} returns at once while the interrupt flag is set, so the flag is cleared
     * here and given back by the caller. A request still in the queue when interrupted leaves it and fails with
     * {@link ErrorCode#TEMPORARILY_UNAVAILABLE} (the flag restored): nothing was run for it. One already taken into a
     * running batch, or just made leader, waits on: its rows are part of a run in progress, and a leader that walked
     * away would leave the queue behind it with nobody to start the next run.
     */
    private boolean awaitTurn(Pending p) {
        boolean interrupted = false;
        while (p.state == WAITING) {
            LockSupport.park(this);
            if (Thread.interrupted()) {
                interrupted = true;
                lock.lock();
                try {
                    // Leadership is handed over and batches are drained under this lock: a request still queued
                    // here is in nobody's hands.
                    if (queue.removeIf(q -> q == p)) {
                        Thread.currentThread().interrupt();
                        throw new CairnException(ErrorCode.TEMPORARILY_UNAVAILABLE,
                                "The request was interrupted while it waited for a batch; it was not run.");
                    }
                } finally {
                    lock.unlock();
                }
            }
        }
        return interrupted;
    }

    /** @param collecting whether this leader already holds the collecting role (set when it took the lead) */
    private void lead(Pending first, boolean collecting) {
        List<Pending> batch = new ArrayList<>();
        batch.add(first);
        long rows = first.rows;
        lock.lock();
        try {
            rows = drain(batch, rows);
            if (!collecting && maxDelayNanos > 0 && arriving > 0 && !this.collecting) {
                collecting = this.collecting = true;
            }
            if (collecting) {
                try {
                    long deadline = System.nanoTime() + maxDelayNanos;
                    while (rows < maxBatchSize && arriving > 0) {
                        long left = deadline - System.nanoTime();
                        if (left <= 0) {
                            break;
                        }
                        arrived.awaitNanos(left);
                        rows = drain(batch, rows);
                    }
                } finally {
                    this.collecting = false;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
        try {
            execute(batch);
        } finally {
            for (Pending p : batch) {
                if (p.result == null && p.error == null) {
                    p.error = new IllegalStateException("The batch this request was part of failed.");
                }
                if (p != first) {
                    p.state = DONE;
                    LockSupport.unpark(p.thread);
                }
            }
            lock.lock();
            try {
                Pending next = queue.poll();
                if (next == null) {
                    running--;
                } else {
                    next.state = LEAD;
                    LockSupport.unpark(next.thread);
                }
            } finally {
                lock.unlock();
            }
        }
    }

    /** Moves queued requests into the batch while they fit; called with the lock held. */
    private long drain(List<Pending> batch, long rows) {
        Pending head;
        while ((head = queue.peek()) != null && rows + head.rows <= maxBatchSize) {
            batch.add(queue.poll());
            rows += head.rows;
        }
        return rows;
    }

    private void execute(List<Pending> batch) {
        if (batch.size() == 1) {
            runAlone(batch.get(0));
            return;
        }
        Map<List<Object>, List<Pending>> groups = new LinkedHashMap<>();
        for (Pending p : batch) {
            groups.computeIfAbsent(p.rows == 0 ? List.of(p) : p.stackingKey(model), k -> new ArrayList<>()).add(p);
        }
        for (List<Pending> group : groups.values()) {
            for (List<Pending> run : fitting(group)) {
                if (run.size() == 1) {
                    runAlone(run.get(0));
                } else {
                    runFused(run);
                }
            }
        }
    }

    /** Splits a group, in order, into runs whose stacked inputs each stay within {@link #maxFusedBytes}. */
    private List<List<Pending>> fitting(List<Pending> group) {
        List<List<Pending>> runs = new ArrayList<>();
        List<Pending> run = new ArrayList<>();
        long[] bytes = new long[model.inputs().size()];
        for (Pending p : group) {
            boolean fits = true;
            long[] mine = new long[bytes.length];
            for (int i = 0; i < bytes.length; i++) {
                Tensor t = p.inputs.get(model.inputs().get(i).name());
                mine[i] = (long) t.length() * bytesPerElement(t.datatype());
                fits &= bytes[i] + mine[i] <= maxFusedBytes;
            }
            if (!fits && !run.isEmpty()) {
                runs.add(run);
                run = new ArrayList<>();
                java.util.Arrays.fill(bytes, 0);
            }
            run.add(p);
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] += mine[i];
            }
        }
        runs.add(run);
        return runs;
    }

    /** An element's size in the arrays a run is given (a reference for strings). */
    private static int bytesPerElement(io.cairn.serving.onnx.Datatype type) {
        return switch (type) {
            case BOOL, INT8, UINT8 -> 1;
            case INT16 -> 2;
            case INT32, FP32 -> 4;
            case INT64, FP64, BYTES -> 8;
        };
    }

    private void runAlone(Pending p) {
        long start = System.nanoTime();
        try {
            p.result = model.run(p.inputs, p.outputs);
        } catch (OrtException | RuntimeException e) {
            p.error = e;
        }
        long end = System.nanoTime();
        p.finish(start, end - start, 1);
        listener.ran(1, end - start);
    }

    private void runFused(List<Pending> group) {
        long totalRows = 0;
        for (Pending p : group) {
            totalRows += p.rows;
        }
        Map<String, Tensor> stacked = new LinkedHashMap<>();
        for (TensorSpec spec : model.inputs()) {
            List<Tensor> parts = new ArrayList<>(group.size());
            for (Pending p : group) {
                parts.add(p.inputs.get(spec.name()));
            }
            stacked.put(spec.name(), stack(parts, totalRows));
        }
        long start = System.nanoTime();
        Map<String, Tensor> outputs;
        try {
            outputs = model.run(stacked, null);
        } catch (OrtException e) {
            if (e.getCode() == OrtException.OrtErrorCode.ORT_INVALID_ARGUMENT) {
                group.forEach(this::runAlone);
                return;
            }
            long end = System.nanoTime();
            for (Pending p : group) {
                p.error = e;
                p.finish(start, end - start, group.size());
            }
            listener.ran(group.size(), end - start);
            return;
        } catch (RuntimeException e) {
            long end = System.nanoTime();
            for (Pending p : group) {
                p.error = e;
                p.finish(start, end - start, group.size());
            }
            listener.ran(group.size(), end - start);
            return;
        }
        long end = System.nanoTime();
        for (Tensor out : outputs.values()) {
            if (out.shape().length == 0 || out.shape()[0] != totalRows) {
                // The graph's output is not row-aligned with its input after all; serve each request on its own.
                group.forEach(this::runAlone);
                return;
            }
        }
        long offset = 0;
        for (Pending p : group) {
            Map<String, Tensor> mine = new LinkedHashMap<>();
            for (String name : p.outputs == null ? outputs.keySet() : p.outputs) {
                mine.put(name, slice(outputs.get(name), offset, p.rows, totalRows));
            }
            p.result = mine;
            p.finish(start, end - start, group.size());
            offset += p.rows;
        }
        listener.ran(group.size(), end - start);
    }

    static Tensor stack(List<Tensor> parts, long totalRows) {
        Tensor first = parts.get(0);
        long[] shape = first.shape().clone();
        shape[0] = totalRows;
        int total = 0;
        for (Tensor t : parts) {
            total = Math.addExact(total, t.length());
        }
        Object data = first.datatype().newArray(total);
        int at = 0;
        for (Tensor t : parts) {
            System.arraycopy(t.data(), 0, data, at, t.length());
            at += t.length();
        }
        return new Tensor(first.datatype(), shape, data);
    }

    static Tensor slice(Tensor t, long fromRow, long rows, long totalRows) {
        int perRow = Math.toIntExact(t.length() / totalRows);
        long[] shape = t.shape().clone();
        shape[0] = rows;
        int length = Math.toIntExact(Math.multiplyExact(rows, perRow));
        Object data = t.datatype().newArray(length);
        System.arraycopy(t.data(), Math.toIntExact(Math.multiplyExact(fromRow, perRow)), data, 0, length);
        return new Tensor(t.datatype(), shape, data);
    }

    private static final class Pending {
        final Map<String, Tensor> inputs;
        final List<String> outputs;
        final long rows;
        final long enqueuedAt;
        final Thread thread = Thread.currentThread();
        volatile int state = WAITING;
        Map<String, Tensor> result;
        Exception error;
        long startedAt;
        long computeNanos;
        int batchRequests;

        Pending(Map<String, Tensor> inputs, List<String> outputs, long enqueuedAt) {
            this.inputs = inputs;
            this.outputs = outputs;
            this.enqueuedAt = enqueuedAt;
            this.rows = inputs.isEmpty() ? 1 : inputs.values().iterator().next().rows();
        }

        /**
         * Requests stack only when every input agrees on the dimensions after the first; one whose inputs disagree
         * on the first dimension gets a key of its own.
         */
        List<Object> stackingKey(OnnxModel model) {
            List<Object> key = new ArrayList<>(model.inputs().size());
            for (TensorSpec spec : model.inputs()) {
                long[] shape = inputs.get(spec.name()).shape();
                if (shape[0] != rows) {
                    return List.of(this);
                }
                key.add(Arrays.toString(Arrays.copyOfRange(shape, 1, shape.length)));
            }
            return key;
        }

        void finish(long startedAt, long computeNanos, int batchRequests) {
            this.startedAt = startedAt;
            this.computeNanos = computeNanos;
            this.batchRequests = batchRequests;
        }

        Outcome outcome() throws OrtException {
            if (error instanceof OrtException ort) {
                throw ort;
            }
            if (error instanceof RuntimeException runtime) {
                throw runtime;
            }
            return new Outcome(result, Math.max(0, startedAt - enqueuedAt), computeNanos, batchRequests);
        }
    }
}
