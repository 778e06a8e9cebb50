package io.cairn.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.IntegrationTest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.mlflow.api.proto.Service.Metric;
import org.mlflow.tracking.MlflowClient;
import org.springframework.boot.test.web.server.LocalServerPort;

/** Eight writers logging into one run at once lose nothing, and history comes back in step order. */
@IntegrationTest
class MetricConcurrencyIT {

    private static final int THREADS = 8;
    private static final int POINTS_PER_THREAD = 10_000;
    private static final int BATCH = 1000;

    @LocalServerPort
    int port;

    @Test
    void eightConcurrentWritersLoseNoPointAndHistoryIsInStepOrder() throws Exception {
        MlflowClient setup = new MlflowClient("http://127.0.0.1:" + port);
        String runId = setup.createRun(setup.createExperiment("concurrency-" + System.nanoTime())).getRunId();
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        List<Future<?>> writers = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int thread = t;
            writers.add(pool.submit(() -> {
                try (MlflowClient client = new MlflowClient("http://127.0.0.1:" + port)) {
                    for (int start = 0; start < POINTS_PER_THREAD; start += BATCH) {
                        List<Metric> batch = new ArrayList<>(BATCH);
                        for (int i = start; i < start + BATCH; i++) {
                            // Threads interleave steps so that every writer touches the same key at once.
                            long step = (long) i * THREADS + thread;
                            batch.add(Metric.newBuilder().setKey("loss").setValue(step).setTimestamp(1_000_000 + step)
                                    .setStep(step).build());
                        }
                        client.logBatch(runId, batch, List.of(), List.of());
                    }
                }
                return null;
            }));
        }
        for (Future<?> writer : writers) {
            writer.get(5, TimeUnit.MINUTES);
        }
        pool.shutdown();

        List<Metric> history = setup.getMetricHistory(runId, "loss");
        assertThat(history).hasSize(THREADS * POINTS_PER_THREAD);
        for (int i = 0; i < history.size(); i++) {
            assertThat(history.get(i).getStep()).isEqualTo(i);
            assertThat(history.get(i).getValue()).isEqualTo(i);
        }
        long lastStep = (long) THREADS * POINTS_PER_THREAD - 1;
        assertThat(setup.getRun(runId).getData().getMetricsList()).singleElement()
                .satisfies(latest -> assertThat(latest.getStep()).isEqualTo(lastStep));
        setup.close();
    }
}
