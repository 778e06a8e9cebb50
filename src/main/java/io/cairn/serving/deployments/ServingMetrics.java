package io.cairn.serving.deployments;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.springframework.stereotype.Component;

/**
 * Serving's Prometheus meters. The names are a contract with the dashboards: {@code cairn_inference_requests_total}
 * (deployment, model_version, outcome), {@code cairn_inference_latency_seconds} (deployment, model_version, stage:
 * queue, compute, total), {@code cairn_inference_batch_size} (deployment, model_version) and
 * {@code cairn_model_loaded} (deployment, alias, model, model_version, device).
 */
@Component
public class ServingMetrics {

    private final MeterRegistry registry;
    private final Map<String, ModelMeters> meters = new ConcurrentHashMap<>();

    public ServingMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** The meters of one version served by one deployment, created on first use. */
    public ModelMeters forVersion(String deployment, String version) {
        return meters.computeIfAbsent(deployment + '\u0000' + version, k -> new ModelMeters(registry, deployment, version));
    }

    /** Registers {@code cairn_model_loaded = 1} for a version that became current; remove it when it is retired. */
    Gauge loaded(String deployment, String alias, String model, String version, String device) {
        return Gauge.builder("cairn.model.loaded", () -> 1)
                .description("1 while the version is loaded and serving for the deployment's alias")
                .tags("deployment", deployment, "alias", alias, "model", model, "model_version", version, "device", device)
                .register(registry);
    }

    void unloaded(Gauge gauge) {
        registry.remove(gauge);
    }

    /** Outcomes of one deployment and version counted since the last drain. */
    record Drained(String deployment, int version, long succeeded, long failed) {
    }

    /** Takes the outcomes counted since the last drain (for {@link OutcomeCounts}), leaving zeros. */
    List<Drained> drainOutcomes() {
        List<Drained> out = new ArrayList<>();
        for (ModelMeters m : meters.values()) {
            long ok = m.succeededSinceDrain.sumThenReset();
            long bad = m.failedSinceDrain.sumThenReset();
            if (ok + bad > 0) {
                out.add(new Drained(m.deployment, m.version, ok, bad));
            }
        }
        return out;
    }

    /** Puts back what a failed write of a drain took. */
    void restore(Drained d) {
        ModelMeters m = meters.get(d.deployment() + '\u0000' + d.version());
        if (m != null) {
            m.succeededSinceDrain.add(d.succeeded());
            m.failedSinceDrain.add(d.failed());
        }
    }

    /** Counters, timers and the batch-size summary of one deployment and version, looked up once. */
    public static final class ModelMeters {
        private final Counter success;
        private final Counter badRequest;
        private final Counter error;
        private final Timer queue;
        private final Timer compute;
        private final Timer total;
        private final DistributionSummary batchSize;
        private final String deployment;
        private final int version;
        private final LongAdder succeededSinceDrain = new LongAdder();
        private final LongAdder failedSinceDrain = new LongAdder();

        ModelMeters(MeterRegistry registry, String deployment, String version) {
            this.deployment = deployment;
            this.version = Integer.parseInt(version);
            success = requests(registry, deployment, version, "success");
            badRequest = requests(registry, deployment, version, "bad_request");
            error = requests(registry, deployment, version, "error");
            queue = latency(registry, deployment, version, "queue");
            compute = latency(registry, deployment, version, "compute");
            total = latency(registry, deployment, version, "total");
            batchSize = DistributionSummary.builder("cairn.inference.batch.size")
                    .description("Requests served by one ONNX Runtime run")
                    .tags("deployment", deployment, "model_version", version)
                    .publishPercentileHistogram()
                    .minimumExpectedValue(1.0)
                    .maximumExpectedValue(4096.0)
                    .register(registry);
        }

        private static Counter requests(MeterRegistry registry, String deployment, String version, String outcome) {
            return Counter.builder("cairn.inference.requests")
                    .description("Inference requests by outcome")
                    .tags("deployment", deployment, "model_version", version, "outcome", outcome)
                    .register(registry);
        }

        private static Timer latency(MeterRegistry registry, String deployment, String version, String stage) {
            return Timer.builder("cairn.inference.latency")
                    .description("Inference latency: queue (waiting for a batch), compute (the ONNX Runtime run), "
                            + "total (request in to response out)")
                    .tags("deployment", deployment, "model_version", version, "stage", stage)
                    .publishPercentileHistogram()
                    // Inference is often well under a millisecond; Micrometer's default histogram starts at 1 ms.
                    .minimumExpectedValue(Duration.ofNanos(100_000))
                    .maximumExpectedValue(Duration.ofSeconds(30))
                    .register(registry);
        }

        public void succeeded(long queueNanos, long computeNanos, long totalNanos) {
            success.increment();
            succeededSinceDrain.increment();
            queue.record(queueNanos, TimeUnit.NANOSECONDS);
            compute.record(computeNanos, TimeUnit.NANOSECONDS);
            total.record(totalNanos, TimeUnit.NANOSECONDS);
        }

        public void badRequest() {
            badRequest.increment();
        }

        public void failed() {
            error.increment();
            failedSinceDrain.increment();
        }

        public void batch(int requests) {
            batchSize.record(requests);
        }
    }
}
