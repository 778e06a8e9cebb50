package io.cairn.features;

import java.time.Instant;
import java.util.List;

/**
 * A training set stored with {@code save_as}: immutable, identified by id and name, with the SHA-256 of its CSV
 * rendering (header and rows, exactly what {@code GET .../rows} with {@code Accept: text/csv} returns), its row count,
 * the features it was built from and the time range of its entity rows.
 */
public record SavedTrainingSet(String id, String name, String digest, long row_count, List<String> feature_refs,
                               boolean full_feature_names, List<TrainingSetColumn> columns, Instant start_time,
                               Instant end_time, Instant created_at) {

    /** The source URI a run's dataset input uses to point here. */
    public String uri() {
        return "cairn:/api/v1/training-sets/" + id;
    }
}
