package io.cairn.serving.log;

import io.cairn.serving.ServingProperties;
import io.cairn.serving.onnx.Tensor;
import java.io.Writer;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;
import tools.jackson.core.StreamWriteFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes prediction records to the prediction_log table, a batch per statement, with inputs beyond
 * {@code cairn.serving.prediction-log.max-record-size} replaced by a marker; deletes expired rows in bounded batches.
 */
@Repository
class PredictionLogStore implements PredictionLog.Sink {

    private final JdbcTemplate jdbc;
    private final long maxRecordChars;
    private final JsonMapper json = JsonMapper.builder().enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER).build();

    PredictionLogStore(JdbcTemplate jdbc, ServingProperties properties) {
        this.jdbc = jdbc;
        this.maxRecordChars = properties.predictionLog().maxRecordSize().toBytes();
    }

    @Override
    public void write(List<PredictionRecord> batch) {
        List<Object[]> rows = new ArrayList<>(batch.size());
        for (PredictionRecord r : batch) {
            rows.add(new Object[] {r.id(), r.deployment(), r.model(), r.version(), r.alias(), r.requestId(),
                    r.inputs() == null ? null : capped(tensors(r.inputs()), () -> omittedInputs(r.inputs())),
                    r.entityKeys() == null ? null : capped(r.entityKeys(), () -> omittedKeys(r.entityKeys())),
                    json.writeValueAsString(tensors(r.outputs())), r.latencyMs(), Timestamp.from(r.createdAt())});
        }
        jdbc.batchUpdate("""
                INSERT INTO prediction_log (id, deployment, model, version, alias, request_id, inputs, entity_keys,
                                            outputs, latency_ms, created_at)
                VALUES (?, ?, ?, ?, ?, ?, CAST(? AS json), CAST(? AS jsonb), CAST(? AS json), ?, ?)""", rows);
    }

    /**
     * Deletes up to {@code limit} rows created before the cutoff, oldest first, in one statement (its own short
     * transaction); returns how many went. The ids are time-ordered (UUIDv7: the first 48 bits are Unix milliseconds,
     * and PostgreSQL compares uuids byte by byte), so the primary key finds them without an index on created_at;
     * created_at must agree, so a row is never deleted on its id alone.
     */
    int deleteCreatedBefore(Instant cutoff, int limit) {
        UUID firstIdOfCutoff = new UUID(cutoff.toEpochMilli() << 16, 0);
        return jdbc.update("""
                DELETE FROM prediction_log
                WHERE id IN (SELECT id FROM prediction_log WHERE id < ? AND created_at < ? ORDER BY id LIMIT ?)""",
                firstIdOfCutoff, Timestamp.from(cutoff), limit);
    }

    /** The value as JSON, or the marker's JSON when the value's would be longer than max-record-size. */
    private String capped(Object value, Supplier<Map<String, Object>> marker) {
        BoundedWriter out = new BoundedWriter(maxRecordChars);
        try {
            json.writeValue(out, value);
            return out.toString();
        } catch (RuntimeException e) {
            if (!out.overflowed) {
                throw e;
            }
            return json.writeValueAsString(marker.get());
        }
    }

    private String omitted(String what) {
        return what + " larger than cairn.serving.prediction-log.max-record-size (" + maxRecordChars
                + " bytes of JSON) are not stored";
    }

    /** In place of inputs too large to store: what they were, and how big. */
    private Map<String, Object> omittedInputs(Map<String, Tensor> inputs) {
        List<Map<String, Object>> tensors = new ArrayList<>(inputs.size());
        inputs.forEach((name, t) -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", name);
            m.put("datatype", t.datatype().name());
            m.put("shape", t.shape());
            m.put("elements", t.length());
            tensors.add(m);
        });
        Map<String, Object> marker = new LinkedHashMap<>();
        marker.put("omitted", omitted("Inputs"));
        marker.put("tensors", tensors);
        return marker;
    }

    /** In place of entity keys too large to store: each join key with its number of values. */
    private Map<String, Object> omittedKeys(Map<String, ? extends List<?>> keys) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        keys.forEach((key, values) -> counts.put(key, values == null ? 0 : values.size()));
        Map<String, Object> marker = new LinkedHashMap<>();
        marker.put("omitted", omitted("Entity keys"));
        marker.put("keys", counts);
        return marker;
    }

    /** Tensors in the protocol's JSON form: {@code [{"name", "datatype", "shape", "data"}]}. */
    private static List<Map<String, Object>> tensors(Map<String, Tensor> tensors) {
        List<Map<String, Object>> out = new ArrayList<>(tensors.size());
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("name", e.getKey());
            t.put("datatype", e.getValue().datatype().name());
            t.put("shape", e.getValue().shape());
            t.put("data", e.getValue().jsonData());
            out.add(t);
        }
        return out;
    }

    /**
     * Collects the JSON text and gives up at the limit, so oversized inputs are never built in memory in full (one
     * request's 8 M floats made 32 M characters).
     */
    private static final class BoundedWriter extends Writer {

        private final StringBuilder text = new StringBuilder();
        private final long limit;
        boolean overflowed;

        BoundedWriter(long limit) {
            this.limit = limit;
        }

        @Override
        public void write(char[] chars, int offset, int length) {
            if (overflowed || text.length() + (long) length > limit) {
                overflowed = true;
                throw new IllegalStateException("more than " + limit + " characters of JSON");
            }
            text.append(chars, offset, length);
        }

        @Override
        public void write(String s, int offset, int length) {
            if (overflowed || text.length() + (long) length > limit) {
                overflowed = true;
                throw new IllegalStateException("more than " + limit + " characters of JSON");
            }
            text.append(s, offset, offset + length);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }

        @Override
        public String toString() {
            return text.toString();
        }
    }
}
