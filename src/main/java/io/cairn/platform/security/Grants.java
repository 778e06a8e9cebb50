package io.cairn.platform.security;

import io.cairn.platform.audit.AuditLog;
import io.cairn.platform.error.CairnException;
import io.cairn.platform.security.store.PermissionStore;
import io.cairn.platform.security.store.UserStore.UserRow;
import java.util.Map;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Explicit grants of a permission level to a user on one resource: MLflow's experiment and registered-model
 * permission API and Cairn's own for the other kinds. Only an admin or a user holding MANAGE on the resource may
 * grant, change or revoke; each change is audited and applies at once on this replica.
 */
@Service
public class Grants {

    /** One grant as answered. */
    public record Grant(ResourceType type, String resourceId, long userId, String username, Permission permission) {
    }

    private final PermissionStore permissions;
    private final Users users;
    private final Access access;
    private final AuditLog audit;

    public Grants(PermissionStore permissions, Users users, Access access, AuditLog audit) {
        this.permissions = permissions;
        this.users = users;
        this.access = access;
        this.audit = audit;
    }

    @Transactional
    public Grant create(ResourceType type, String resourceId, String username, Permission permission) {
        required(type, resourceId);
        access.require(type, resourceId, Permission.MANAGE);
        UserRow user = users.row(username);
        if (!permissions.insert(type, resourceId, user.userId(), permission)) {
            throw CairnException.alreadyExists("User '" + username + "' already has a permission on " + type.label()
                    + " '" + resourceId + "'; use update to change it.");
        }
        audit.record("permission", key(type, resourceId, username), "create", null, json(permission));
        access.invalidate();
        return new Grant(type, resourceId, user.userId(), username, permission);
    }

    @Transactional(readOnly = true)
    public Grant get(ResourceType type, String resourceId, String username) {
        required(type, resourceId);
        access.require(type, resourceId, Permission.MANAGE);
        UserRow user = users.row(username);
        Permission permission = permissions.find(type, resourceId, user.userId()).orElseThrow(() ->
                CairnException.notFound("User '" + username + "' has no permission on " + type.label() + " '"
                        + resourceId + "'."));
        return new Grant(type, resourceId, user.userId(), username, permission);
    }

    @Transactional
    public Grant update(ResourceType type, String resourceId, String username, Permission permission) {
        Grant before = get(type, resourceId, username);
        permissions.update(type, resourceId, before.userId(), permission);
        audit.record("permission", key(type, resourceId, username), "update", json(before.permission()),
                json(permission));
        access.invalidate();
        return new Grant(type, resourceId, before.userId(), username, permission);
    }

    /** Creates the grant or replaces the one there is (Cairn's PUT). */
    @Transactional
    public Grant put(ResourceType type, String resourceId, String username, Permission permission) {
        required(type, resourceId);
        access.require(type, resourceId, Permission.MANAGE);
        UserRow user = users.row(username);
        Permission before = permissions.find(type, resourceId, user.userId()).orElse(null);
        permissions.upsert(type, resourceId, user.userId(), permission);
        audit.record("permission", key(type, resourceId, username), before == null ? "create" : "update",
                before == null ? null : json(before), json(permission));
        access.invalidate();
        return new Grant(type, resourceId, user.userId(), username, permission);
    }

    @Transactional
    public void delete(ResourceType type, String resourceId, String username) {
        Grant before = get(type, resourceId, username);
        permissions.delete(type, resourceId, before.userId());
        audit.record("permission", key(type, resourceId, username), "delete", json(before.permission()), null);
        access.invalidate();
    }

    private static void required(ResourceType type, String resourceId) {
        if (resourceId == null || resourceId.isEmpty()) {
            throw CairnException.invalid("Missing value for the " + type.label() + " the permission is on.");
        }
    }

    private static String key(ResourceType type, String resourceId, String username) {
        return type.name().toLowerCase(java.util.Locale.ROOT) + ":" + resourceId + ":" + username;
    }

    private static Map<String, String> json(Permission permission) {
        return Map.of("permission", permission.name());
    }
}
