package io.cairn.features.online;

import io.cairn.platform.security.Access;
import io.cairn.platform.security.Permission;
import io.cairn.platform.security.ResourceType;
import io.cairn.features.Feature;
import io.cairn.features.FeatureDefinitions;
import io.cairn.features.FeatureIngestion;
import io.cairn.features.FeatureRef;
import io.cairn.features.FeatureView;
import io.cairn.features.JoinKey;
import io.cairn.features.Timestamps;
import io.cairn.features.ValueType;
import io.cairn.features.online.RedisOnlineStore.Lookup;
import io.cairn.features.online.RedisOnlineStore.OnlineRow;
import io.cairn.features.online.RedisOnlineStore.Stored;
import io.cairn.platform.error.CairnException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.JsonNode;

/**
 * Online reads and pushes with Feast's semantics. A read returns, for every entity row and feature, the value held
 * online with a status: {@code PRESENT}; {@code NULL_VALUE} when the stored value is null; {@code OUTSIDE_MAX_AGE}
 * when its event time is older than now minus the view's TTL (the stale value is still returned, as Feast's Go
 * server does); {@code NOT_FOUND} when there is nothing for that entity (or the feature was added after the row was
 * written).
 */
@Service
public class OnlineFeatures {

    static final String EPOCH = "1970-01-01T00:00:00Z";

    private final OnlineViews views;
    private final FeatureDefinitions definitions;
    private final FeatureIngestion ingestion;
    private final RedisOnlineStore store;
    private final Clock clock;
    private final Access access;

    OnlineFeatures(OnlineViews views, FeatureDefinitions definitions, FeatureIngestion ingestion,
                   RedisOnlineStore store, Clock clock, Access access) {
        this.views = views;
        this.definitions = definitions;
        this.ingestion = ingestion;
        this.store = store;
        this.clock = clock;
        this.access = access;
    }

    /** One output column: a value, a status and an event time per entity row. */
    public record Column(List<Object> values, List<String> statuses, List<String> event_timestamps) {
    }

    /** The answer: column names (entity keys first, then features) and one column each, in that order. */
    public record Result(List<String> featureNames, List<Column> columns) {
    }

    public Result get(List<String> features, Map<String, List<JsonNode>> entities, boolean fullFeatureNames) {
        List<FeatureRef> refs = refs(features, entities);
        requireRead(viewNames(refs));
        PlannedRead read = plan(refs, views.views(viewNames(refs)), entities, fullFeatureNames);
        return answer(read, store.read(read.lookups()));
    }

    /**
     * {@link #get} without blocking a thread on Redis, for the feature server's event loops: the definitions come from
     * the cache when it holds them all (the usual case), otherwise they are loaded on {@code blocking}; the answer is
     * put together on the thread that receives Redis's last reply. A bad request fails the future (or throws) with
     * the same {@link CairnException} as {@link #get}.
     */
    public CompletableFuture<Result> getAsync(List<String> features, Map<String, List<JsonNode>> entities,
                                              boolean fullFeatureNames, Executor blocking) {
        List<FeatureRef> refs = refs(features, entities);
        List<String> viewNames = viewNames(refs);
        requireRead(viewNames);
        Map<String, FeatureView> cached = views.cachedViews(viewNames);
        CompletableFuture<Map<String, FeatureView>> definitions = cached != null
                ? CompletableFuture.completedFuture(cached)
                : CompletableFuture.supplyAsync(() -> views.views(viewNames), blocking);
        return definitions.thenCompose(byName -> {
            PlannedRead read = plan(refs, byName, entities, fullFeatureNames);
            return store.readAsync(read.lookups()).thenApply(stored -> answer(read, stored));
        });
    }

    /** READ on every view a read touches, checked before anything is looked up (levels are cached per user). */
    private void requireRead(List<String> viewNames) {
        for (String view : viewNames) {
            access.require(ResourceType.FEATURE_VIEW, view, Permission.READ);
        }
    }

    /** A validated read: the lookups to send and what is needed to turn their replies into the answer. */
    private record PlannedRead(List<FeatureRef> refs, Map<String, FeatureView> byName,
                               Map<String, List<JsonNode>> entities, List<String> names,
                               Map<String, List<String>> fieldsPerView, int rows, List<Lookup> lookups) {
    }

