package io.cairn.platform.security;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.cairn.platform.error.CairnException;
import io.cairn.platform.security.store.TokenStore;
import io.cairn.platform.security.store.UserStore;
import io.cairn.platform.security.store.UserStore.UserRow;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.web.util.matcher.IpAddressMatcher;
import org.springframework.stereotype.Service;

/**
 * Turns what a request carries into a {@link CairnPrincipal}, the same for the main port and the feature server's:
 * HTTP Basic (what MLflow clients send from {@code MLFLOW_TRACKING_USERNAME}/{@code PASSWORD}), Bearer with a Cairn
 * API token ({@code MLFLOW_TRACKING_TOKEN}), Bearer with a JWT when OIDC is configured, the scrape token, or
 * {@code X-Cairn-User} from a trusted proxy.
 *
 * <p>A password check is a BCrypt round (tens of milliseconds), and MLflow clients send Basic on every request, so a
 * verified password is remembered by its SHA-256 for {@code credential-cache-ttl}; API tokens are looked up by their
 * SHA-256 and remembered the same way. Changes made on this replica ({@link #forgetCredentials}) apply at once.
 */
@Service
public class Authenticator {

    public static final String PROXY_USER_HEADER = "X-Cairn-User";

    /**
     * A remembered verification: who, until when the credential itself is valid (tokens may expire), and when it was
     * verified (a connection's copy lives no longer than the shared cache's entry).
     */
    private record Verified(CairnPrincipal principal, Instant validUntil, Instant verifiedAt) {
    }

    /**
     * A verification that one client connection reuses for its next requests while they carry the very same
     * {@code Authorization} header, so a keep-alive client's reads cost a string comparison instead of a SHA-256 and
     * a cache lookup (about a tenth of an online read's CPU time, measured in docs/benchmarks.md). It holds nothing
     * the connection does not already hold, and lapses like the shared entry: at the credential's expiry, after
     * {@code credential-cache-ttl}, or when {@link #forgetCredentials} runs.
     */
    public record ConnectionCredential(String authorization, CairnPrincipal principal, Instant until,
                                       long generation) {
    }

    private final SecurityProperties properties;
    private final UserStore users;
    private final TokenStore tokens;
    private final PasswordEncoder encoder;
    private final LoginThrottle throttle;
    private final ObjectProvider<JwtDecoder> jwtDecoder;
    private final Clock clock;
    private final List<IpAddressMatcher> trustedProxies;
    private final byte[] metricsTokenDigest;
    private final Cache<String, Verified> verified;
    /** Bumped by {@link #forgetCredentials}, so that every {@link ConnectionCredential} lapses with the cache. */
    private final AtomicLong generation = new AtomicLong();

    public Authenticator(SecurityProperties properties, UserStore users, TokenStore tokens, PasswordEncoder encoder,
                         LoginThrottle throttle, ObjectProvider<JwtDecoder> jwtDecoder, Clock clock) {
        this.properties = properties;
        this.users = users;
        this.tokens = tokens;
        this.encoder = encoder;
        this.throttle = throttle;
        this.jwtDecoder = jwtDecoder;
        this.clock = clock;
        this.trustedProxies = properties.trustedProxies().stream().map(IpAddressMatcher::new).toList();
        this.metricsTokenDigest = properties.metricsToken() == null || properties.metricsToken().isBlank()
                ? null : Credentials.sha256(properties.metricsToken());
        this.verified = Caffeine.newBuilder().maximumSize(100_000)
                .expireAfterWrite(properties.credentialCacheTtl()).build();
    }

    /**
     * The principal the request's credentials name; empty when it carries none. Wrong credentials are a 401
     * ({@link CairnException} UNAUTHENTICATED), too many wrong passwords a 429.
     */
    public Optional<CairnPrincipal> authenticate(String authorization, String proxyUser, String remoteAddress) {
        if (proxyUser != null && !proxyUser.isBlank() && isTrustedProxy(remoteAddress)) {
            return Optional.of(proxied(proxyUser.strip()));
        }
        if (authorization == null || authorization.isBlank()) {
            return Optional.empty();
        }
        if (authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return Optional.of(basic(authorization.substring(6).strip(), remoteAddress));
        }
        if (authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.of(bearer(authorization.substring(7).strip()));
        }
        throw CairnException.unauthenticated("Unsupported Authorization scheme: use Basic or Bearer.");
    }

