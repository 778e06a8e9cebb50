package io.cairn.platform.security;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.cairn.platform.error.CairnException;
import io.cairn.platform.security.store.PermissionStore;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Service;

/**
 * What the current request may do. Every protocol edge asks this before it acts: {@link #require} for one resource,
 * {@link #readable} to drop what the caller may not see from a listing, {@link #requireAdmin} for user management.
 * With {@code cairn.security.enabled=false} every question is answered yes without a lookup.
 *
 * <p>A user's level on a resource: admins MANAGE everything; otherwise an explicit grant, else the configured default
 * ({@code cairn.security.default-permission}, READ like MLflow). Resolved levels are cached per user and resource for
 * {@code permission-cache-ttl}, so the online-read and inference paths do not pay a query per request.
 */
@Service
public class Access {

    private record Key(long userId, ResourceType type, String resourceId) {
    }

    private final SecurityProperties properties;
    private final PermissionStore permissions;
    private final Cache<Key, Permission> levels;

    public Access(SecurityProperties properties, PermissionStore permissions) {
        this.properties = properties;
        this.permissions = permissions;
        this.levels = Caffeine.newBuilder().maximumSize(100_000)
                .expireAfterWrite(properties.permissionCacheTtl()).build();
    }

    public boolean enabled() {
        return properties.enabled();
    }

    /** The authenticated principal of the current thread's request, if any. */
    public Optional<CairnPrincipal> principal() {
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        return authentication instanceof CairnAuthentication cairn ? Optional.of(cairn.getPrincipal()) : Optional.empty();
    }

    /** Refuses the request unless its user holds {@code needed} on the resource; a null id is left to validation. */
    public void require(ResourceType type, String resourceId, Permission needed) {
        if (!enabled() || resourceId == null) {
            return;
        }
        CairnPrincipal user = user();
        Permission held = level(user, type, resourceId);
        if (!held.allows(needed)) {
            throw CairnException.permissionDenied("Permission denied: user '" + user.username() + "' needs " + needed
                    + " on " + type.label() + " '" + resourceId + "' and holds " + held + ".");
        }
    }

    /**
     * {@link #require} for a resource whose id takes a lookup (a run's experiment): the lookup only runs when
     * security is on and the user is no admin.
     */
    public void require(ResourceType type, Supplier<String> resourceId, Permission needed) {
        if (!enabled()) {
            return;
        }
        if (user().admin()) {
            return;
        }
        require(type, resourceId.get(), needed);
    }

    /**
     * {@link #require} for a proxied artifact path ({@code <experiment_id>/<run_id>/artifacts/...}, the default
     * location of every experiment), which carries its experiment's permission as in MLflow's auth app; a path
     * outside an experiment's prefix is for admins only.
     */
    public void requireOnArtifactPath(String path, Permission needed) {
        if (!enabled()) {
            return;
        }
        String first = path == null ? "" : path.split("/", 2)[0];
        if (first.isEmpty() || first.length() > 18 || !first.chars().allMatch(c -> c >= '0' && c <= '9')) {
            requireAdmin();
        } else {
            require(ResourceType.EXPERIMENT, first, needed);
        }
    }

    /** Whether the current user holds {@code needed} on the resource (always true with security off). */
    public boolean allows(ResourceType type, String resourceId, Permission needed) {
        return !enabled() || level(user(), type, resourceId).allows(needed);
    }

    /** Refuses the request unless its user is an admin. */
    public void requireAdmin() {
        if (!enabled()) {
            return;
        }
        CairnPrincipal user = user();
        if (!user.admin()) {
            throw CairnException.permissionDenied("Permission denied: only admins may do this, and user '"
                    + user.username() + "' is not one.");
        }
    }

    /** Refuses the request unless it is the named user's own or an admin's. */
    public void requireSelfOrAdmin(String username) {
        if (!enabled()) {
            return;
        }
        CairnPrincipal user = user();
        if (!user.admin() && !user.username().equals(username)) {
            throw CairnException.permissionDenied("Permission denied: user '" + user.username()
                    + "' may only do this for itself.");
        }
    }

    /** The items of a listing the current user may read, in their order; one query for the whole page. */
    public <T> List<T> readable(ResourceType type, List<T> items, Function<T, String> id) {
        if (!enabled() || items.isEmpty()) {
            return items;
        }
        CairnPrincipal user = user();
        if (user.admin()) {
            return items;
        }
        Set<String> ids = new LinkedHashSet<>();
        items.forEach(item -> ids.add(id.apply(item)));
        Map<String, Permission> explicit = permissions.find(type, ids, user.userId());
        List<T> out = new ArrayList<>(items.size());
        for (T item : items) {
            if (explicit.getOrDefault(id.apply(item), properties.defaultPermission()).allows(Permission.READ)) {
                out.add(item);
            }
        }
        return out;
    }

    /**
     * Gives the current user MANAGE on what it just created, in the caller's transaction (MLflow does the same for
     * experiments and registered models). Nothing to do with security off or outside a user's request.
     */
    public void grantCreator(ResourceType type, String resourceId) {
        if (!enabled()) {
            return;
        }
        principal().filter(CairnPrincipal::isUser).ifPresent(user -> {
            permissions.upsert(type, resourceId, user.userId(), Permission.MANAGE);
            levels.invalidateAll();
        });
    }

    /** Drops every grant on a deleted resource, so one created later under the same name starts clean. */
    public void forget(ResourceType type, String resourceId) {
        if (!enabled()) {
            return;
        }
        permissions.deleteAll(type, resourceId);
        levels.invalidateAll();
    }

    /** Moves the grants of a renamed resource to its new name. */
    public void renamed(ResourceType type, String from, String to) {
        if (!enabled()) {
            return;
        }
        permissions.rename(type, from, to);
        levels.invalidateAll();
    }

    /** Forgets cached levels after a grant changed (the changing replica applies it at once). */
    public void invalidate() {
        levels.invalidateAll();
    }

    /** The level the user holds on the resource. */
    public Permission level(CairnPrincipal user, ResourceType type, String resourceId) {
        if (user.admin()) {
            return Permission.MANAGE;
        }
        if (!user.isUser()) {
            return Permission.NO_PERMISSIONS;
        }
        return levels.get(new Key(user.userId(), type, resourceId), key -> permissions
                .find(key.type(), key.resourceId(), key.userId()).orElse(properties.defaultPermission()));
    }

    private CairnPrincipal user() {
        return principal().orElseThrow(() -> CairnException.unauthenticated(
                "Authentication required: send a user name and password (HTTP Basic) or a token (Bearer)."));
    }
}
