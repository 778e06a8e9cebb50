package io.cairn.features.store;

import io.cairn.features.Entity;
import io.cairn.features.Feature;
import io.cairn.features.FeatureView;
import io.cairn.features.FeatureView.ScheduledMaterialization;
import io.cairn.features.JoinKey;
import io.cairn.features.ValueType;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** Entities and feature views: their definitions in feature_entities, feature_views and feature_view_entities. */
@Repository
public class DefinitionStore {

    private static final TypeReference<List<Feature>> FEATURES = new TypeReference<>() {
    };
    private static final TypeReference<Map<String, String>> TAGS = new TypeReference<>() {
    };

    private final JdbcClient jdbc;
    private final JsonMapper json = JsonMapper.builder().build();

    public DefinitionStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Serializes definition changes of one name across concurrent requests, until the transaction ends. */
    public void lock(String kind, String name) {
        jdbc.sql("SELECT pg_advisory_xact_lock(hashtext(:key))").param("key", "cairn.features." + kind + ":" + name)
                .query().singleRow();
    }

    // ---- entities ----------------------------------------------------------------------------------------------

    public Optional<Entity> entity(String name) {
        return jdbc.sql("SELECT name, join_key, value_type, description, created_at, updated_at FROM feature_entities "
                        + "WHERE name = :name")
                .param("name", name).query(DefinitionStore::entityRow).optional();
    }

    public List<Entity> entities() {
        return jdbc.sql("SELECT name, join_key, value_type, description, created_at, updated_at FROM feature_entities "
                + "ORDER BY name").query(DefinitionStore::entityRow).list();
    }

    public void insertEntity(Entity e) {
        jdbc.sql("""
                INSERT INTO feature_entities (name, join_key, value_type, description, created_at, updated_at)
                VALUES (:name, :joinKey, :type, :description, :created, :updated)""")
                .param("name", e.name()).param("joinKey", e.join_key()).param("type", e.value_type().name())
                .param("description", e.description()).param("created", Timestamp.from(e.created_at()))
                .param("updated", Timestamp.from(e.updated_at())).update();
    }

    public void updateEntity(Entity e) {
        jdbc.sql("""
                UPDATE feature_entities SET join_key = :joinKey, value_type = :type, description = :description,
                       updated_at = :updated WHERE name = :name""")
                .param("name", e.name()).param("joinKey", e.join_key()).param("type", e.value_type().name())
                .param("description", e.description()).param("updated", Timestamp.from(e.updated_at())).update();
    }

    public boolean deleteEntity(String name) {
        return jdbc.sql("DELETE FROM feature_entities WHERE name = :name").param("name", name).update() > 0;
    }

    /** Names of the views keyed by the entity. */
    public List<String> viewsUsing(String entity) {
        return jdbc.sql("""
                SELECT v.name FROM feature_view_entities ve JOIN feature_views v ON v.view_id = ve.view_id
                WHERE ve.entity = :entity ORDER BY v.name""").param("entity", entity).query(String.class).list();
    }

    private static Entity entityRow(ResultSet rs, int i) throws SQLException {
        return new Entity(rs.getString(1), rs.getString(2), ValueType.valueOf(rs.getString(3)), rs.getString(4),
                rs.getTimestamp(5).toInstant(), rs.getTimestamp(6).toInstant());
    }

    // ---- feature views -----------------------------------------------------------------------------------------

    private static final String VIEW_COLUMNS = """
            v.view_id, v.online_key, v.name, v.features::text, v.ttl_seconds, v.online, v.description, v.tags::text, v.created_at,
            v.updated_at, v.materialized_until,
            (SELECT coalesce(json_agg(json_build_array(e.name, e.join_key, e.value_type) ORDER BY ve.position), '[]')::text
               FROM feature_view_entities ve JOIN feature_entities e ON e.name = ve.entity
              WHERE ve.view_id = v.view_id),
            (SELECT json_build_object('schedule', s.schedule, 'next_run_at', s.next_run_at,
                    'last_started_at', s.last_started_at, 'last_duration_ms', s.last_duration_ms,
                    'last_entities', s.last_entities, 'last_rows_written', s.last_rows_written,
                    'last_error', s.last_error, 'runs', s.runs, 'failures', s.failures)::text
               FROM feature_view_schedules s WHERE s.view_id = v.view_id)""";

    public Optional<FeatureView> view(String name) {
        return jdbc.sql("SELECT " + VIEW_COLUMNS + " FROM feature_views v WHERE v.name = :name").param("name", name)
                .query(this::viewRow).optional();
    }

