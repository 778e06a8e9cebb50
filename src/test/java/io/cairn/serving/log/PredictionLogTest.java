package io.cairn.serving.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cairn.serving.ServingProperties;
import io.cairn.serving.TestSessions;
import io.cairn.serving.onnx.Datatype;
import io.cairn.serving.onnx.Tensor;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The prediction log never blocks a request: a full queue or a failing database drops records and counts them. */
class PredictionLogTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private static ServingProperties.PredictionLog capacity(int capacity) {
        return TestSessions.defaults(Map.of("cairn.serving.prediction-log.capacity", String.valueOf(capacity)))
                .predictionLog();
    }

    private static PredictionRecord record(String deployment) {
        Map<String, Tensor> out = Map.of("y", new Tensor(Datatype.FP32, new long[] {1}, new float[] {1}));
        return new PredictionRecord(PredictionIds.next(), deployment, "m", 1, "champion", null, out, null, out, 0.1,
                Instant.now(), Map.of());
    }

    @Test
    void writtenRecordsAreAnnouncedWithTheirRowsAndAFailingListenerDoesNotStopTheLog() {
        List<PredictionRecord> written = new ArrayList<>();
        List<io.cairn.serving.PredictionsLogged> announced = new ArrayList<>();
        boolean[] listenerFails = {false};
        PredictionLog log = new PredictionLog(capacity(10), batch -> {
            if (batch.stream().anyMatch(r -> r.deployment().equals("poisoned"))) {
                throw new org.springframework.dao.DataIntegrityViolationException("invalid byte sequence 0x00");
            }
            written.addAll(batch);
        }, registry, event -> {
            if (listenerFails[0]) {
                throw new IllegalStateException("listener down");
            }
            announced.add((io.cairn.serving.PredictionsLogged) event);
        });
        Map<String, Tensor> threeRows = Map.of("y", new Tensor(Datatype.FP32, new long[] {3, 2}, new float[6]));
        PredictionRecord batchOfThree = new PredictionRecord(PredictionIds.next(), "a", "m", 2, "champion", "req-1",
                null, null, threeRows, 0.5, Instant.now(), Map.of("region", "eu"));
        log.write(List.of(record("a"), batchOfThree));
        assertThat(announced).hasSize(1);
        assertThat(announced.get(0).predictions()).extracting(p -> p.rows()).containsExactly(1, 3);
        assertThat(announced.get(0).predictions().get(1).requestId()).isEqualTo("req-1");
        assertThat(announced.get(0).predictions().get(1).predictionId()).isEqualTo(batchOfThree.id());

        // Only what was written is announced: the refused record is not.
        PredictionRecord good = record("b");
        log.write(List.of(record("poisoned"), good));
        assertThat(announced).hasSize(2);
        assertThat(announced.get(1).predictions()).extracting(p -> p.predictionId()).containsExactly(good.id());

        listenerFails[0] = true;
        log.write(List.of(record("c")));
        listenerFails[0] = false;
        log.write(List.of(record("d")));
        assertThat(written).extracting(PredictionRecord::deployment).containsExactly("a", "a", "b", "c", "d");
        assertThat(log.dropped("c")).isZero();
        assertThat(announced).hasSize(3);
    }

    @Test
    void aFullQueueDropsNewRecordsAndCountsThemPerDeployment() {
        List<PredictionRecord> written = new ArrayList<>();
        PredictionLog log = new PredictionLog(capacity(1), written::addAll, registry);
        log.track("quiet");
        log.offer(record("busy")); // fills the queue: the writer thread is not started
        log.offer(record("busy"));
        log.offer(record("busy"));
        assertThat(log.dropped("busy")).isEqualTo(2);
        assertThat(log.dropped("quiet")).isZero();
        assertThat(registry.get("cairn.prediction.log.dropped").tag("deployment", "busy").counter().count())
                .isEqualTo(2);
    }

    @Test
    void aBatchTheDatabaseRefusesIsDroppedCountedAndTheLogKeepsGoing() {
        List<PredictionRecord> written = new ArrayList<>();
        boolean[] fail = {true};
        PredictionLog log = new PredictionLog(capacity(10), batch -> {
            if (fail[0]) {
                throw new org.springframework.dao.DataAccessResourceFailureException("database down");
            }
            written.addAll(batch);
        }, registry);
        log.write(List.of(record("a"), record("a")));
        assertThat(log.dropped("a")).isEqualTo(2);
        fail[0] = false;
        log.write(List.of(record("a")));
        assertThat(written).hasSize(1);
        assertThat(log.dropped("a")).isEqualTo(2);
    }

    @Test
    void aRecordTheDatabaseCannotStoreIsDroppedAloneAndTheRestOfItsBatchIsWritten() {
        List<PredictionRecord> written = new ArrayList<>();
        int[] statements = {0};
        PredictionLog log = new PredictionLog(capacity(10), batch -> {
            statements[0]++;
            if (batch.stream().anyMatch(r -> r.deployment().equals("poisoned"))) {
                throw new org.springframework.dao.DataIntegrityViolationException("invalid byte sequence 0x00");
            }
            written.addAll(batch);
        }, registry);
        log.write(List.of(record("a"), record("poisoned"), record("b"), record("a")));
        assertThat(written).extracting(PredictionRecord::deployment).containsExactly("a", "b", "a");
        assertThat(log.dropped("poisoned")).isEqualTo(1);
        assertThat(log.dropped("a")).isZero();
        assertThat(statements[0]).isEqualTo(5); // the batch, then each record on its own
    }

    @Test
    void theWriterDrainsTheQueueInBatchesAndFlushesOnStop() throws Exception {
        List<List<PredictionRecord>> batches = new java.util.concurrent.CopyOnWriteArrayList<>();
        PredictionLog log = new PredictionLog(capacity(100), batch -> batches.add(List.copyOf(batch)), registry);
        for (int i = 0; i < 25; i++) {
            log.offer(record("d"));
        }
        log.start();
        log.stop();
        assertThat(batches.stream().mapToInt(List::size).sum()).isEqualTo(25);
        assertThat(batches.get(0)).hasSize(25);
        assertThat(log.dropped("d")).isZero();
    }

    @Test
    void anErrorWritingABatchDropsItAndTheWriterKeepsGoing() throws Exception {
        List<PredictionRecord> written = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        PredictionLog log = new PredictionLog(capacity(10), batch -> {
            if (calls.getAndIncrement() == 0) {
                throw new OutOfMemoryError("test: Java heap space");
            }
            written.addAll(batch);
        }, registry);
        log.start();
        try {
            log.offer(record("oom"));
            await().atMost(Duration.ofSeconds(10)).until(() -> calls.get() == 1);
            log.offer(record("oom"));
            await().atMost(Duration.ofSeconds(10)).until(() -> written.size() == 1);
            assertThat(log.dropped("oom")).isEqualTo(1);
        } finally {
            log.stop();
        }
    }

    @Test
    void aWriterThreadThatIsGoneIsAProblemForReadiness() throws Exception {
        PredictionLog log = new PredictionLog(capacity(10), batch -> { }, registry);
        assertThat(log.problem()).hasValue("the prediction log writer is not running");
        log.start();
        try {
            assertThat(log.problem()).isEmpty();
            Thread writer = log.writerThread();
            writer.interrupt(); // the one way the writer ends while the log runs
            writer.join(10_000);
            assertThat(log.problem()).hasValueSatisfying(p -> assertThat(p)
                    .startsWith("the prediction log writer thread has stopped"));
        } finally {
            log.stop();
        }
    }

    @Test
    void predictionIdsAreTimeOrderedVersionSevenUuids() {
        long before = System.currentTimeMillis();
        java.util.UUID id = PredictionIds.next();
        assertThat(id.version()).isEqualTo(7);
        assertThat(id.variant()).isEqualTo(2);
        long millis = id.getMostSignificantBits() >>> 16;
        assertThat(millis).isBetween(before, System.currentTimeMillis());
        assertThat(java.util.stream.Stream.generate(PredictionIds::next).limit(1000).distinct().count()).isEqualTo(1000);
    }
}
