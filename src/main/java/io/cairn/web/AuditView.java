package io.cairn.web;

import io.cairn.platform.audit.AuditEvent;
import java.util.List;

/** One page of the audit trail, newest first, with the filters that chose it. */
public record AuditView(String entityType, String entityId, String actor, String action, List<AuditEvent> events,
                        Long olderThan) {

    public String olderLink() {
        return new Query("/audit").add("entity_type", entityType).add("entity_id", entityId).add("actor", actor)
                .add("action", action).add("before", olderThan).toString();
    }
}