    /**
     * The view, locked against a concurrent redefinition or deletion (which update or delete its row) until the
     * transaction ends; writers of rows hold this while they COPY.
     */
    public Optional<FeatureView> viewForShare(String name) {
        return jdbc.sql("SELECT " + VIEW_COLUMNS + " FROM feature_views v WHERE v.name = :name FOR SHARE OF v")
                .param("name", name).query(this::viewRow).optional();
    }

    public List<FeatureView> views() {
        return jdbc.sql("SELECT " + VIEW_COLUMNS + " FROM feature_views v ORDER BY v.name").query(this::viewRow).list();
    }

    /** The named views that exist, by name, read with one query. */
    public Map<String, FeatureView> views(List<String> names) {
        Map<String, FeatureView> found = new LinkedHashMap<>();
        jdbc.sql("SELECT " + VIEW_COLUMNS + " FROM feature_views v WHERE v.name = ANY(:names)")
                .param("names", names.toArray(String[]::new))
                .query(this::viewRow).list().forEach(v -> found.put(v.name(), v));
        return found;
    }

    /** Inserts a new view with its entity links and returns its id. */
    public long insertView(FeatureView v) {
        long id = jdbc.sql("""
                INSERT INTO feature_views (name, online_key, features, ttl_seconds, online, description, tags,
                                           created_at, updated_at)
                VALUES (:name, :onlineKey, CAST(:features AS jsonb), :ttl, :online, :description, CAST(:tags AS jsonb),
                        :created, :updated)
                RETURNING view_id""")
                .param("name", v.name()).param("onlineKey", v.onlineKey())
                .param("features", json.writeValueAsString(v.features()))
                .param("ttl", v.ttl_seconds()).param("online", v.online()).param("description", v.description())
                .param("tags", json.writeValueAsString(v.tags())).param("created", Timestamp.from(v.created_at()))
                .param("updated", Timestamp.from(v.updated_at()))
                .query(Long.class).single();
        for (int i = 0; i < v.entities().size(); i++) {
            jdbc.sql("INSERT INTO feature_view_entities (view_id, position, entity) VALUES (:id, :pos, :entity)")
                    .param("id", id).param("pos", i).param("entity", v.entities().get(i)).update();
        }
        return id;
    }

    public void updateView(FeatureView v) {
        jdbc.sql("""
                UPDATE feature_views SET features = CAST(:features AS jsonb), ttl_seconds = :ttl, online = :online,
                       description = :description, tags = CAST(:tags AS jsonb), updated_at = :updated
                WHERE view_id = :id""")
                .param("id", v.viewId()).param("features", json.writeValueAsString(v.features()))
                .param("ttl", v.ttl_seconds()).param("online", v.online()).param("description", v.description())
                .param("tags", json.writeValueAsString(v.tags())).param("updated", Timestamp.from(v.updated_at()))
                .update();
    }

    public void deleteView(long viewId) {
        jdbc.sql("DELETE FROM feature_views WHERE view_id = :id").param("id", viewId).update();
    }

    private FeatureView viewRow(ResultSet rs, int i) throws SQLException {
        List<JoinKey> keys = new ArrayList<>();
        List<String> entities = new ArrayList<>();
        for (var node : json.readTree(rs.getString(12))) {
            entities.add(node.get(0).asString());
            keys.add(new JoinKey(node.get(0).asString(), node.get(1).asString(), ValueType.valueOf(node.get(2).asString())));
        }
        Timestamp materialized = rs.getTimestamp(11);
        String scheduleJson = rs.getString(13);
        String schedule = null;
        ScheduledMaterialization scheduled = null;
        if (scheduleJson != null) {
            var node = json.readTree(scheduleJson);
            schedule = node.get("schedule").asString();
            scheduled = new ScheduledMaterialization(instant(node.get("next_run_at")),
                    instant(node.get("last_started_at")), longOrNull(node.get("last_duration_ms")),
                    longOrNull(node.get("last_entities")), longOrNull(node.get("last_rows_written")),
                    node.get("last_error").isNull() ? null : node.get("last_error").asString(),
                    node.get("runs").asLong(), node.get("failures").asLong());
        }
        return new FeatureView(rs.getLong(1), rs.getString(2), rs.getString(3), List.copyOf(entities),
                List.copyOf(keys), List.copyOf(json.readValue(rs.getString(4), FEATURES)), rs.getLong(5),
                rs.getBoolean(6), rs.getString(7),
                java.util.Collections.unmodifiableMap(new LinkedHashMap<>(json.readValue(rs.getString(8), TAGS))),
                rs.getTimestamp(9).toInstant(), rs.getTimestamp(10).toInstant(),
                materialized == null ? null : materialized.toInstant(), schedule, scheduled);
    }

    private static Instant instant(tools.jackson.databind.JsonNode node) {
        // json_build_object renders timestamptz as ISO-8601 with an offset, e.g. 2026-01-01T00:00:00.123+00:00.
        return node == null || node.isNull() ? null : java.time.OffsetDateTime.parse(node.asString()).toInstant();
    }

