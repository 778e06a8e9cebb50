package io.cairn.platform.audit;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import tools.jackson.databind.JsonNode;

/** One recorded change: who did what to which entity, with the entity's state before and after (snake_case on the wire). */
public record AuditEvent(long id, Instant at, String actor, @JsonProperty("entity_type") String entityType,
                         @JsonProperty("entity_id") String entityId, String action, JsonNode before, JsonNode after) {
}
