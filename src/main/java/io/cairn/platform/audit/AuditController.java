package io.cairn.platform.audit;

import io.cairn.platform.security.Access;
import io.cairn.platform.error.CairnApi;
import io.cairn.platform.error.CairnException;
import io.cairn.platform.time.QueryInstants;
import java.time.Instant;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /api/v1/audit}: the audit trail, oldest first, filtered by entity and time; page with {@code after_id}. */
@RestController
@CairnApi
class AuditController {

    private static final int MAX_LIMIT = 1000;

    private final AuditLog audit;
    private final Access access;

    AuditController(AuditLog audit, Access access) {
        this.audit = audit;
        this.access = access;
    }

    /** One page of the trail; {@code next_after_id} is set when more events may follow. */
    record AuditPage(List<AuditEvent> events, Long next_after_id) {
    }

    @GetMapping("/api/v1/audit")
    AuditPage find(@RequestParam(name = "entity_type", required = false) String entityType,
                   @RequestParam(name = "entity_id", required = false) String entityId,
                   @RequestParam(name = "since", required = false) String since,
                   @RequestParam(name = "until", required = false) String until,
                   @RequestParam(name = "after_id", required = false) Long afterId,
                   @RequestParam(name = "limit", defaultValue = "100") int limit) {
        // The trail spans every resource and every user: admins only.
        access.requireAdmin();
        if (limit < 1 || limit > MAX_LIMIT) {
            throw CairnException.invalid("Invalid limit " + limit + ": it must be between 1 and " + MAX_LIMIT + ".");
        }
        List<AuditEvent> events = audit.find(new AuditLog.Query(entityType, entityId,
                QueryInstants.parse("since", since), QueryInstants.parse("until", until), afterId, limit));
        Long next = events.size() == limit ? events.get(events.size() - 1).id() : null;
        return new AuditPage(events, next);
    }
}
