package io.cairn.web;

import io.cairn.platform.audit.AuditEvent;
import io.cairn.platform.audit.AuditLog;
import io.cairn.platform.security.Access;
import java.util.List;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;

/** {@code /audit}: the audit trail, newest first, filtered by entity, actor and action; admins only. */
@Controller
@DashboardPage
class AuditPage {

    static final int PAGE = 100;

    private final AuditLog audit;
    private final Access access;

    AuditPage(AuditLog audit, Access access) {
        this.audit = audit;
        this.access = access;
    }

    @GetMapping("/audit")
    String audit(@RequestParam(name = "entity_type", required = false) String entityType,
                 @RequestParam(name = "entity_id", required = false) String entityId,
                 @RequestParam(required = false) String actor, @RequestParam(required = false) String action,
                 @RequestParam(required = false) Long before, Model model) {
        access.requireAdmin();
        String type = blankToNull(entityType);
        String id = blankToNull(entityId);
        String who = blankToNull(actor);
        String what = blankToNull(action);
        List<AuditEvent> events = audit.newestFirst(new AuditLog.Filter(type, id, who, what, before, PAGE + 1));
        Long older = events.size() > PAGE ? events.get(PAGE - 1).id() : null;
        model.addAttribute("audit", new AuditView(type == null ? "" : type, id == null ? "" : id,
                who == null ? "" : who, what == null ? "" : what, events.size() > PAGE ? events.subList(0, PAGE)
                : events, older));
        return "audit";
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }
}
