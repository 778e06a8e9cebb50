package io.cairn.web;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Live serving figures of this replica for the deployments page, from the server's own Micrometer meters (the ones
 * Prometheus scrapes): every 5 s the cumulative request counters and latency and batch-size histograms of each
 * deployment are sampled, and a page shows the difference between now and the sample about a minute earlier — so
 * QPS, errors and p50/p99 are over the last minute, not since start. Replica-local on purpose: these are this
 * replica's meters, so the sampler takes no lock (Grafana's panels add replicas up).
 */
@Component
public class LiveMeters {

    static final Duration WINDOW = Duration.ofSeconds(60);
    private static final Logger log = LoggerFactory.getLogger(LiveMeters.class);

    private final MeterRegistry registry;
    private final Map<String, Deque<Sample>> history = new ConcurrentHashMap<>();
    /**
     * When the last sampling pass ran (nanoTime), or the JVM's start before the first: a deployment whose meters are
     * not in a pass had served nothing then, so its history starts with zeros at that moment.
     */
    private volatile long lastPass = System.nanoTime()
            - java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime() * 1_000_000L;

    LiveMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Cumulative figures of one deployment at one moment; bucket maps are upper bound → cumulative count. */
    record Sample(long atNanos, double requests, double errors, double badRequests, TreeMap<Double, Double> latency,
                  TreeMap<Double, Double> batch, double batchCount, double batchTotal) {

        static Sample zero(long atNanos) {
            return new Sample(atNanos, 0, 0, 0, new TreeMap<>(), new TreeMap<>(), 0, 0);
        }
    }

    /**
     * The figures over the window: requests per second, failed requests (server errors and refused inputs), latency
     * percentiles in milliseconds (null without requests) and the mean and p99 batch size; {@code seconds} is the
     * time covered, shorter than the window right after start.
     */
    public record Live(double seconds, long requests, double qps, long errors, long badRequests, Double p50Ms,
                       Double p99Ms, Double meanBatch, Double p99Batch) {
    }

    @Scheduled(fixedDelay = 5_000, initialDelay = 1_000)
    void sampleAll() {
        try {
            long now = System.nanoTime();
            for (Map.Entry<String, Sample> e : sampleNow(now).entrySet()) {
                Deque<Sample> samples = history.computeIfAbsent(e.getKey(), k -> new ArrayDeque<>());
                synchronized (samples) {
                    if (samples.isEmpty()) {
                        samples.addLast(Sample.zero(lastPass));
                    }
                    samples.addLast(e.getValue());
                    while (samples.size() > 2 && now - samples.peekFirst().atNanos() > WINDOW.toNanos() * 2) {
                        samples.removeFirst();
                    }
                }
            }
            lastPass = now;
        } catch (RuntimeException e) {
            // The next sample tries again; a page meanwhile shows figures over a longer time.
            log.warn("Sampling the serving meters failed", e);
        }
    }

    /** The deployment's figures over about the last minute (since start when there is no older sample). */
    Live live(String deployment) {
        long now = System.nanoTime();
        Sample current = sampleNow(now).get(deployment);
        if (current == null) {
            return new Live(0, 0, 0, 0, 0, null, null, null, null);
        }
        // Not sampled yet: the meters appeared after the last pass, when the deployment had served nothing.
        Sample base = history.containsKey(deployment) ? null : Sample.zero(lastPass);
        Deque<Sample> samples = history.get(deployment);
        if (samples != null) {
            synchronized (samples) {
                for (Sample s : samples) {
                    if (now - s.atNanos() <= WINDOW.toNanos() + Duration.ofSeconds(5).toNanos()) {
                        base = s;
                        break;
                    }
                }
            }
        }
        double seconds = base == null ? 0 : (now - base.atNanos()) / 1e9;
        long requests = Math.round(current.requests() - (base == null ? 0 : base.requests()));
        long errors = Math.round(current.errors() - (base == null ? 0 : base.errors()));
        long bad = Math.round(current.badRequests() - (base == null ? 0 : base.badRequests()));
        TreeMap<Double, Double> latency = minus(current.latency(), base == null ? null : base.latency());
        TreeMap<Double, Double> batch = minus(current.batch(), base == null ? null : base.batch());
        double batchCount = current.batchCount() - (base == null ? 0 : base.batchCount());
        double batchTotal = current.batchTotal() - (base == null ? 0 : base.batchTotal());
        Double p50 = quantile(latency, 0.50);
        Double p99 = quantile(latency, 0.99);
        return new Live(seconds, requests, seconds > 0 ? requests / seconds : 0, errors, bad,
                p50 == null ? null : p50 * 1000, p99 == null ? null : p99 * 1000,
                batchCount > 0 ? batchTotal / batchCount : null, quantile(batch, 0.99));
    }

