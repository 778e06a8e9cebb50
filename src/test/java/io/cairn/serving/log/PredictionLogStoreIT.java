package io.cairn.serving.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.IntegrationTest;
import io.cairn.serving.ServingFixtures;
import io.cairn.serving.TestSessions;
import io.cairn.serving.onnx.Datatype;
import io.cairn.serving.onnx.Tensor;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/** The prediction log against PostgreSQL: a record the database cannot store costs only that record. */
@IntegrationTest
class PredictionLogStoreIT {

    @Autowired
    PredictionLogStore store;

    @Autowired
    JdbcClient jdbc;

    final String deployment = ServingFixtures.unique("log-store");

    @AfterEach
    void cleanUp() {
        jdbc.sql("DELETE FROM prediction_log WHERE deployment = :d").param("d", deployment).update();
    }

    private PredictionRecord record(String requestId, Map<String, List<JsonNode>> entityKeys) {
        Map<String, Tensor> out = Map.of("y", new Tensor(Datatype.FP32, new long[] {1}, new float[] {1}));
        return new PredictionRecord(PredictionIds.next(), deployment, "m", 1, "champion", requestId, out, entityKeys,
                out, 0.1, Instant.now(), Map.of());
    }

    @Test
    void recordsTheDatabaseRefusesAreDroppedAloneAndTheirBatchIsWritten() {
        PredictionLog log = new PredictionLog(TestSessions.defaults(Map.of()).predictionLog(), store,
                new SimpleMeterRegistry());
        // text cannot hold NUL, and jsonb refuses \u0000 even escaped: each of these failed its whole batch.
        PredictionRecord nulId = record("a\u0000b", null);
        PredictionRecord nulEntity = record(null, Map.of("driver_id",
                List.of(JsonNodeFactory.instance.stringNode("x\u0000y"))));
        List<PredictionRecord> batch = List.of(record("r1", null), nulId, record("r2", null), nulEntity,
                record("r3", Map.of("driver_id", List.of(JsonNodeFactory.instance.numberNode(1001)))));
        log.write(batch);
        assertThat(jdbc.sql("SELECT request_id FROM prediction_log WHERE deployment = :d")
                .param("d", deployment).query(String.class).list()).containsExactlyInAnyOrder("r1", "r2", "r3");
        assertThat(log.dropped(deployment)).isEqualTo(2);
    }
}
