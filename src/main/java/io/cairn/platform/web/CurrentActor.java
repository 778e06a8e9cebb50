package io.cairn.platform.web;

import jakarta.servlet.http.HttpServletRequest;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * Who is making the current request, for audit records. With security on this is always the authenticated principal
 * (a trusted proxy's {@code X-Cairn-User} has already become that principal; from anyone else the header is ignored).
 * With security off — a laptop — nobody is verified, so the name is what the client claims: the {@code X-Cairn-User}
 * header, else the HTTP basic user (what MLflow clients send with MLFLOW_TRACKING_USERNAME), else {@code anonymous}.
 */
public final class CurrentActor {

    public static final String HEADER = "X-Cairn-User";

    /** Request attribute set on every request while security is on, so claimed names are never used then. */
    public static final String ENFORCED = CurrentActor.class.getName() + ".enforced";

    private CurrentActor() {
    }

    public static String name() {
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        if (authentication != null && authentication.isAuthenticated()
                && authentication.getPrincipal() instanceof io.cairn.platform.security.CairnPrincipal principal) {
            return truncate(principal.username());
        }
        if (!(RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes attributes)) {
            return "system";
        }
        HttpServletRequest request = attributes.getRequest();
        if (request.getAttribute(ENFORCED) != null) {
            return "anonymous";
        }
        String header = request.getHeader(HEADER);
        if (header != null && !header.isBlank()) {
            return truncate(header.strip());
        }
        String authorization = request.getHeader("Authorization");
        if (authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            try {
                String decoded = new String(Base64.getDecoder().decode(authorization.substring(6).strip()),
                        StandardCharsets.UTF_8);
                int colon = decoded.indexOf(':');
                if (colon > 0) {
                    return truncate(decoded.substring(0, colon));
                }
            } catch (IllegalArgumentException e) {
                // Not valid base64: no usable name in it.
            }
        }
        return "anonymous";
    }

    private static String truncate(String name) {
        return name.length() <= 256 ? name : name.substring(0, 256);
    }
}
