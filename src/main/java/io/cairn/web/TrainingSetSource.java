package io.cairn.web;

import io.cairn.tracking.Dataset;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a run's dataset input names a saved training set: source type {@code cairn_training_set}, source MLflow's JSON
 * {@code {"uri": "cairn:/api/v1/training-sets/<id>"}} (what log-to-run writes).
 */
final class TrainingSetSource {

    static final String TYPE = "cairn_training_set";
    private static final Pattern URI = Pattern.compile("\"uri\"\\s*:\\s*\"cairn:/api/v1/training-sets/([0-9a-f]+)\"");

    private TrainingSetSource() {
    }

    /** The training set's id, or null when the dataset is not a Cairn training set. */
    static String id(Dataset dataset) {
        if (!TYPE.equals(dataset.sourceType()) || dataset.source() == null) {
            return null;
        }
        Matcher m = URI.matcher(dataset.source());
        return m.find() ? m.group(1) : null;
    }
}