    private Map<String, Sample> sampleNow(long now) {
        Map<String, double[]> counts = new HashMap<>();
        for (Counter c : registry.find("cairn.inference.requests").counters()) {
            double[] a = counts.computeIfAbsent(c.getId().getTag("deployment"), k -> new double[3]);
            String outcome = c.getId().getTag("outcome");
            a[0] += c.count();
            if ("error".equals(outcome)) {
                a[1] += c.count();
            } else if ("bad_request".equals(outcome)) {
                a[2] += c.count();
            }
        }
        Map<String, TreeMap<Double, Double>> latency = new HashMap<>();
        for (Timer t : registry.find("cairn.inference.latency").tag("stage", "total").timers()) {
            TreeMap<Double, Double> buckets = latency.computeIfAbsent(t.getId().getTag("deployment"),
                    k -> new TreeMap<>());
            for (CountAtBucket b : t.takeSnapshot().histogramCounts()) {
                buckets.merge(b.bucket(TimeUnit.SECONDS), b.count(), Double::sum);
            }
        }
        Map<String, TreeMap<Double, Double>> batches = new HashMap<>();
        Map<String, double[]> batchSums = new HashMap<>();
        for (DistributionSummary d : registry.find("cairn.inference.batch.size").summaries()) {
            String deployment = d.getId().getTag("deployment");
            TreeMap<Double, Double> buckets = batches.computeIfAbsent(deployment, k -> new TreeMap<>());
            var snapshot = d.takeSnapshot();
            for (CountAtBucket b : snapshot.histogramCounts()) {
                buckets.merge(b.bucket(), b.count(), Double::sum);
            }
            double[] sums = batchSums.computeIfAbsent(deployment, k -> new double[2]);
            sums[0] += snapshot.count();
            sums[1] += snapshot.total();
        }
        Map<String, Sample> out = new HashMap<>();
        for (Map.Entry<String, double[]> e : counts.entrySet()) {
            double[] sums = batchSums.getOrDefault(e.getKey(), new double[2]);
            out.put(e.getKey(), new Sample(now, e.getValue()[0], e.getValue()[1], e.getValue()[2],
                    latency.getOrDefault(e.getKey(), new TreeMap<>()), batches.getOrDefault(e.getKey(),
                    new TreeMap<>()), sums[0], sums[1]));
        }
        return out;
    }

    private static TreeMap<Double, Double> minus(TreeMap<Double, Double> now, TreeMap<Double, Double> before) {
        TreeMap<Double, Double> out = new TreeMap<>(now);
        if (before != null) {
            before.forEach((bound, count) -> out.merge(bound, -count, Double::sum));
        }
        return out;
    }

    /**
     * The q-quantile of cumulative bucket counts, interpolated linearly inside the bucket it falls in (as
     * Prometheus' histogram_quantile does); null when the histogram counted nothing.
     */
    static Double quantile(TreeMap<Double, Double> cumulative, double q) {
        if (cumulative.isEmpty()) {
            return null;
        }
        double total = cumulative.lastEntry().getValue();
        if (total <= 0) {
            return null;
        }
        double rank = q * total;
        double lowerBound = 0;
        double lowerCount = 0;
        for (Map.Entry<Double, Double> b : cumulative.entrySet()) {
            if (b.getValue() >= rank) {
                double inBucket = b.getValue() - lowerCount;
                double fraction = inBucket <= 0 ? 1 : (rank - lowerCount) / inBucket;
                return lowerBound + (b.getKey() - lowerBound) * fraction;
            }
            lowerBound = b.getKey();
            lowerCount = b.getValue();
        }
        return cumulative.lastKey();
    }
}
