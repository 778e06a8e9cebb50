package io.cairn.monitoring;

import io.cairn.serving.PredictionsLogged;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Keeps {@code monitored_predictions} in step with the prediction log: one multi-row insert per batch the log wrote,
 * on the log's writer thread (the event is published after the batch is stored, so a prediction is here no earlier
 * than it is in the log). Replays are harmless: an id already here is left as it is.
 */
@Component
class PredictionIndex {

    private final JdbcTemplate jdbc;

    PredictionIndex(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @EventListener
    void on(PredictionsLogged logged) {
        List<Object[]> rows = new ArrayList<>(logged.predictions().size());
        for (PredictionsLogged.LoggedPrediction p : logged.predictions()) {
            rows.add(new Object[] {p.predictionId(), p.deployment(), p.model(), p.version(), p.alias(), p.requestId(),
                    p.rows(), p.latencyMs(), Timestamp.from(p.createdAt())});
        }
        jdbc.batchUpdate("""
                INSERT INTO monitored_predictions (prediction_id, deployment, model, version, alias, request_id,
                                                   row_count, latency_ms, predicted_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (prediction_id) DO NOTHING""", rows);
    }
}
