package io.cairn.features;

import io.cairn.platform.security.Access;
import io.cairn.platform.security.Permission;
import io.cairn.platform.security.ResourceType;
import io.cairn.features.online.RedisOnlineStore;
import io.cairn.features.online.RedisOnlineStore.OnlineRow;
import io.cairn.features.store.DefinitionStore;
import io.cairn.features.store.FeatureTables;
import io.cairn.features.store.PointInTimeQuery;
import io.cairn.features.store.TrainingSetStore;
import io.cairn.platform.error.CairnException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Copies feature views into the online store: for each entity, the latest row (by event_timestamp, then
 * created_timestamp) whose event_timestamp lies in the window [start, end], both ends included. Redis keeps a row
 * only if it is not older than what it holds, so materializing an old window never undoes a newer push.
 * {@code materialize-incremental} continues each view from the end of its latest materialization.
 */
@Service
public class Materialization {

    private static final int CHUNK = 5_000;

    private final FeatureDefinitions definitions;
    private final DefinitionStore store;
    private final TrainingSetStore queries;
    private final RedisOnlineStore online;
    private final Clock clock;
    private final Access access;

    public Materialization(FeatureDefinitions definitions, DefinitionStore store, TrainingSetStore queries,
                           RedisOnlineStore online, Clock clock, Access access) {
        this.definitions = definitions;
        this.store = store;
        this.queries = queries;
        this.online = online;
        this.clock = clock;
        this.access = access;
    }

    /** What one view's materialization did. */
    public record Materialized(String feature_view, Instant start, Instant end, long entities, long written) {
    }

    @Transactional
    public List<Materialized> materialize(List<String> viewNames, Instant start, Instant end) {
        if (start == null || end == null) {
            throw CairnException.invalid("'start' and 'end' are required (ISO-8601 with an offset).");
        }
        if (start.isAfter(end)) {
            throw CairnException.invalid("'start' " + start + " is after 'end' " + end + ".");
        }
        List<Materialized> done = new ArrayList<>();
        for (FeatureView view : onlineViews(viewNames)) {
            done.add(materialize(view, start, end));
        }
        return done;
    }

    /** Each view from where its last materialization ended (or {@code end - ttl}, or the epoch) up to {@code end}. */
    @Transactional
    public List<Materialized> materializeIncremental(List<String> viewNames, Instant end) {
        Instant until = end == null ? clock.instant().truncatedTo(ChronoUnit.MICROS) : end;
        List<Materialized> done = new ArrayList<>();
        for (FeatureView view : onlineViews(viewNames)) {
            done.add(incremental(view, until));
        }
        return done;
    }

    /**
     * The scheduled job's materialize-incremental of one view up to {@code end}: no caller to check permissions of
     * (the job acts for whoever set the schedule, who needed EDIT on the view to set it).
     */
    @Transactional
    Materialized materializeOnSchedule(String viewName, Instant end) {
        FeatureView view = definitions.view(viewName);
        if (!view.online()) {
            throw CairnException.invalid("Feature view '" + viewName + "' is not online (online: false).");
        }
        return incremental(view, end.truncatedTo(ChronoUnit.MICROS));
    }

    private Materialized incremental(FeatureView view, Instant until) {
        Instant start = view.materialized_until() != null ? view.materialized_until()
                : view.ttl_seconds() > 0 ? until.minusSeconds(view.ttl_seconds()) : Instant.EPOCH;
        if (start.isAfter(until)) {
            throw CairnException.invalid("Feature view '" + view.name() + "' is already materialized up to "
                    + start + ", after 'end' " + until + ".");
        }
        return materialize(view, start, until);
    }

    private List<FeatureView> onlineViews(List<String> names) {
        List<FeatureView> views;
        if (names == null || names.isEmpty()) {
            views = definitions.views().stream().filter(FeatureView::online).toList();
        } else {
            views = List.copyOf(definitions.views(names).values());
        }
        // Materializing writes each view's online values: EDIT on every one, including "all views".
        views.forEach(v -> access.require(ResourceType.FEATURE_VIEW, v.name(), Permission.EDIT));
        if (names != null && !names.isEmpty()) {
            for (FeatureView v : views) {
                if (!v.online()) {
                    throw CairnException.invalid("Feature view '" + v.name() + "' is not online (online: false); "
                            + "set online to true to materialize it.");
                }
            }
        }
        return views;
    }

    private Materialized materialize(FeatureView view, Instant start, Instant end) {
        int keys = view.join_keys().size();
        List<String> keyColumns = view.join_keys().stream().map(k -> FeatureTables.quote(k.name())).toList();
        List<String> featureColumns = view.features().stream().map(f -> FeatureTables.quote(f.name())).toList();
        String sql = "SELECT DISTINCT ON (" + String.join(", ", keyColumns) + ") " + String.join(", ", keyColumns)
                + ", event_timestamp" + (featureColumns.isEmpty() ? "" : ", " + String.join(", ", featureColumns))
                + " FROM " + view.tableName() + " WHERE event_timestamp >= " + PointInTimeQuery.literal(start)
                + " AND event_timestamp <= " + PointInTimeQuery.literal(end) + " ORDER BY "
                + String.join(", ", keyColumns) + ", event_timestamp DESC, created_timestamp DESC";
        List<OnlineRow> chunk = new ArrayList<>(CHUNK);
        long[] totals = {0, 0};
        queries.stream(sql, rs -> {
            List<Object> keyValues = new ArrayList<>(keys);
            for (int i = 0; i < keys; i++) {
                keyValues.add(value(rs, i + 1, view.join_keys().get(i).type()));
            }
            long micros = Timestamps.micros(rs.getObject(keys + 1, OffsetDateTime.class).toInstant());
            Object[] values = new Object[view.features().size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = value(rs, keys + 2 + i, view.features().get(i).type());
            }
            chunk.add(new OnlineRow(keyValues, micros, values));
            totals[0]++;
            if (chunk.size() == CHUNK) {
                totals[1] += online.write(view, chunk);
                chunk.clear();
            }
        });
        totals[1] += online.write(view, chunk);
        store.recordMaterialization(view.viewId(), start, end, totals[1], clock.instant());
        return new Materialized(view.name(), start, end, totals[0], totals[1]);
    }

    static Object value(ResultSet rs, int column, ValueType type) throws SQLException {
        Object v = switch (type) {
            case INT64 -> rs.getLong(column);
            case INT32 -> rs.getInt(column);
            case FLOAT64 -> rs.getDouble(column);
            case FLOAT32 -> rs.getFloat(column);
            case BOOL -> rs.getBoolean(column);
            case STRING -> rs.getString(column);
        };
        return rs.wasNull() ? null : v;
    }
}
