package io.cairn.features;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A group of features keyed by the same entities, with a TTL (0: none) that bounds how old a value may be in a
 * training set or online. {@code join_keys} is derived from the entities, in their order. {@code schedule} (null:
 * none) is when the server materializes it incrementally, {@code scheduled_materialization} that schedule's state.
 */
public record FeatureView(@JsonIgnore long viewId, @JsonIgnore String onlineKey, String name, List<String> entities, List<JoinKey> join_keys,
                          List<Feature> features, long ttl_seconds, boolean online, String description,
                          Map<String, String> tags, Instant created_at, Instant updated_at,
                          Instant materialized_until, String schedule, ScheduledMaterialization scheduled_materialization) {

    /**
     * The schedule's state: when it runs next and what its latest run did ({@code last_*} null before the first).
     * {@code rows_written} counts online values written; {@code last_error} is the latest run's failure, null when it
     * succeeded.
     */
    public record ScheduledMaterialization(Instant next_run_at, Instant last_started_at, Long last_duration_ms,
                                           Long last_entities, Long last_rows_written, String last_error, long runs,
                                           long failures) {
    }

    public Optional<Feature> feature(String featureName) {
        // A loop, not a stream: the online read path calls this per requested feature, twice (measured: a stream
        // pipeline here was a tenth of a one-entity read's CPU).
        for (Feature f : features) {
            if (f.name().equals(featureName)) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    /** Names the view's offline table, {@code feature_data.view_<id>}. */
    @JsonIgnore
    public String tableName() {
        return "feature_data.view_" + viewId;
    }
}
