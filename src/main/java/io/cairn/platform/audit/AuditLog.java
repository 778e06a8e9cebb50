package io.cairn.platform.audit;

import io.cairn.platform.web.CurrentActor;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The append-only audit trail. {@link #record} joins the caller's transaction, so a change and its audit row commit
 * or roll back together; the table itself refuses UPDATE and DELETE.
 */
@Service
public class AuditLog {

    private final JdbcClient jdbc;
    /**
     * Snapshots are stored as /api/v1 answers them, in snake_case: a record's camelCase components (a registered
     * model's {@code creationTimestamp}) become {@code creation_timestamp}; names given explicitly and map keys (the
     * user's own tag names) stay as they are.
     */
    private final JsonMapper json = JsonMapper.builder()
            .propertyNamingStrategy(tools.jackson.databind.PropertyNamingStrategies.SNAKE_CASE).build();

    public AuditLog(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Records a change made by the current request's actor; {@code before}/{@code after} are serialized to JSON. */
    @Transactional(propagation = Propagation.MANDATORY)
    public void record(String entityType, String entityId, String action, Object before, Object after) {
        jdbc.sql("""
                INSERT INTO audit_log (actor, entity_type, entity_id, action, before, after)
                VALUES (:actor, :type, :id, :action, CAST(:before AS jsonb), CAST(:after AS jsonb))""")
                .param("actor", CurrentActor.name()).param("type", entityType).param("id", entityId)
                .param("action", action).param("before", toJson(before)).param("after", toJson(after))
                .update();
    }

    /** A filter over the trail; null fields do not filter. */
    public record Query(String entityType, String entityId, Instant since, Instant until, Long afterId, int limit) {
    }

    /** The latest event of this action on this entity, if there is one. */
    @Transactional(readOnly = true)
    public Optional<AuditEvent> latest(String entityType, String entityId, String action) {
        return jdbc.sql("SELECT event_id, occurred_at, actor, entity_type, entity_id, action, before::text, after::text "
                        + "FROM audit_log WHERE entity_type = :type AND entity_id = :id AND action = :action "
                        + "ORDER BY event_id DESC LIMIT 1")
                .param("type", entityType).param("id", entityId).param("action", action)
                .query((rs, i) -> new AuditEvent(rs.getLong(1), rs.getTimestamp(2).toInstant(), rs.getString(3),
                        rs.getString(4), rs.getString(5), rs.getString(6), parse(rs.getString(7)),
                        parse(rs.getString(8)))).optional();
    }

    @Transactional(readOnly = true)
    public List<AuditEvent> find(Query query) {
        StringBuilder sql = new StringBuilder(
                "SELECT event_id, occurred_at, actor, entity_type, entity_id, action, before::text, after::text "
                        + "FROM audit_log WHERE true");
        Map<String, Object> params = new LinkedHashMap<>();
        if (query.entityType() != null) {
            sql.append(" AND entity_type = :type");
            params.put("type", query.entityType());
        }
        if (query.entityId() != null) {
            sql.append(" AND entity_id = :id");
            params.put("id", query.entityId());
        }
        if (query.since() != null) {
            sql.append(" AND occurred_at >= :since");
            params.put("since", Timestamp.from(query.since()));
        }
        if (query.until() != null) {
            sql.append(" AND occurred_at < :until");
            params.put("until", Timestamp.from(query.until()));
        }
        if (query.afterId() != null) {
            sql.append(" AND event_id > :after");
            params.put("after", query.afterId());
        }
        sql.append(" ORDER BY event_id LIMIT :limit");
        params.put("limit", query.limit());
        List<AuditEvent> events = new ArrayList<>();
        jdbc.sql(sql.toString()).params(params).query(rs -> {
            events.add(new AuditEvent(rs.getLong(1), rs.getTimestamp(2).toInstant(), rs.getString(3), rs.getString(4),
                    rs.getString(5), rs.getString(6), parse(rs.getString(7)), parse(rs.getString(8))));
        });
        return events;
    }

    /** A filter for browsing the trail newest first; null fields do not filter, {@code beforeId} pages back. */
    public record Filter(String entityType, String entityId, String actor, String action, Long beforeId, int limit) {
    }

    /** Events matching the filter, newest first (the dashboard's audit page). */
    @Transactional(readOnly = true)
    public List<AuditEvent> newestFirst(Filter filter) {
        StringBuilder sql = new StringBuilder(
                "SELECT event_id, occurred_at, actor, entity_type, entity_id, action, before::text, after::text "
                        + "FROM audit_log WHERE true");
        Map<String, Object> params = new LinkedHashMap<>();
        String[][] equals = {{"entity_type", "type", filter.entityType()}, {"entity_id", "id", filter.entityId()},
            {"actor", "actor", filter.actor()}, {"action", "action", filter.action()}};
        for (String[] e : equals) {
            if (e[2] != null) {
                sql.append(" AND ").append(e[0]).append(" = :").append(e[1]);
                params.put(e[1], e[2]);
            }
        }
        if (filter.beforeId() != null) {
            sql.append(" AND event_id < :before");
            params.put("before", filter.beforeId());
        }
        sql.append(" ORDER BY event_id DESC LIMIT :limit");
        params.put("limit", filter.limit());
        List<AuditEvent> events = new ArrayList<>();
        jdbc.sql(sql.toString()).params(params).query(rs -> {
            events.add(new AuditEvent(rs.getLong(1), rs.getTimestamp(2).toInstant(), rs.getString(3), rs.getString(4),
                    rs.getString(5), rs.getString(6), parse(rs.getString(7)), parse(rs.getString(8))));
        });
        return events;
    }

    private String toJson(Object value) {
        return value == null ? null : json.writeValueAsString(value);
    }

    private JsonNode parse(String text) {
        return text == null ? null : json.readTree(text);
    }
}
