package io.cairn.serving.log;

import io.cairn.serving.PredictionsLogged;
import io.cairn.serving.ServingProperties;
import io.cairn.serving.onnx.Tensor;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.RecoverableDataAccessException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

/**
 * The prediction log: requests hand their records to a bounded in-memory queue and return; one background thread
 * writes what is queued to PostgreSQL in batches. When the queue is full (the database is slow or down) new records
 * are dropped, never waited for, and counted in {@code cairn_prediction_log_dropped_total} per deployment; a batch
 * the database refuses is dropped and counted the same way. Logging therefore never slows or fails a prediction.
 *
 * <p>A batch refused for what one record holds (a value the database cannot store, such as a NUL in an entity key) is
 * written again record by record, so only that record is dropped: otherwise a client could keep other clients'
 * predictions out of the log, up to a batch at a time, with one request each. A batch refused because the database is
 * unreachable or busy is dropped whole, without retrying each record against it.
 *
 * <p>The writer survives any failure of a batch, Errors included; if its thread is gone anyway, {@link #problem()} says
 * so and the replica's readiness goes down.
 */
@Component
public class PredictionLog implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(PredictionLog.class);
    private static final long ERROR_BACKOFF_MILLIS = 1000;

    /** Where batches go: the prediction_log table. */
    interface Sink {
        void write(List<PredictionRecord> batch);
    }

    private final ServingProperties.PredictionLog settings;
    private final Sink sink;
    private final MeterRegistry registry;
    private final ApplicationEventPublisher events;
    private final BlockingQueue<PredictionRecord> queue;
    private final Map<String, Counter> dropped = new ConcurrentHashMap<>();
    private volatile boolean running;
    private volatile Thread writer;
    private boolean failing;
    private long lastRefusalLoggedNanos;
    private long lastListenerFailureLoggedNanos;

    @Autowired
    PredictionLog(ServingProperties properties, PredictionLogStore store, MeterRegistry registry,
                  ApplicationEventPublisher events) {
        this(properties.predictionLog(), store, registry, events);
    }

    PredictionLog(ServingProperties.PredictionLog settings, Sink sink, MeterRegistry registry) {
        this(settings, sink, registry, event -> { });
    }

    PredictionLog(ServingProperties.PredictionLog settings, Sink sink, MeterRegistry registry,
                  ApplicationEventPublisher events) {
        this.settings = settings;
        this.sink = sink;
        this.registry = registry;
        this.events = events;
        this.queue = new ArrayBlockingQueue<>(Math.max(1, settings.capacity()));
    }

    /** Whether input tensors are logged (else only entity keys, outputs and timings). */
    public boolean logsInputs() {
        return settings.logInputs();
    }

    /** Queues the record for writing, or drops and counts it when the queue is full. Never blocks. */
    public void offer(PredictionRecord record) {
        if (!settings.enabled()) {
            return;
        }
        if (!queue.offer(record)) {
            droppedCounter(record.deployment()).increment();
        }
    }

    /** Makes the deployment's dropped-records counter visible (at 0) before anything was dropped. */
    public void track(String deployment) {
        droppedCounter(deployment);
    }

    /** Records dropped so far for a deployment. */
    public double dropped(String deployment) {
        return droppedCounter(deployment).count();
    }

    private Counter droppedCounter(String deployment) {
        return dropped.computeIfAbsent(deployment, d -> Counter.builder("cairn.prediction.log.dropped")
                .description("Prediction log records dropped because the queue was full or the database refused them")
                .tag("deployment", d)
                .register(registry));
    }

    private void drain() {
        List<PredictionRecord> batch = new ArrayList<>(settings.batchSize());
        while (running || !queue.isEmpty()) {
            PredictionRecord first;
            try {
                first = queue.poll(200, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (first == null) {
                continue;
            }
            try {
                batch.add(first);
                queue.drainTo(batch, Math.max(0, settings.batchSize() - 1));
                write(batch);
            } catch (Throwable e) {
                // Only reached when handling a failed write failed too (say, logging it ran out of memory): the
                // records are lost either way, and this thread must not be.
                batch.forEach(r -> droppedCounter(r.deployment()).increment());
                if (!backOff()) {
                    return;
                }
            } finally {
                batch.clear();
            }
        }
    }

    /**
     * Writes one batch; a failure drops the batch (counted), so the queue keeps moving. Errors are caught too: an
     * OutOfMemoryError while binding a large batch once ended this thread, and with it the log, while predictions went
     * on being answered.
     */
    void write(List<PredictionRecord> batch) {
        if (batch.isEmpty()) {
            return;
        }
        try {
            sink.write(batch);
            if (failing) {
                log.info("Prediction log writes work again");
                failing = false;
            }
        } catch (Throwable e) {
            failed(batch, e);
            return;
        }
        announce(batch);
    }

    private void failed(List<PredictionRecord> batch, Throwable e) {
        if (e instanceof RuntimeException runtime && batch.size() > 1 && !unavailable(runtime)) {
            writeEach(batch);
            return;
        }
        batch.forEach(r -> droppedCounter(r.deployment()).increment());
        if (!failing || e instanceof Error) {
            log.warn("Writing {} prediction log records failed; they are dropped (and counted) until writes "
                    + "work again", batch.size(), e);
            failing = true;
        }
        if (e instanceof Error) {
            backOff();
        }
    }

    /**
     * Tells other modules what was written ({@link PredictionsLogged}). A listener's failure is theirs: it is logged
     * (a line a minute at most) and the log goes on.
     */
    private void announce(List<PredictionRecord> written) {
        if (written.isEmpty()) {
            return;
        }
        try {
            List<PredictionsLogged.LoggedPrediction> logged = new ArrayList<>(written.size());
            for (PredictionRecord r : written) {
                logged.add(new PredictionsLogged.LoggedPrediction(r.id(), r.deployment(), r.model(), r.version(),
                        r.alias(), r.requestId(), rows(r), r.latencyMs(), r.createdAt(), values(r.inputs()),
                        values(r.outputs()), r.tags() == null ? Map.of() : r.tags(), keys(r.entityKeys())));
            }
            events.publishEvent(new PredictionsLogged(logged));
        } catch (Throwable e) {
            long now = System.nanoTime();
            if (lastListenerFailureLoggedNanos == 0
                    || now - lastListenerFailureLoggedNanos > TimeUnit.MINUTES.toNanos(1)) {
                lastListenerFailureLoggedNanos = now;
                log.warn("A listener of logged predictions failed on {} records; the log itself is written",
                        written.size(), e);
            }
        }
    }

    private static Map<String, PredictionsLogged.Values> values(Map<String, Tensor> tensors) {
        if (tensors == null || tensors.isEmpty()) {
            return Map.of();
        }
        Map<String, PredictionsLogged.Values> values = new LinkedHashMap<>(tensors.size() * 2);
        tensors.forEach((name, t) -> values.put(name,
                new PredictionsLogged.Values(t.datatype().name(), t.shape(), t.data())));
        return values;
    }

    /** Entity keys as plain values: integers as Long, other numbers as Double, text as String. */
    private static Map<String, List<Object>> keys(Map<String, List<JsonNode>> keys) {
        if (keys == null || keys.isEmpty()) {
            return Map.of();
        }
        Map<String, List<Object>> out = new LinkedHashMap<>(keys.size() * 2);
        keys.forEach((name, values) -> {
            List<Object> plain = new ArrayList<>(values.size());
            for (JsonNode v : values) {
                plain.add(v == null || v.isNull() ? null : v.isIntegralNumber() ? (Object) v.asLong()
                        : v.isNumber() ? (Object) v.asDouble() : v.isBoolean() ? (Object) v.asBoolean() : v.asString());
            }
            out.put(name, plain);
        });
        return out;
    }

    /** The rows a prediction answered: the first dimension of its first output (1 for a scalar). */
    private static int rows(PredictionRecord record) {
        for (var output : record.outputs().values()) {
            long[] shape = output.shape();
            return shape.length == 0 ? 1 : (int) Math.min(Integer.MAX_VALUE, Math.max(0, shape[0]));
        }
        return 1;
    }

    /** Whether the database could not be reached or was too busy, rather than refusing what a record holds. */
    private static boolean unavailable(RuntimeException e) {
        return e instanceof DataAccessResourceFailureException || e instanceof TransientDataAccessException
                || e instanceof RecoverableDataAccessException;
    }

    private void writeEach(List<PredictionRecord> batch) {
        List<PredictionRecord> written = new ArrayList<>(batch.size());
        for (PredictionRecord record : batch) {
            try {
                sink.write(List.of(record));
                written.add(record);
            } catch (RuntimeException e) {
                droppedCounter(record.deployment()).increment();
                long now = System.nanoTime();
                // One line a minute at most: the records are counted, and a client sending such values on purpose
                // must not be able to flood the log either.
                if (lastRefusalLoggedNanos == 0 || now - lastRefusalLoggedNanos > TimeUnit.MINUTES.toNanos(1)) {
                    lastRefusalLoggedNanos = now;
                    log.warn("The database refused prediction log record {} of deployment {}; it is dropped (and "
                            + "counted), the rest of its batch is written", record.id(), record.deployment(), e);
                }
            }
        }
        announce(written);
    }

    /** After an Error, gives the JVM a second (to collect garbage, say) before the next batch; false if interrupted. */
    private boolean backOff() {
        try {
            Thread.sleep(ERROR_BACKOFF_MILLIS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Why predictions are not being written, or empty while the writer runs: part of serving's readiness
     * ({@code ServingHealthIndicator}).
     */
    public Optional<String> problem() {
        Thread w = writer;
        if (!running || w == null) {
            return Optional.of("the prediction log writer is not running");
        }
        if (!w.isAlive()) {
            return Optional.of("the prediction log writer thread has stopped, so predictions are no longer logged "
                    + "(the server log says why); restart the replica");
        }
        return Optional.empty();
    }

    /** The writer thread, for tests. */
    Thread writerThread() {
        return writer;
    }

    @Override
    public void start() {
        running = true;
        writer = new Thread(this::drain, "cairn-prediction-log");
        writer.setDaemon(true);
        writer.start();
    }

    /** Stops after writing what is queued (bounded by 10 s). */
    @Override
    public void stop() {
        running = false;
        try {
            writer.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Stops after the web server has finished its requests, so their records are written too. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 4096;
    }
}
