package io.cairn.features;

import io.cairn.features.TrainingSets.Format;
import io.cairn.features.TrainingSets.Sink;
import io.cairn.features.store.TrainingSetStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Streams a statement's rows to a request's sink as CSV or JSON. The response opens only when the first row is in
 * (or the statement ended without one), so a failing statement is still a clean error response.
 */
@Component
class TrainingSetOutput {

    private final TrainingSetStore store;
    private final JsonMapper json;

    TrainingSetOutput(TrainingSetStore store, JsonMapper json) {
        this.store = store;
        this.json = json;
    }

    void render(String sql, List<TrainingSetColumn> columns, Format format, Sink sink, int status,
                Map<String, String> headers) {
        boolean[] started = {false};
        TrainingSetWriter[] writer = {null};
        store.stream(sql, rs -> {
            if (!started[0]) {
                started[0] = true;
                writer[0] = open(sink, format, status, headers, columns);
            }
            writer[0].row(rs);
        });
        if (!started[0]) {
            writer[0] = open(sink, format, status, headers, columns);
        }
        writer[0].finish();
    }

    /** Opens the response and writes what comes before the first row. */
    TrainingSetWriter open(Sink sink, Format format, int status, Map<String, String> headers,
                           List<TrainingSetColumn> columns) {
        try {
            TrainingSetWriter w = TrainingSetWriter.of(format.contentType(), columns,
                    sink.open(status, format.contentType(), headers), json);
            w.begin();
            return w;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
