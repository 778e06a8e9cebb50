package io.cairn.platform.security;

import java.util.ArrayList;
import java.util.List;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/**
 * A request authenticated by any of Cairn's means (password, API token, JWT, trusted proxy, scrape token). Admins
 * carry {@code ROLE_ADMIN}, which is also what Spring Boot's health endpoint asks for before it shows details.
 */
public final class CairnAuthentication extends AbstractAuthenticationToken {

    static final String METRICS = "METRICS";

    private final CairnPrincipal principal;

    CairnAuthentication(CairnPrincipal principal) {
        super(authorities(principal));
        this.principal = principal;
        setAuthenticated(true);
    }

    private static List<GrantedAuthority> authorities(CairnPrincipal principal) {
        List<GrantedAuthority> out = new ArrayList<>();
        if (!principal.isUser()) {
            out.add(new SimpleGrantedAuthority(METRICS));
            return out;
        }
        out.add(new SimpleGrantedAuthority("ROLE_USER"));
        if (principal.admin()) {
            out.add(new SimpleGrantedAuthority("ROLE_ADMIN"));
            out.add(new SimpleGrantedAuthority(METRICS));
        }
        return out;
    }

    @Override
    public Object getCredentials() {
        return "";
    }

    @Override
    public CairnPrincipal getPrincipal() {
        return principal;
    }

    @Override
    public String getName() {
        return principal.username();
    }
}
