package io.cairn.platform.security;

import io.cairn.platform.error.CairnException;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import org.springframework.http.ResponseCookie;
import org.springframework.stereotype.Service;

/**
 * Signed-in browsers. A session is an API token of the user's own, named "dashboard session ..." and valid for
 * {@code cairn.security.session-lifetime}, carried in an HttpOnly, SameSite=Lax cookie instead of a header. So a
 * session lives in PostgreSQL like every token (any replica accepts it), shows in the user's token list, ends with
 * sign-out (the token is revoked) and stops at once when the user is deleted or the token revoked, with the same
 * checks as every other credential. The cookie is honoured on the dashboard's paths only, where Spring Security's
 * CSRF protection guards every form that changes something; the APIs keep taking credentials from headers alone.
 */
@Service
public class BrowserSessions {

    public static final String COOKIE = "cairn_session";
    private static final DateTimeFormatter NAME_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'",
            Locale.ROOT).withZone(ZoneOffset.UTC);

    private final Authenticator authenticator;
    private final ApiTokens tokens;
    private final SecurityProperties properties;
    private final Clock clock;

    public BrowserSessions(Authenticator authenticator, ApiTokens tokens, SecurityProperties properties, Clock clock) {
        this.authenticator = authenticator;
        this.tokens = tokens;
        this.properties = properties;
        this.clock = clock;
    }

    /** Whether sign-in is needed at all (security on). */
    public boolean enabled() {
        return properties.enabled();
    }

    /**
     * Checks the name and password (throttled like HTTP Basic) and opens a session; returns the cookie to set. Wrong
     * credentials throw UNAUTHENTICATED, too many attempts REQUEST_LIMIT_EXCEEDED.
     */
    public ResponseCookie signIn(String username, String password, HttpServletRequest request) {
        if (!properties.enabled()) {
            throw CairnException.invalid("Security is off on this server: there is nothing to sign in to.");
        }
        if (username == null || username.isBlank() || password == null || password.isEmpty()) {
            throw CairnException.unauthenticated("Enter a user name and a password.");
        }
        CairnPrincipal user = authenticator.password(username.strip(), password, request.getRemoteAddr());
        Duration lifetime = properties.sessionLifetime();
        ApiTokens.NewToken token = Authenticator.as(user, () -> tokens.create(user.username(),
                "dashboard session " + NAME_TIME.format(clock.instant()), lifetime));
        return cookie(token.token(), lifetime, request.isSecure());
    }

    /** Ends the request's session, if it carries one: revokes its token. Returns the cookie that clears it. */
    public ResponseCookie signOut(HttpServletRequest request) {
        String token = token(request);
        if (token != null) {
            try {
                CairnPrincipal user = authenticator.authenticate("Bearer " + token, null, request.getRemoteAddr())
                        .orElse(null);
                if (user != null) {
                    Authenticator.as(user, () -> {
                        tokens.revokeToken(token);
                        return null;
                    });
                }
            } catch (CairnException e) {
                // Already expired or revoked: clearing the cookie is all there is left to do.
            }
        }
        return cookie("", Duration.ZERO, request.isSecure());
    }

    /** The session token the request's cookie carries, or null. */
    static String token(HttpServletRequest request) {
        Cookie[] cookies = request.getCookies();
        if (cookies == null) {
            return null;
        }
        for (Cookie c : cookies) {
            if (COOKIE.equals(c.getName()) && !c.getValue().isEmpty()) {
                return c.getValue();
            }
        }
        return null;
    }

    private static ResponseCookie cookie(String value, Duration maxAge, boolean secure) {
        return ResponseCookie.from(COOKIE, value).httpOnly(true).secure(secure).sameSite("Lax").path("/")
                .maxAge(maxAge).build();
    }
}
