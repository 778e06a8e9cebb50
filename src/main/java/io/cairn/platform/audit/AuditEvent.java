package io.cairn.platform.audit;

import java.time.Instant;
import tools.jackson.databind.JsonNode;

/** One recorded change: who did what to which entity, with the entity's state before and after. */
public record AuditEvent(long id, Instant at, String actor, String entityType, String entityId, String action,
                         JsonNode before, JsonNode after) {
}
