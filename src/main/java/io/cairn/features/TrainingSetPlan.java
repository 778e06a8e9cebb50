package io.cairn.features;

import io.cairn.features.store.ProbeBackend;
import java.util.List;
import java.util.Map;

/**
 * A resolved training-set request: the features asked for, their views, the join keys those views need (typed),
 * the entity rows once they are loaded, and the second backend when the request got one.
 */
final class TrainingSetPlan {

    final List<FeatureRef> refs;
    final Map<String, FeatureView> views;
    final Map<String, ValueType> keys;
    private final SecondBackend second;
    /** Set by {@link EntityRowLoader} once the first row (or the CSV header) names the columns. */
    EntityRows rows;

    TrainingSetPlan(List<FeatureRef> refs, Map<String, FeatureView> views, Map<String, ValueType> keys,
                    SecondBackend second) {
        this.refs = refs;
        this.views = views;
        this.keys = keys;
        this.second = second;
    }

    /** The second backend, or null when the join runs on the request's connection alone. */
    ProbeBackend second() {
        return second == null ? null : second.backend;
    }

    /** The request's second backend, if it gets one; closed when the request ends, however it ends. */
    static final class SecondBackend implements AutoCloseable {
        ProbeBackend backend;

        @Override
        public void close() {
            if (backend != null) {
                backend.close();
            }
        }
    }
}
