package io.cairn.platform.web;

import jakarta.servlet.http.HttpServletRequest;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * Who is making the current request, for audit records: the {@code X-Cairn-User} header, else the user of HTTP basic
 * authentication (what MLflow clients send with MLFLOW_TRACKING_USERNAME), else {@code anonymous}. Cairn has no
 * authentication of its own yet; a gateway in front is expected to set or verify these.
 */
public final class CurrentActor {

    public static final String HEADER = "X-Cairn-User";

    private CurrentActor() {
    }

    public static String name() {
        if (!(RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes attributes)) {
            return "system";
        }
        HttpServletRequest request = attributes.getRequest();
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
