package io.cairn.platform.security;

import io.cairn.platform.error.CairnException;
import io.cairn.platform.error.ErrorCode;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.http.HttpHeaders;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Authenticates every request on the main port from its headers through {@link Authenticator}; wrong credentials
 * end here with a 401 (or 429) in the path's protocol format. A request without credentials goes on anonymous, and
 * the authorization rules decide whether that is enough (the probes) or a 401.
 */
class AuthenticationFilter extends OncePerRequestFilter {

    private static final Logger log = LoggerFactory.getLogger(AuthenticationFilter.class);

    private final Authenticator authenticator;
    /** Whether a browser session cookie counts as credentials (the dashboard's chain only, where CSRF is checked). */
    private final boolean sessionCookies;

    private final SecurityErrors errors;

    AuthenticationFilter(Authenticator authenticator, boolean sessionCookies, SecurityErrors errors) {
        this.authenticator = authenticator;
        this.errors = errors;
        this.sessionCookies = sessionCookies;
    }

    private static boolean isPublic(HttpServletRequest request) {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        for (String p : SecurityConfiguration.PUBLIC_PATHS) {
            if (p.endsWith("/**") ? path.startsWith(p.substring(0, p.length() - 2)) : p.equals(path)) {
                return true;
            }
        }
        // The sign-in and sign-out pages must open whatever stale credentials a browser still sends.
        return path.equals("/login") || path.equals("/logout");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        request.setAttribute(io.cairn.platform.web.CurrentActor.ENFORCED, Boolean.TRUE);
        Optional<CairnPrincipal> principal;
        try {
            String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
            String session = sessionCookies && authorization == null ? BrowserSessions.token(request) : null;
            if (session != null) {
                authorization = "Bearer " + session;
            }
            principal = authenticator.authenticate(authorization,
                    request.getHeader(Authenticator.PROXY_USER_HEADER), request.getRemoteAddr());
        } catch (CairnException e) {
            if (sessionCookies && request.getHeader(HttpHeaders.AUTHORIZATION) == null
                    && BrowserSessions.token(request) != null) {
                // An expired or revoked session: the browser is simply signed out (the sign-in page follows).
                chain.doFilter(request, response);
                return;
            }
            if (isPublic(request)) {
                // Probes stay answerable whatever a caller sends; they just do not count as that user.
                chain.doFilter(request, response);
                return;
            }
            errors.write(request, response, e.code(), e.getMessage());
            return;
        } catch (DataAccessException e) {
            log.warn("Could not check credentials: database unavailable", e);
            errors.write(request, response, ErrorCode.TEMPORARILY_UNAVAILABLE,
                    "Credentials cannot be checked: the database is temporarily unavailable; retry later.");
            return;
        }
        if (principal.isPresent()) {
            SecurityContext context = SecurityContextHolder.createEmptyContext();
            context.setAuthentication(new CairnAuthentication(principal.get()));
            SecurityContextHolder.setContext(context);
        }
        // No clearing here: Spring's SecurityContextHolderFilter clears the context after the whole chain, and
        // ExceptionTranslationFilter, which wraps this one, must still see who the request was (anonymous: 401).
        chain.doFilter(request, response);
    }
}
