package io.cairn.platform.security;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Authentication and permissions. Off by default so a laptop needs no setup; the Helm chart and docker-compose turn it
 * on. OIDC is configured with Spring's own {@code spring.security.oauth2.resourceserver.jwt.issuer-uri} or
 * {@code jwk-set-uri}.
 *
 * @param enabled            require authentication and check permissions on every endpoint but the probes
 * @param admin              the first admin, created at start when it does not exist yet (never a built-in default)
 * @param defaultPermission  what users hold on a resource without an explicit grant (MLflow's default is READ)
 * @param trustedProxies     addresses or CIDR ranges of proxies whose {@code X-Cairn-User} header names the user
 * @param credentialCacheTtl how long a verified password or token is remembered, so a request does not pay a BCrypt
 *                           round; a changed password, a revoked token or a deleted user takes effect at once on the
 *                           replica that made the change and within this time on the others
 * @param permissionCacheTtl how long a user's resolved permission on one resource is remembered (same rule)
 * @param metricsToken       bearer token that may read {@code /actuator/prometheus} and nothing else; empty: admins only
 * @param oidc               how a JWT names its user
 * @param throttle           failed sign-ins allowed per user name and per client address
 * @param sessionLifetime    how long a dashboard sign-in lasts (the lifetime of its session token)
 */
@ConfigurationProperties("cairn.security")
public record SecurityProperties(
        @DefaultValue("false") boolean enabled,
        @DefaultValue Admin admin,
        @DefaultValue("READ") Permission defaultPermission,
        @DefaultValue List<String> trustedProxies,
        @DefaultValue("10s") Duration credentialCacheTtl,
        @DefaultValue("2s") Duration permissionCacheTtl,
        String metricsToken,
        @DefaultValue Oidc oidc,
        @DefaultValue Throttle throttle,
        @DefaultValue("12h") Duration sessionLifetime) {

    /** @param username the first admin's name; @param password its password (at least 12 characters) */
    public record Admin(String username, String password) {
    }

    /** @param usernameClaim the JWT claim that holds the user name ({@code preferred_username}, {@code sub}, ...) */
    public record Oidc(@DefaultValue("preferred_username") String usernameClaim) {
    }

    /**
     * @param failuresPerUser    failed sign-ins one user name may have in {@code window} before further attempts are
     *                           refused (429) until the window has passed
     * @param failuresPerAddress the same per client address
     * @param window             the period the counts refill over
     */
    public record Throttle(@DefaultValue("10") int failuresPerUser, @DefaultValue("50") int failuresPerAddress,
                           @DefaultValue("5m") Duration window) {
    }
}
