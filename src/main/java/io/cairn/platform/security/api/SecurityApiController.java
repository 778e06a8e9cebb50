package io.cairn.platform.security.api;

import io.cairn.platform.error.CairnApi;
import io.cairn.platform.error.CairnException;
import io.cairn.platform.security.Access;
import io.cairn.platform.security.ApiTokens;
import io.cairn.platform.security.Grants;
import io.cairn.platform.security.Permission;
import io.cairn.platform.security.ResourceType;
import io.cairn.platform.security.Users;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Cairn's own security API: API tokens ({@code /api/v1/tokens}), the user list for admins, and permissions on every
 * kind of resource ({@code /api/v1/permissions/{kind}/{id}/users/{username}}), including those MLflow has no API
 * for: feature views, entities, deployments and training sets.
 */
@RestController
@CairnApi
@RequestMapping("/api/v1")
class SecurityApiController {

    private static final Map<String, ResourceType> KINDS = Map.of(
            "experiments", ResourceType.EXPERIMENT,
            "registered-models", ResourceType.REGISTERED_MODEL,
            "feature-views", ResourceType.FEATURE_VIEW,
            "entities", ResourceType.ENTITY,
            "deployments", ResourceType.DEPLOYMENT,
            "training-sets", ResourceType.TRAINING_SET);

    private final ApiTokens tokens;
    private final Users users;
    private final Grants grants;
    private final Access access;

    SecurityApiController(ApiTokens tokens, Users users, Grants grants, Access access) {
        this.tokens = tokens;
        this.users = users;
        this.grants = grants;
        this.access = access;
    }

    /** A token to create: {@code expires_in_days} null means it never expires. */
    record CreateToken(String name, String username, Integer expires_in_days) {
    }

    record TokenJson(long id, String name, String username, Instant created_at, Instant expires_at,
                     Instant revoked_at) {
        static TokenJson of(ApiTokens.TokenInfo info) {
            return new TokenJson(info.id(), info.name(), info.username(), info.createdAt(), info.expiresAt(),
                    info.revokedAt());
        }
    }

    /** The answer to a creation: the secret is in it this once and never again. */
    record CreatedToken(String token, long id, String name, String username, Instant created_at, Instant expires_at) {
    }

    record TokenList(List<TokenJson> tokens) {
    }

    record UserJson(long id, String username, boolean is_admin) {
    }

    record UserList(List<UserJson> users) {
    }

    record PermissionBody(String permission) {
    }

    record PermissionJson(String resource_type, String resource_id, String username, String permission) {
        static PermissionJson of(String kind, Grants.Grant grant) {
            return new PermissionJson(kind, grant.resourceId(), grant.username(), grant.permission().name());
        }
    }

    @PostMapping("/tokens")
    ResponseEntity<CreatedToken> createToken(@RequestBody CreateToken request) {
        Integer days = request.expires_in_days();
        if (days != null && (days < 1 || days > 3650)) {
            throw CairnException.invalid("Invalid expires_in_days " + days + ": between 1 and 3650, or leave it out.");
        }
        ApiTokens.NewToken created = tokens.create(request.username(), request.name(),
                days == null ? null : Duration.ofDays(days));
        ApiTokens.TokenInfo info = created.info();
        return ResponseEntity.status(HttpStatus.CREATED).body(new CreatedToken(created.token(), info.id(), info.name(),
                info.username(), info.createdAt(), info.expiresAt()));
    }

    @GetMapping("/tokens")
    TokenList listTokens(@RequestParam(name = "username", required = false) String username) {
        return new TokenList(tokens.list(username).stream().map(TokenJson::of).toList());
    }

    @DeleteMapping("/tokens/{id}")
    ResponseEntity<Void> revokeToken(@PathVariable long id) {
        tokens.revoke(id);
        return ResponseEntity.noContent().build();
    }

    @GetMapping("/users")
    UserList listUsers() {
        access.requireAdmin();
        return new UserList(users.list().stream().map(u -> new UserJson(u.id(), u.username(), u.isAdmin())).toList());
    }

    @PutMapping("/permissions/{kind}/{id}/users/{username}")
    PermissionJson putPermission(@PathVariable String kind, @PathVariable String id, @PathVariable String username,
                                 @RequestBody PermissionBody body) {
        return PermissionJson.of(kind, grants.put(kind(kind), id, username,
                Permission.parse(body.permission(), "permission")));
    }

    @GetMapping("/permissions/{kind}/{id}/users/{username}")
    PermissionJson getPermission(@PathVariable String kind, @PathVariable String id, @PathVariable String username) {
        return PermissionJson.of(kind, grants.get(kind(kind), id, username));
    }

    @DeleteMapping("/permissions/{kind}/{id}/users/{username}")
    ResponseEntity<Void> deletePermission(@PathVariable String kind, @PathVariable String id,
                                          @PathVariable String username) {
        grants.delete(kind(kind), id, username);
        return ResponseEntity.noContent().build();
    }

    private static ResourceType kind(String kind) {
        ResourceType type = KINDS.get(kind);
        if (type == null) {
            throw CairnException.notFound("Unknown resource kind '" + kind + "': use one of "
                    + new java.util.TreeSet<>(KINDS.keySet()) + ".");
        }
        return type;
    }
}
