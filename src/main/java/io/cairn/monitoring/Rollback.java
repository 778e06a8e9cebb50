package io.cairn.monitoring;

import io.cairn.platform.audit.AuditEvent;
import io.cairn.platform.audit.AuditLog;
import io.cairn.platform.error.CairnException;
import io.cairn.platform.error.ErrorCode;
import io.cairn.registry.ModelRegistry;
import io.cairn.serving.DeploymentCatalog;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.JsonNode;

/**
 * {@code POST /api/v1/deployments/{name}/rollback}: moves the deployment's primary alias back to the version it
 * pointed to before its last move, as the registry's audit trail of that alias records it ({@code set_alias}, whose
 * {@code before} holds the previous version). The alias move is the registry's, audited there; the rollback is
 * audited on the deployment. Serving follows the alias as it does for any move.
 */
@Service
public class Rollback {

    /** What a rollback did. */
    public record RolledBack(String deployment, String model, String alias, String from_version, String to_version) {
    }

    private final DeploymentCatalog deployments;
    private final ModelRegistry registry;
    private final AuditLog audit;

    Rollback(DeploymentCatalog deployments, ModelRegistry registry, AuditLog audit) {
        this.deployments = deployments;
        this.registry = registry;
        this.audit = audit;
    }

    /** The registered model the deployment serves, for the caller's permission check. */
    public String modelOf(String deployment) {
        return deployments.routing(deployment).orElseThrow(() ->
                CairnException.notFound("Deployment '" + deployment + "' does not exist.")).model();
    }

    @Transactional
    public RolledBack rollback(String deployment) {
        DeploymentCatalog.Routing routing = deployments.routing(deployment).orElseThrow(() ->
                CairnException.notFound("Deployment '" + deployment + "' does not exist."));
        String model = routing.model();
        String alias = routing.alias();
        int current = registry.byAlias(model, alias).version();
        Optional<AuditEvent> move = audit.latest("model_alias", model + "@" + alias, "set_alias");
        JsonNode before = move.map(AuditEvent::before).orElse(null);
        JsonNode after = move.map(AuditEvent::after).orElse(null);
        if (before == null || before.isNull() || !before.has("version")) {
            throw new CairnException(ErrorCode.CONFLICT, "Alias " + alias + " of model " + model + " has no earlier "
                    + "version in the audit trail to roll back to.");
        }
        if (after == null || after.path("version").asInt() != current) {
            throw new CairnException(ErrorCode.CONFLICT, "Alias " + alias + " of model " + model + " points to "
                    + "version " + current + ", but its last recorded move was to version " + after.path("version")
                    + "; set the alias explicitly.");
        }
        int previous = before.get("version").asInt();
        registry.setAlias(model, alias, Integer.toString(previous));
        Map<String, Object> was = new LinkedHashMap<>();
        was.put("alias", alias);
        was.put("version", Integer.toString(current));
        Map<String, Object> now = new LinkedHashMap<>();
        now.put("alias", alias);
        now.put("version", Integer.toString(previous));
        audit.record("deployment", deployment, "rollback", was, now);
        return new RolledBack(deployment, model, alias, Integer.toString(current), Integer.toString(previous));
    }
}
