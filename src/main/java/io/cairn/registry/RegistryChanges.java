package io.cairn.registry;

import io.cairn.platform.audit.AuditLog;
import io.cairn.registry.store.RegistryEventStore;
import java.time.Clock;
import java.util.List;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * Records what changed in the registry: an audit row for every change and, for alias and stage changes, a
 * {@link RegistryEvent} stored for other replicas and published in-process. Both happen inside the change's
 * transaction; in-process listeners should use {@code @TransactionalEventListener} to act after commit.
 */
@Component
public class RegistryChanges {

    private final AuditLog audit;
    private final RegistryEventStore events;
    private final ApplicationEventPublisher publisher;
    private final Clock clock;

    RegistryChanges(AuditLog audit, RegistryEventStore events, ApplicationEventPublisher publisher, Clock clock) {
        this.audit = audit;
        this.events = events;
        this.publisher = publisher;
        this.clock = clock;
    }

    void audited(String entityType, String entityId, String action, Object before, Object after) {
        audit.record(entityType, entityId, action, before, after);
    }

    void event(RegistryEvent.Type type, String name, String alias, Integer version, Integer previous, String stage) {
        RegistryEvent stored = events.append(new RegistryEvent(0, clock.millis(), type, name, alias, version, previous, stage));
        publisher.publishEvent(stored);
    }

    /** Alias and stage changes after {@code afterId}, oldest first, for replicas that follow the registry. */
    @Transactional(readOnly = true)
    public List<RegistryEvent> since(long afterId, int limit) {
        return events.since(afterId, limit);
    }

    /** The newest event id, where a follower starts. */
    @Transactional(readOnly = true)
    public long lastEventId() {
        return events.lastId();
    }
}
