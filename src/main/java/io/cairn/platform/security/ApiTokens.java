package io.cairn.platform.security;

import io.cairn.platform.audit.AuditLog;
import io.cairn.platform.error.CairnException;
import io.cairn.platform.security.store.TokenStore;
import io.cairn.platform.security.store.UserStore.UserRow;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * API tokens: high-entropy random strings a user creates for scripts and services ({@code MLFLOW_TRACKING_TOKEN},
 * {@code Authorization: Bearer}). Only their SHA-256 is stored, so checking one is a digest and an indexed lookup
 * (then a cache hit), not a BCrypt round. Users manage their own; admins anyone's.
 */
@Service
public class ApiTokens {

    /** The longest life a token may be given; tokens without an expiry are allowed too. */
    static final Duration MAX_LIFETIME = Duration.ofDays(3650);

    /** A token's metadata, never its secret. */
    public record TokenInfo(long id, String name, String username, Instant createdAt, Instant expiresAt,
                            Instant revokedAt) {
        static TokenInfo of(TokenStore.TokenRow row) {
            return new TokenInfo(row.tokenId(), row.name(), row.username(), row.createdAt(), row.expiresAt(),
                    row.revokedAt());
        }
    }

    /** A new token: the secret, shown this once, and its metadata. */
    public record NewToken(String token, TokenInfo info) {
    }

    private final TokenStore tokens;
    private final Users users;
    private final Access access;
    private final Authenticator authenticator;
    private final AuditLog audit;
    private final Clock clock;

    public ApiTokens(TokenStore tokens, Users users, Access access, Authenticator authenticator, AuditLog audit,
                     Clock clock) {
        this.tokens = tokens;
        this.users = users;
        this.access = access;
        this.authenticator = authenticator;
        this.audit = audit;
        this.clock = clock;
    }

    /** Creates a token for {@code username} (the caller itself when null), valid for {@code lifetime} (null: no end). */
    @Transactional
    public NewToken create(String username, String name, Duration lifetime) {
        String owner = username != null ? username : caller();
        access.requireSelfOrAdmin(owner);
        if (name == null || name.isBlank() || name.length() > 256 || name.chars().anyMatch(Character::isISOControl)) {
            throw CairnException.invalid("Invalid token name: give 1 to 256 printable characters, e.g. \"ci\".");
        }
        if (lifetime != null && (lifetime.isNegative() || lifetime.isZero() || lifetime.compareTo(MAX_LIFETIME) > 0)) {
            throw CairnException.invalid("Invalid token lifetime " + lifetime + ": between 1 second and 3650 days.");
        }
        UserRow user = users.row(owner);
        String token = Credentials.newToken();
        Instant expires = lifetime == null ? null : clock.instant().plus(lifetime);
        long id = tokens.insert(user.userId(), name, Credentials.sha256(token), expires);
        audit.record("api_token", Long.toString(id), "create", null,
                Map.of("username", owner, "name", name, "expires_at", String.valueOf(expires)));
        return new NewToken(token, TokenInfo.of(tokens.findById(id).orElseThrow()));
    }

    @Transactional(readOnly = true)
    public List<TokenInfo> list(String username) {
        String owner = username != null ? username : caller();
        access.requireSelfOrAdmin(owner);
        return tokens.listForUser(users.row(owner).userId()).stream().map(TokenInfo::of).toList();
    }

    @Transactional
    public void revoke(long tokenId) {
        TokenStore.TokenRow row = tokens.findById(tokenId).orElseThrow(() ->
                CairnException.notFound("Token " + tokenId + " does not exist."));
        access.requireSelfOrAdmin(row.username());
        if (tokens.revoke(tokenId)) {
            audit.record("api_token", Long.toString(tokenId), "revoke", null, Map.of("username", row.username()));
        }
        authenticator.forgetCredentials();
    }

    /** Revokes the token given in full (a browser session signing out); nothing when it is unknown. */
    @Transactional
    void revokeToken(String token) {
        tokens.findByDigest(Credentials.sha256(token)).ifPresent(row -> revoke(row.tokenId()));
    }

    private String caller() {
        return access.principal().filter(CairnPrincipal::isUser).map(CairnPrincipal::username).orElseThrow(() ->
                CairnException.invalid("Name the user the token is for: security is off, so there is no signed-in "
                        + "user."));
    }
}
