package io.cairn.registry.store;

import io.cairn.registry.RegistryEvent;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The registry_events log: every alias and stage change, recorded with the change (see RegistryChanges). */
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
}
