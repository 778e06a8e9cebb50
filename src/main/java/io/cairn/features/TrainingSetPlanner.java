package io.cairn.features;

import io.cairn.features.TrainingSetPlan.SecondBackend;
import io.cairn.features.store.PointInTimeQuery;
import io.cairn.features.store.PointInTimeQuery.Output;
import io.cairn.features.store.PointInTimeQuery.ViewPart;
import io.cairn.features.store.TrainingSetStore;
import io.cairn.platform.error.CairnException;
import io.cairn.platform.security.Access;
import io.cairn.platform.security.Permission;
import io.cairn.platform.security.ResourceType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * Plans a training set: resolves the requested features to their views and join keys (checking READ on every view
 * before any row is touched), decides whether the request gets a second backend, and, once the entity rows are in,
 * lays out the output columns and the view parts of the point-in-time join.
 */
@Component
class TrainingSetPlanner {

    private final FeatureDefinitions definitions;
    private final TrainingSetStore store;
    private final FeatureStoreProperties properties;
    private final Access access;

    TrainingSetPlanner(FeatureDefinitions definitions, TrainingSetStore store, FeatureStoreProperties properties,
                       Access access) {
        this.definitions = definitions;
        this.store = store;
        this.properties = properties;
        this.access = access;
    }

    /**
     * Resolves the request; with {@code second} given, a request over two or more views also gets a second backend
     * for half of their probes (when the pool has a connection to spare and {@code cairn.features.training-backends}
     * allows it).
     */
    TrainingSetPlan plan(List<String> features, SecondBackend second) {
        if (features.isEmpty()) {
            throw CairnException.invalid("'features' is empty: name at least one <feature view>:<feature>.");
        }
        List<FeatureRef> refs = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (String f : features) {
            FeatureRef ref = FeatureRef.parse(f);
            if (!seen.add(ref.toString())) {
                throw CairnException.invalid("Feature '" + ref + "' is requested twice.");
            }
            refs.add(ref);
        }
        // A training set reads every view it joins: READ on each, before any row is touched.
        refs.stream().map(FeatureRef::view).distinct()
                .forEach(v -> access.require(ResourceType.FEATURE_VIEW, v, Permission.READ));
        Map<String, FeatureView> views = definitions.views(refs.stream().map(FeatureRef::view).toList());
        for (FeatureRef ref : refs) {
            FeatureView view = views.get(ref.view());
            if (view.feature(ref.feature()).isEmpty()) {
                throw CairnException.invalid("Feature view '" + ref.view() + "' has no feature '" + ref.feature()
                        + "'; its features are " + view.features().stream().map(Feature::name).toList() + ".");
            }
        }
        Map<String, ValueType> keys = new LinkedHashMap<>();
        for (FeatureView view : views.values()) {
            for (JoinKey key : view.join_keys()) {
                ValueType earlier = keys.putIfAbsent(key.name(), key.type());
                if (earlier != null && earlier != key.type()) {
                    throw CairnException.invalid("Join key '" + key.name() + "' is " + earlier + " in one requested view "
                            + "and " + key.type() + " in '" + view.name() + "'; they cannot be joined in one request.");
                }
            }
        }
        if (second != null && views.size() > 1 && properties.trainingBackends() > 1) {
            second.backend = store.openProbeBackend().orElse(null);
        }
        return new TrainingSetPlan(refs, views, keys, second);
    }

    /**
     * The join of a planned request whose entity rows are loaded: the output columns (the entity columns as sent, then
     * the features in the order requested), where each comes from, and one view part per view.
     */
    record Layout(List<TrainingSetColumn> columns, List<OutputSource> sources, List<ViewPart> parts) {
    }

    /**
     * Where an output column's value comes from: feature {@code feature} of view part {@code part}, or (part -1) the
     * entity-table column {@code entityColumn}.
     */
    record OutputSource(int part, int feature, String entityColumn) {
        /** Its expression in a statement where its view part has index {@code partIndex}. */
        Output output(int partIndex) {
            return part < 0 ? PointInTimeQuery.entityColumn(entityColumn) : PointInTimeQuery.feature(partIndex, feature);
        }
    }

    /** @throws CairnException 400 when two output columns would have the same name */
    Layout layout(TrainingSetPlan plan, boolean fullFeatureNames) {
        List<TrainingSetColumn> columns = new ArrayList<>();
        List<OutputSource> sources = new ArrayList<>();
        Map<String, String> taken = new HashMap<>();
        for (EntityRows.Column c : plan.rows.columns()) {
            String type = switch (c.kind()) {
                case KEY -> c.type().name();
                case TIMESTAMP -> "TIMESTAMP";
                case EXTRA -> "JSON";
            };
            columns.add(new TrainingSetColumn(c.name(), type));
            sources.add(new OutputSource(-1, -1, c.tableColumn()));
            taken.put(c.name(), "the entity rows");
        }
        List<ViewPart> parts = new ArrayList<>();
        Map<String, Integer> partIndex = new HashMap<>();
        Map<String, List<String>> partFeatures = new HashMap<>();
        for (FeatureRef ref : plan.refs) {
            partFeatures.computeIfAbsent(ref.view(), v -> new ArrayList<>()).add(ref.feature());
        }
        for (FeatureView view : plan.views.values()) {
            List<String> viewKeys = new ArrayList<>();
            List<String> entityKeys = new ArrayList<>();
            for (JoinKey key : view.join_keys()) {
                viewKeys.add(key.name());
                entityKeys.add(plan.rows.columns().get(plan.rows.column(key.name(), 0)).tableColumn());
            }
            List<String> feats = partFeatures.get(view.name());
            partIndex.put(view.name(), parts.size());
            parts.add(new ViewPart(view.tableName(), viewKeys, entityKeys, view.ttl_seconds(), feats));
        }
        for (FeatureRef ref : plan.refs) {
            String name = fullFeatureNames ? ref.fullName() : ref.feature();
            String clash = taken.put(name, "'" + ref + "'");
            if (clash != null) {
                throw CairnException.invalid("Output column '" + name + "' would come from both " + clash + " and '"
                        + ref + "'" + (fullFeatureNames ? "." : "; set full_feature_names to name feature "
                        + "columns <view>__<feature>."));
            }
            FeatureView view = plan.views.get(ref.view());
            int part = partIndex.get(ref.view());
            columns.add(new TrainingSetColumn(name, view.feature(ref.feature()).orElseThrow().type().name()));
            sources.add(new OutputSource(part, partFeatures.get(ref.view()).indexOf(ref.feature()), null));
        }
        return new Layout(List.copyOf(columns), List.copyOf(sources), List.copyOf(parts));
    }

    /** Names each output {@code c0, c1, ...}: the saved table's columns and the writers' order. */
    static List<Output> aliased(List<Output> outputs) {
        List<Output> aliased = new ArrayList<>();
        for (int i = 0; i < outputs.size(); i++) {
            aliased.add(new Output(outputs.get(i).expression() + " AS c" + i));
        }
        return aliased;
    }
}