    private static Long longOrNull(tools.jackson.databind.JsonNode node) {
        return node == null || node.isNull() ? null : node.asLong();
    }

    // ---- schedules ---------------------------------------------------------------------------------------------

    /** Sets the view's schedule and its next run, or removes it ({@code schedule} null). */
    public void setSchedule(long viewId, String schedule, Instant nextRunAt) {
        if (schedule == null) {
            jdbc.sql("DELETE FROM feature_view_schedules WHERE view_id = :id").param("id", viewId).update();
            return;
        }
        jdbc.sql("""
                INSERT INTO feature_view_schedules (view_id, schedule, next_run_at) VALUES (:id, :schedule, :next)
                ON CONFLICT (view_id) DO UPDATE SET schedule = EXCLUDED.schedule, next_run_at = EXCLUDED.next_run_at""")
                .param("id", viewId).param("schedule", schedule).param("next", Timestamp.from(nextRunAt)).update();
    }

    /** A view whose schedule is due. */
    public record DueView(long viewId, String name, String schedule, Instant nextRunAt) {
    }

    /** Views whose next scheduled run is at or before {@code now}, the most overdue first. */
    public List<DueView> dueViews(Instant now) {
        return jdbc.sql("""
                SELECT s.view_id, v.name, s.schedule, s.next_run_at FROM feature_view_schedules s
                JOIN feature_views v ON v.view_id = s.view_id
                WHERE s.next_run_at <= :now ORDER BY s.next_run_at, v.name""")
                .param("now", Timestamp.from(now))
                .query((rs, i) -> new DueView(rs.getLong(1), rs.getString(2), rs.getString(3),
                        rs.getTimestamp(4).toInstant()))
                .list();
    }

    /**
     * Records a scheduled run's outcome and its next run, only if the schedule is still the one that ran (a PUT may
     * have changed or removed it meanwhile; then its own next run stands).
     */
    public void recordScheduledRun(long viewId, String schedule, Instant started, long durationMs, Long entities,
                                   Long rowsWritten, String error, Instant nextRunAt) {
        jdbc.sql("""
                UPDATE feature_view_schedules SET next_run_at = :next, last_started_at = :started,
                       last_duration_ms = :duration, last_entities = :entities, last_rows_written = :rows,
                       last_error = :error, runs = runs + 1, failures = failures + CASE WHEN :failed THEN 1 ELSE 0 END
                WHERE view_id = :id AND schedule = :schedule""")
                .param("id", viewId).param("schedule", schedule).param("next", Timestamp.from(nextRunAt))
                .param("started", Timestamp.from(started)).param("duration", durationMs)
                .param("entities", entities, java.sql.Types.BIGINT).param("rows", rowsWritten, java.sql.Types.BIGINT)
                .param("error", error, java.sql.Types.VARCHAR).param("failed", error != null)
                .update();
    }

    /** Every schedule's latest outcome, for the gauges: view name to (runs, failures, last duration, rows, started). */
    public record ScheduleOutcome(String view, long runs, long failures, Long lastDurationMs, Long lastRowsWritten,
                                  Instant lastStartedAt, boolean lastFailed) {
    }

    public List<ScheduleOutcome> scheduleOutcomes() {
        return jdbc.sql("""
                SELECT v.name, s.runs, s.failures, s.last_duration_ms, s.last_rows_written, s.last_started_at,
                       s.last_error IS NOT NULL
                FROM feature_view_schedules s JOIN feature_views v ON v.view_id = s.view_id ORDER BY v.name""")
                .query((rs, i) -> {
                    Timestamp started = rs.getTimestamp(6);
                    return new ScheduleOutcome(rs.getString(1), rs.getLong(2), rs.getLong(3),
                            (Long) rs.getObject(4), (Long) rs.getObject(5),
                            started == null ? null : started.toInstant(), rs.getBoolean(7));
                })
                .list();
    }

    // ---- materialization bookkeeping ---------------------------------------------------------------------------

    public void recordMaterialization(long viewId, Instant start, Instant end, long entitiesWritten, Instant at) {
        jdbc.sql("""
                INSERT INTO feature_view_materializations (view_id, start_time, end_time, entities_written, finished_at)
                VALUES (:id, :start, :end, :written, :at)""")
                .param("id", viewId).param("start", Timestamp.from(start)).param("end", Timestamp.from(end))
                .param("written", entitiesWritten).param("at", Timestamp.from(at)).update();
        jdbc.sql("""
                UPDATE feature_views SET materialized_until = greatest(coalesce(materialized_until, :end), :end)
                WHERE view_id = :id""")
                .param("id", viewId).param("end", Timestamp.from(end)).update();
    }
}
