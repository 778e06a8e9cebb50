package io.cairn.serving.deployments;

import io.cairn.serving.batching.Batcher;
import io.cairn.serving.deployments.ServingMetrics.ModelMeters;
import io.cairn.serving.onnx.OnnxModel;
import io.micrometer.core.instrument.Gauge;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One model version loaded for one alias of a deployment: its session, its batcher, its meters and a count of the
 * requests using it. Once {@linkplain #retire() retired} (another version took its place, or the deployment went
 * away) it accepts no new requests and closes its session when the last one in flight finishes.
 */
public final class ServedModel {

    private static final int RETIRED = 1 << 30;
    private static final int CLOSED = 1 << 29;

    private final String deployment;
    private final String model;
    private final int version;
    private final String alias;
    private final LoadKey loadKey;
    private final List<String> featureRefs;
    private final OnnxModel onnx;
    private final Batcher batcher;
    private final ModelMeters meters;
    private final ServingMetrics metrics;
    private final Instant loadedAt;
    private final AtomicInteger state = new AtomicInteger();
    private volatile Gauge loadedGauge;

    ServedModel(String deployment, String model, int version, String alias, LoadKey loadKey, List<String> featureRefs,
                OnnxModel onnx, int maxBatchSize, int maxQueueDelayMs, int concurrentBatches, ServingMetrics metrics,
                Instant loadedAt) {
        this.deployment = deployment;
        this.model = model;
        this.version = version;
        this.alias = alias;
        this.loadKey = loadKey;
        this.featureRefs = featureRefs;
        this.onnx = onnx;
        this.metrics = metrics;
        this.meters = metrics.forVersion(deployment, String.valueOf(version));
        this.batcher = new Batcher(onnx, maxBatchSize, maxQueueDelayMs, concurrentBatches,
                (requests, nanos) -> meters.batch(requests));
        this.loadedAt = loadedAt;
    }

    /** What a loaded session was made from; a deployment whose key changed is loaded again. */
    record LoadKey(String alias, int version, String device, int maxBatchSize, int maxQueueDelayMs) {
    }

    public String deployment() {
        return deployment;
    }

    public String model() {
        return model;
    }

    public int version() {
        return version;
    }

    public String versionText() {
        return String.valueOf(version);
    }

    public String alias() {
        return alias;
    }

    LoadKey loadKey() {
        return loadKey;
    }

    /** The {@code view:feature} references of the model's input columns, from the version's cairn.features tag. */
    public List<String> featureRefs() {
        return featureRefs;
    }

    public OnnxModel onnx() {
        return onnx;
    }

    public Batcher batcher() {
        return batcher;
    }

    public ModelMeters meters() {
        return meters;
    }

    Instant loadedAt() {
        return loadedAt;
    }

    /** Counts a request in, unless the model is retired. */
    boolean tryAcquire() {
        while (true) {
            int s = state.get();
            if ((s & RETIRED) != 0) {
                return false;
            }
            if (state.compareAndSet(s, s + 1)) {
                return true;
            }
        }
    }

    void release() {
        if (state.decrementAndGet() == RETIRED) {
            closeOnce();
        }
    }

    /** Called once the model became the one its slot serves. */
    void serving() {
        loadedGauge = metrics.loaded(deployment, alias, model, versionText(), onnx.device());
    }

    /**
     * Stops taking requests; the session closes once the requests in flight are done. Only called after the slot
     * stopped handing this model out.
     */
    void retire() {
        Gauge gauge = loadedGauge;
        if (gauge != null) {
            metrics.unloaded(gauge);
        }
        if (state.updateAndGet(s -> s | RETIRED) == RETIRED) {
            closeOnce();
        }
    }

    /** Whether the session is closed (retired and drained). */
    public boolean closed() {
        return (state.get() & CLOSED) != 0;
    }

    private void closeOnce() {
        if (state.compareAndSet(RETIRED, RETIRED | CLOSED)) {
            onnx.close();
        }
    }
}
