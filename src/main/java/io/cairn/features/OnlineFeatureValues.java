package io.cairn.features;

import java.util.List;

/**
 * The answer of an {@link OnlineFeatureReader}: column names (the entity keys as given, then the feature references
 * as asked) and one column each, in that order, every column aligned with the entity rows.
 */
public record OnlineFeatureValues(List<String> names, List<Column> columns) {

    /** One column: a value, a status and an event time (ISO-8601) per entity row. */
    public record Column(List<Object> values, List<String> statuses, List<String> eventTimestamps) {
    }
}
