package io.cairn.serving;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Serving's announcement that predictions are in the prediction log: published by the log's writer thread after each
 * batch it wrote, in the order written. Other modules (monitoring) learn of predictions from this and never read
 * {@code prediction_log} themselves. Listeners run on the writer thread and must be quick; what they throw is logged
 * and does not affect the log.
 */
public record PredictionsLogged(List<LoggedPrediction> predictions) {

    public PredictionsLogged {
        predictions = List.copyOf(predictions);
    }

    /**
     * One logged prediction. {@code rows} is the number of rows it answered (the first dimension of its outputs: a
     * V2 request of shape {@code [n, f]} or a prediction for n entities), so a label can name one of them.
     */
    public record LoggedPrediction(UUID predictionId, String deployment, String model, int version, String alias,
                                   String requestId, int rows, double latencyMs, Instant createdAt) {
    }
}