    /**
     * The verification of credentials checked recently, without any lookup or password check, in a form one
     * connection keeps for its next requests ({@link #reuse}); null when they are not remembered (then
     * {@link #authenticate} decides, off any event loop: it may query PostgreSQL or run BCrypt).
     */
    public ConnectionCredential rememberForConnection(String authorization) {
        long current = generation.get();
        Verified hit = rememberedVerification(authorization);
        if (hit == null) {
            return null;
        }
        Instant lapses = hit.verifiedAt().plus(properties.credentialCacheTtl());
        return new ConnectionCredential(authorization, hit.principal(),
                lapses.isBefore(hit.validUntil()) ? lapses : hit.validUntil(), current);
    }

    /**
     * The principal of a connection's remembered credential when this request carries the same header and the
     * credential has not lapsed; null otherwise (then {@link #rememberForConnection} or {@link #authenticate}).
     */
    public CairnPrincipal reuse(ConnectionCredential credential, String authorization) {
        if (credential == null || authorization == null || credential.generation() != generation.get()
                || !credential.authorization().equals(authorization) || !clock.instant().isBefore(credential.until())) {
            return null;
        }
        return credential.principal();
    }

    private Verified rememberedVerification(String authorization) {
        if (authorization == null) {
            return null;
        }
        String key = null;
        if (authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            String token = authorization.substring(7).strip();
            if (token.startsWith(Credentials.TOKEN_PREFIX)) {
                key = "token:" + Credentials.sha256Hex(token);
            }
        } else if (authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            try {
                String decoded = new String(Base64.getDecoder().decode(authorization.substring(6).strip()),
                        StandardCharsets.UTF_8);
                int colon = decoded.indexOf(':');
                if (colon > 0) {
                    key = "basic:" + Credentials.sha256Hex(decoded.substring(0, colon) + '\0'
                            + decoded.substring(colon + 1));
                }
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        Verified hit = key == null ? null : verified.getIfPresent(key);
        return hit != null && clock.instant().isBefore(hit.validUntil()) ? hit : null;
    }

    /** Runs {@code work} on the current thread as {@code principal} (for callers outside Spring Security's filters). */
    public static <T> T as(CairnPrincipal principal, java.util.function.Supplier<T> work) {
        org.springframework.security.core.context.SecurityContext context =
                org.springframework.security.core.context.SecurityContextHolder.createEmptyContext();
        context.setAuthentication(new CairnAuthentication(principal));
        org.springframework.security.core.context.SecurityContextHolder.setContext(context);
        try {
            return work.get();
        } finally {
            org.springframework.security.core.context.SecurityContextHolder.clearContext();
        }
    }

    /** Forgets every remembered credential (a password, admin flag, user or token changed). */
    public void forgetCredentials() {
        generation.incrementAndGet();
        verified.invalidateAll();
    }

    boolean isTrustedProxy(String remoteAddress) {
        if (remoteAddress == null || trustedProxies.isEmpty()) {
            return false;
        }
        for (IpAddressMatcher proxy : trustedProxies) {
            if (proxy.matches(remoteAddress)) {
                return true;
            }
        }
        return false;
    }

    private CairnPrincipal basic(String encoded, String remoteAddress) {
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw CairnException.unauthenticated("Malformed Basic credentials: send base64(username:password).");
        }
        int colon = decoded.indexOf(':');
        if (colon <= 0) {
            throw CairnException.unauthenticated("Malformed Basic credentials: send base64(username:password).");
        }
        return password(decoded.substring(0, colon), decoded.substring(colon + 1), remoteAddress);
    }

    /**
     * The user a name and password identify, as for HTTP Basic (the same throttle and cache): the dashboard's sign-in
     * form checks passwords here. Wrong ones are a 401 {@link CairnException}, too many a 429.
     */
    public CairnPrincipal password(String username, String password, String remoteAddress) {
        String key = "basic:" + Credentials.sha256Hex(username + '\0' + password);
        Verified hit = verified.getIfPresent(key);
        if (hit != null) {
            return hit.principal();
        }
        throttle.check(username, remoteAddress == null ? "unknown" : remoteAddress);
        Optional<UserRow> user = users.find(username);
        if (user.isEmpty() || user.get().passwordHash() == null || !matches(password, user.get().passwordHash())) {
            throttle.failed(username, remoteAddress == null ? "unknown" : remoteAddress);
            throw CairnException.unauthenticated("Invalid user name or password.");
        }
        CairnPrincipal principal = new CairnPrincipal(user.get().userId(), username, user.get().admin(), "password");
        verified.put(key, new Verified(principal, Instant.MAX, clock.instant()));
        return principal;
    }

    private boolean matches(String password, String hash) {
        if (password.getBytes(StandardCharsets.UTF_8).length > Users.MAX_PASSWORD_BYTES) {
            return false; // BCrypt refuses to compare these; no stored password can be this long.
        }
        try {
            return encoder.matches(password, hash);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private CairnPrincipal bearer(String token) {
        if (metricsTokenDigest != null
                && MessageDigest.isEqual(metricsTokenDigest, Credentials.sha256(token))) {
            return CairnPrincipal.metricsScraper();
        }
        if (token.startsWith(Credentials.TOKEN_PREFIX)) {
            return apiToken(token);
        }
        JwtDecoder decoder = jwtDecoder.getIfAvailable();
        if (decoder != null && token.chars().filter(c -> c == '.').count() == 2) {
            return jwt(decoder, token);
        }
        throw CairnException.unauthenticated("Invalid token.");
    }

    private CairnPrincipal apiToken(String token) {
        String key = "token:" + Credentials.sha256Hex(token);
        Instant now = clock.instant();
        Verified hit = verified.getIfPresent(key);
        if (hit != null && now.isBefore(hit.validUntil())) {
            return hit.principal();
        }
        TokenStore.TokenRow row = tokens.findByDigest(Credentials.sha256(token))
                .orElseThrow(() -> CairnException.unauthenticated("Invalid token."));
        if (row.revokedAt() != null) {
            throw CairnException.unauthenticated("Token '" + row.name() + "' was revoked.");
        }
        if (row.expiresAt() != null && !now.isBefore(row.expiresAt())) {
            throw CairnException.unauthenticated("Token '" + row.name() + "' expired at " + row.expiresAt() + ".");
        }
        CairnPrincipal principal = new CairnPrincipal(row.userId(), row.username(), row.admin(), "token");
        verified.put(key, new Verified(principal, row.expiresAt() == null ? Instant.MAX : row.expiresAt(), now));
        return principal;
    }

    private CairnPrincipal jwt(JwtDecoder decoder, String token) {
        Jwt jwt;
        try {
            jwt = decoder.decode(token);
        } catch (JwtException e) {
            throw CairnException.unauthenticated("Invalid JWT: " + e.getMessage());
        }
        String username = jwt.getClaimAsString(properties.oidc().usernameClaim());
        if (username == null || username.isBlank()) {
            throw CairnException.unauthenticated("The JWT has no '" + properties.oidc().usernameClaim()
                    + "' claim to name its user.");
        }
        return provisioned(username, "oidc");
    }

    private CairnPrincipal proxied(String username) {
        return provisioned(username, "proxy");
    }

    /**
     * The user an identity provider or a trusted proxy vouches for, created on first sight without a password (it
     * cannot sign in with one) and without admin rights, so grants and the creator's MANAGE have a user to attach to.
     */
    private CairnPrincipal provisioned(String username, String method) {
        String key = method + ":" + username;
        Verified hit = verified.getIfPresent(key);
        if (hit != null) {
            return hit.principal();
        }
        try {
            Users.validateUsername(username);
        } catch (CairnException e) {
            throw CairnException.unauthenticated("The " + method + " user name is not usable: " + e.getMessage());
        }
        UserRow row = users.find(username).orElseGet(() -> {
            users.insertIfAbsent(username, null, false);
            return users.find(username).orElseThrow();
        });
        CairnPrincipal principal = new CairnPrincipal(row.userId(), row.username(), row.admin(), method);
        verified.put(key, new Verified(principal, Instant.MAX, clock.instant()));
        return principal;
    }
}
