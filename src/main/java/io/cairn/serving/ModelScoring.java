package io.cairn.serving;

import java.util.Map;
import java.util.Optional;

/**
 * Runs rows through a model version a deployment has loaded on this replica, off the request path: nothing is logged
 * and no request is counted. For modules that need a version's outputs on data of their own (monitoring scores the
 * version's training set once, so live outputs have a reference to drift from).
 */
public interface ModelScoring {

    /**
     * @param rows    the rows, flattened row-major, {@code columns} values each
     * @return the outputs by name, or empty when that version is not loaded here or does not take one 2-D FP32 or
     *         FP64 input of {@code columns} columns
     */
    Optional<Map<String, PredictionsLogged.Values>> score(String deployment, int version, double[] rows, int columns);
}