    private static List<FeatureRef> refs(List<String> features, Map<String, List<JsonNode>> entities) {
        if (features == null || features.isEmpty()) {
            throw CairnException.invalid("'features' is required: a list of <feature view>:<feature> references.");
        }
        if (entities == null || entities.isEmpty()) {
            throw CairnException.invalid("'entities' is required: join keys mapped to lists of values.");
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
        return refs;
    }

    private static List<String> viewNames(List<FeatureRef> refs) {
        return refs.stream().map(FeatureRef::view).distinct().toList();
    }

    private static PlannedRead plan(List<FeatureRef> refs, Map<String, FeatureView> byName,
                                    Map<String, List<JsonNode>> entities, boolean fullFeatureNames) {
        for (FeatureRef ref : refs) {
            FeatureView view = byName.get(ref.view());
            if (view.feature(ref.feature()).isEmpty()) {
                throw CairnException.invalid("Feature view '" + ref.view() + "' has no feature '" + ref.feature()
                        + "'; its features are " + view.features().stream().map(Feature::name).toList() + ".");
            }
            if (!view.online()) {
                throw CairnException.invalid("Feature view '" + ref.view() + "' is not online (online: false).");
            }
        }

        int rows = -1;
        for (Map.Entry<String, List<JsonNode>> e : entities.entrySet()) {
            if (e.getValue() == null) {
                throw CairnException.invalid("entities." + e.getKey() + " must be a list of values.");
            }
            if (rows >= 0 && e.getValue().size() != rows) {
                throw CairnException.invalid("The entity lists differ in length: '" + e.getKey() + "' has "
                        + e.getValue().size() + " values, the others " + rows + ".");
            }
            rows = e.getValue().size();
        }

        // Typed join-key values per key name, parsed once.
        Map<String, List<Object>> keyValues = new HashMap<>();
        for (FeatureView view : byName.values()) {
            for (JoinKey key : view.join_keys()) {
                if (keyValues.containsKey(key.name())) {
                    continue;
                }
                List<JsonNode> given = entities.get(key.name());
                if (given == null) {
                    throw CairnException.invalid("'entities' lacks join key '" + key.name() + "', which feature view '"
                            + view.name() + "' is keyed by.");
                }
                List<Object> typed = new ArrayList<>(rows);
                for (int i = 0; i < given.size(); i++) {
                    try {
                        Object v = key.type().fromJson(given.get(i));
                        if (v == null) {
                            throw new IllegalArgumentException("a join key cannot be null");
                        }
                        typed.add(v);
                    } catch (IllegalArgumentException e) {
                        throw CairnException.invalid("entities." + key.name() + "[" + i + "]: " + e.getMessage() + ".");
                    }
                }
                keyValues.put(key.name(), typed);
            }
        }

        // Output names: entity keys as given, then features; a clash is an error unless names are qualified.
        List<String> names = new ArrayList<>(entities.keySet());
        Set<String> taken = new LinkedHashSet<>(names);
        for (FeatureRef ref : refs) {
            String name = fullFeatureNames ? ref.fullName() : ref.feature();
            if (!taken.add(name)) {
                throw CairnException.invalid("Feature name '" + name + "' is requested from more than one place ("
                        + ref + " and another); set full_feature_names to true.");
            }
            names.add(name);
        }

        // One lookup per (view, entity row), all pipelined in one round trip.
        Map<String, List<String>> fieldsPerView = new LinkedHashMap<>();
        for (FeatureRef ref : refs) {
            fieldsPerView.computeIfAbsent(ref.view(), v -> new ArrayList<>()).add(ref.feature());
        }
        List<Lookup> lookups = new ArrayList<>(fieldsPerView.size() * rows);
        for (Map.Entry<String, List<String>> e : fieldsPerView.entrySet()) {
            FeatureView view = byName.get(e.getKey());
            for (int r = 0; r < rows; r++) {
                List<Object> key = new ArrayList<>(view.join_keys().size());
                for (JoinKey k : view.join_keys()) {
                    key.add(keyValues.get(k.name()).get(r));
                }
                lookups.add(new Lookup(RedisOnlineStore.key(view, key), e.getValue()));
            }
        }
        return new PlannedRead(refs, byName, entities, names, fieldsPerView, rows, lookups);
    }

    private Result answer(PlannedRead read, List<Stored> stored) {
        Map<String, FeatureView> byName = read.byName();
        Map<String, List<String>> fieldsPerView = read.fieldsPerView();
        int rows = read.rows();
        List<String> names = read.names();
        List<Column> columns = new ArrayList<>(names.size());
        for (List<JsonNode> given : read.entities().values()) {
            List<String> present = new ArrayList<>(rows);
            List<String> epoch = new ArrayList<>(rows);
            for (int r = 0; r < rows; r++) {
                present.add("PRESENT");
                epoch.add(EPOCH);
            }
            columns.add(new Column(new ArrayList<>(given), present, epoch));
        }
        long nowMicros = Timestamps.micros(clock.instant());
        Map<String, Integer> viewOffset = new HashMap<>();
        int offset = 0;
        for (Map.Entry<String, List<String>> e : fieldsPerView.entrySet()) {
            viewOffset.put(e.getKey(), offset);
            offset += rows;
        }
        // Every feature of one stored row shares its event time: format it once, not once per feature.
        String[] eventTimes = new String[stored.size()];
        for (FeatureRef ref : read.refs()) {
            FeatureView view = byName.get(ref.view());
            ValueType type = view.feature(ref.feature()).orElseThrow().type();
            int field = fieldsPerView.get(ref.view()).indexOf(ref.feature());
            int base = viewOffset.get(ref.view());
            long maxAgeMicros = view.ttl_seconds() * 1_000_000L;
            List<Object> values = new ArrayList<>(rows);
            List<String> statuses = new ArrayList<>(rows);
            List<String> times = new ArrayList<>(rows);
            for (int r = 0; r < rows; r++) {
                Stored s = stored.get(base + r);
                String raw = s.eventMicros() == null ? null : s.values().get(field);
                if (raw == null) {
                    values.add(null);
                    statuses.add("NOT_FOUND");
                    times.add(EPOCH);
                    continue;
                }
                Object value = RedisOnlineStore.decode(type, raw);
                values.add(value);
                if (eventTimes[base + r] == null) {
                    eventTimes[base + r] = Timestamps.format(Timestamps.ofMicros(s.eventMicros()));
                }
                times.add(eventTimes[base + r]);
                if (value == null) {
                    statuses.add("NULL_VALUE");
                } else if (maxAgeMicros > 0 && s.eventMicros() < nowMicros - maxAgeMicros) {
                    statuses.add("OUTSIDE_MAX_AGE");
                } else {
                    statuses.add("PRESENT");
                }
            }
            columns.add(new Column(values, statuses, times));
        }
        return new Result(names, columns);
    }

    /** Counts of what a push stored. */
    public record Pushed(long rows, long written_online, long written_offline) {
    }

    /**
     * Feast's push: a column-oriented batch of rows for one feature view, to the online store, the offline store or
     * both. Both together are one transaction: if Redis fails the offline rows are rolled back too.
     */
    @Transactional
    public Pushed push(String viewName, Map<String, JsonNode> df, String to) {
        if (viewName == null || viewName.isBlank()) {
            throw CairnException.invalid("'push_source_name' is required: the name of the feature view to push to.");
        }
        String target = to == null ? "online" : to;
        boolean toOnline = target.equals("online") || target.equals("online_and_offline");
        boolean toOffline = target.equals("offline") || target.equals("online_and_offline");
        if (!toOnline && !toOffline) {
            throw CairnException.invalid("Invalid 'to' value '" + to + "': use online, offline or online_and_offline.");
        }
        access.require(ResourceType.FEATURE_VIEW, viewName, Permission.EDIT);
        FeatureView view;
        try {
            view = definitions.view(viewName);
        } catch (CairnException e) {
            throw CairnException.invalid("Push source '" + viewName + "' does not exist: push to a feature view "
                    + "by its name.");
        }
        if (toOnline && !view.online()) {
            throw CairnException.invalid("Feature view '" + viewName + "' is not online (online: false); push with "
                    + "\"to\": \"offline\".");
        }
        List<Object[]> rows = ingestion.ingestColumns(view, df, toOffline);
        long written = 0;
        if (toOnline) {
            written = store.write(view, latestPerEntity(view, rows));
        }
        return new Pushed(rows.size(), written, toOffline ? rows.size() : 0);
    }

    /** The latest row per entity in one batch (by event time, then created time), as online rows. */
    private static List<OnlineRow> latestPerEntity(FeatureView view, List<Object[]> rows) {
        int keys = view.join_keys().size();
        Map<List<Object>, Object[]> latest = new LinkedHashMap<>();
        for (Object[] row : rows) {
            List<Object> key = List.of(java.util.Arrays.copyOfRange(row, 0, keys));
            latest.merge(key, row, (a, b) -> newer(b, a, keys) ? b : a);
        }
        List<OnlineRow> out = new ArrayList<>(latest.size());
        for (Map.Entry<List<Object>, Object[]> e : latest.entrySet()) {
            Object[] row = e.getValue();
            out.add(new OnlineRow(e.getKey(), Timestamps.micros((Instant) row[keys]),
                    java.util.Arrays.copyOfRange(row, keys + 2, row.length)));
        }
        return out;
    }

    private static boolean newer(Object[] a, Object[] b, int keys) {
        int byEvent = ((Instant) a[keys]).compareTo((Instant) b[keys]);
        return byEvent > 0 || (byEvent == 0 && ((Instant) a[keys + 1]).compareTo((Instant) b[keys + 1]) >= 0);
    }
}
