package io.cairn.features;

import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * Reads online feature values in-process with the semantics of {@code /get-online-features}, for other modules
 * (serving's prediction by entity key).
 */
public interface OnlineFeatureReader {

    /**
     * For every entity row and every {@code view:feature} reference, the value held online with its status
     * ({@code PRESENT}, {@code NULL_VALUE}, {@code OUTSIDE_MAX_AGE}, {@code NOT_FOUND}) and event time. Fails like
     * {@code /get-online-features}: 400 for an unknown view or feature, a missing or badly typed join key; 503 while
     * the online store is unreachable.
     *
     * @param entities join keys mapped to equally long lists of values
     */
    OnlineFeatureValues read(List<String> featureRefs, Map<String, List<JsonNode>> entities);
}
