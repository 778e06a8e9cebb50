package io.cairn.platform.security.store;

import io.cairn.platform.security.Permission;
import io.cairn.platform.security.ResourceType;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The {@code permissions} table: explicit grants of one level to one user on one resource. */
@Repository
public class PermissionStore {

    /** One grant, with the user's name for answers. */
    public record Grant(ResourceType type, String resourceId, long userId, String username, Permission permission) {
    }

    private final JdbcClient jdbc;

    public PermissionStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public Optional<Permission> find(ResourceType type, String resourceId, long userId) {
        return jdbc.sql("SELECT permission FROM permissions WHERE resource_type = :t AND resource_id = :r AND user_id = :u")
                .param("t", type.name()).param("r", resourceId).param("u", userId)
                .query((rs, i) -> Permission.valueOf(rs.getString(1))).optional();
    }

    /** The user's explicit grants among {@code resourceIds}. */
    public Map<String, Permission> find(ResourceType type, Collection<String> resourceIds, long userId) {
        Map<String, Permission> out = new HashMap<>();
        if (resourceIds.isEmpty()) {
            return out;
        }
        jdbc.sql("""
                SELECT resource_id, permission FROM permissions
                WHERE resource_type = :t AND user_id = :u AND resource_id = ANY(:ids)""")
                .param("t", type.name()).param("u", userId).param("ids", resourceIds.toArray(String[]::new))
                .query(rs -> {
                    out.put(rs.getString(1), Permission.valueOf(rs.getString(2)));
                });
        return out;
    }

    /** Creates or replaces the grant. */
    public void upsert(ResourceType type, String resourceId, long userId, Permission permission) {
        jdbc.sql("""
                INSERT INTO permissions (resource_type, resource_id, user_id, permission) VALUES (:t, :r, :u, :p)
                ON CONFLICT (resource_type, resource_id, user_id) DO UPDATE SET permission = EXCLUDED.permission""")
                .param("t", type.name()).param("r", resourceId).param("u", userId).param("p", permission.name())
                .update();
    }

    /** Inserts the grant; false when the user already has one on that resource. */
    public boolean insert(ResourceType type, String resourceId, long userId, Permission permission) {
        return jdbc.sql("""
                INSERT INTO permissions (resource_type, resource_id, user_id, permission) VALUES (:t, :r, :u, :p)
                ON CONFLICT (resource_type, resource_id, user_id) DO NOTHING""")
                .param("t", type.name()).param("r", resourceId).param("u", userId).param("p", permission.name())
                .update() == 1;
    }

    public boolean update(ResourceType type, String resourceId, long userId, Permission permission) {
        return jdbc.sql("""
                UPDATE permissions SET permission = :p
                WHERE resource_type = :t AND resource_id = :r AND user_id = :u""")
                .param("t", type.name()).param("r", resourceId).param("u", userId).param("p", permission.name())
                .update() == 1;
    }

    public boolean delete(ResourceType type, String resourceId, long userId) {
        return jdbc.sql("DELETE FROM permissions WHERE resource_type = :t AND resource_id = :r AND user_id = :u")
                .param("t", type.name()).param("r", resourceId).param("u", userId).update() == 1;
    }

    /** Removes every grant on a resource that no longer exists, so one created later under its name starts clean. */
    public void deleteAll(ResourceType type, String resourceId) {
        jdbc.sql("DELETE FROM permissions WHERE resource_type = :t AND resource_id = :r")
                .param("t", type.name()).param("r", resourceId).update();
    }

    /** Moves every grant to the resource's new name. */
    public void rename(ResourceType type, String from, String to) {
        jdbc.sql("UPDATE permissions SET resource_id = :to WHERE resource_type = :t AND resource_id = :from")
                .param("t", type.name()).param("from", from).param("to", to).update();
    }

    public List<Grant> forUser(long userId) {
        return jdbc.sql("""
                SELECT p.resource_type, p.resource_id, p.user_id, u.username, p.permission
                FROM permissions p JOIN users u ON u.user_id = p.user_id
                WHERE p.user_id = :u ORDER BY p.resource_type, p.resource_id""")
                .param("u", userId)
                .query((rs, i) -> new Grant(ResourceType.valueOf(rs.getString(1)), rs.getString(2), rs.getLong(3),
                        rs.getString(4), Permission.valueOf(rs.getString(5))))
                .list();
    }
}
