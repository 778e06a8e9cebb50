package io.cairn.registry;

import io.cairn.platform.audit.AuditLog;
import io.cairn.registry.store.RegistryEventStore;
import java.time.Clock;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;

/**
 * Records what changed in the registry: an audit row for every change and, for alias and stage changes, a
 * {@link RegistryEvent} stored in {@code registry_events} and published in-process. Both happen inside the change's
 * transaction; in-process listeners should use {@code @TransactionalEventListener} to act after commit.
 *
 * <p>Other replicas do not follow the stored events by id (there was a {@code since(afterId)} for that, which only a
 * test called): ids are taken at insert, not at commit, so a follower asking for {@code event_id > last} could skip a
 * change that committed late. Serving re-reads the alias targets on every reconcile pass instead, which cannot miss
 * one, and takes the in-process event only as a cue to reconcile at once.
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
}
