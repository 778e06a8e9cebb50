package io.cairn.registry.store;

import io.cairn.registry.RegistryEvent;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The registry_events log that replicas follow. */
@Repository
public class RegistryEventStore {

    private final JdbcClient jdbc;

    public RegistryEventStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public RegistryEvent append(RegistryEvent event) {
        long id = jdbc.sql("""
                INSERT INTO registry_events (occurred_at, type, name, alias, version, previous_version, stage)
                VALUES (:at, :type, :name, :alias, :version, :previous, :stage) RETURNING event_id""")
                .param("at", event.occurredAt()).param("type", event.type().name()).param("name", event.name())
                .param("alias", event.alias()).param("version", event.version())
                .param("previous", event.previousVersion()).param("stage", event.stage())
                .query(Long.class).single();
        return new RegistryEvent(id, event.occurredAt(), event.type(), event.name(), event.alias(), event.version(),
                event.previousVersion(), event.stage());
    }

    public List<RegistryEvent> since(long afterId, int limit) {
        return jdbc.sql("""
                SELECT event_id, occurred_at, type, name, alias, version, previous_version, stage
                FROM registry_events WHERE event_id > :after ORDER BY event_id LIMIT :limit""")
                .param("after", afterId).param("limit", limit)
                .query((rs, i) -> new RegistryEvent(rs.getLong(1), rs.getLong(2), RegistryEvent.Type.valueOf(rs.getString(3)),
                        rs.getString(4), rs.getString(5), (Integer) rs.getObject(6), (Integer) rs.getObject(7),
                        rs.getString(8)))
                .list();
    }

    public long lastId() {
        return jdbc.sql("SELECT coalesce(max(event_id), 0) FROM registry_events").query(Long.class).single();
    }
}
