package io.cairn.serving.log;

import io.cairn.serving.onnx.Tensor;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;
import tools.jackson.core.StreamWriteFeature;
import tools.jackson.databind.json.JsonMapper;

/** Writes prediction records to the prediction_log table, a batch per statement. */
@Repository
class PredictionLogStore implements PredictionLog.Sink {

    private final JdbcTemplate jdbc;
    private final JsonMapper json = JsonMapper.builder().enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER).build();

    PredictionLogStore(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public void write(List<PredictionRecord> batch) {
        List<Object[]> rows = new ArrayList<>(batch.size());
        for (PredictionRecord r : batch) {
            rows.add(new Object[] {r.id(), r.deployment(), r.model(), r.version(), r.alias(), r.requestId(),
                    r.inputs() == null ? null : json.writeValueAsString(tensors(r.inputs())),
                    r.entityKeys() == null ? null : json.writeValueAsString(r.entityKeys()),
                    json.writeValueAsString(tensors(r.outputs())), r.latencyMs(), Timestamp.from(r.createdAt())});
        }
        jdbc.batchUpdate("""
                INSERT INTO prediction_log (id, deployment, model, version, alias, request_id, inputs, entity_keys,
                                            outputs, latency_ms, created_at)
                VALUES (?, ?, ?, ?, ?, ?, CAST(? AS json), CAST(? AS jsonb), CAST(? AS json), ?, ?)""", rows);
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
}
