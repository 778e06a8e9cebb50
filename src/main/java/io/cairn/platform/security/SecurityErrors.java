package io.cairn.platform.security;

import io.cairn.platform.error.ApiError;
import io.cairn.platform.error.CairnException;
import io.cairn.platform.error.ErrorCode;
import io.cairn.platform.error.ProtocolErrors;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Errors raised before a request reaches a controller (no or wrong credentials, a refused scrape), written in the
 * error format of the protocol the path belongs to, as the protocol's advice would: each protocol family's
 * {@link ProtocolErrors} (MLflow's here in platform, Feast's in features, V2's in serving) says which paths it owns and
 * gives the body; problem details, platform's own, for every other path.
 */
@Component
final class SecurityErrors {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final List<ProtocolErrors> protocols;

    SecurityErrors(List<ProtocolErrors> protocols) {
        this.protocols = List.copyOf(protocols);
    }

    void write(HttpServletRequest request, HttpServletResponse response, ErrorCode code, String message)
            throws IOException {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        Object body = null;
        int status = code.httpStatus();
        String contentType = "application/json";
        for (ProtocolErrors protocol : protocols) {
            if (protocol.owns(path)) {
                ApiError error = protocol.translate(new CairnException(code, message));
                status = error.status();
                body = protocol.body(error);
                break;
            }
        }
        if (body == null) {
            contentType = "application/problem+json";
            Map<String, Object> problem = new LinkedHashMap<>();
            problem.put("type", "urn:cairn:problem:" + code.name().toLowerCase(Locale.ROOT).replace('_', '-'));
            problem.put("title", title(status));
            problem.put("status", status);
            problem.put("detail", message);
            problem.put("instance", path);
            problem.put("code", code.name());
            body = problem;
        }
        if (code == ErrorCode.UNAUTHENTICATED) {
            response.setHeader("WWW-Authenticate", "Basic realm=\"Cairn\", charset=\"UTF-8\"");
        }
        response.setStatus(status);
        response.setContentType(contentType);
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        response.getOutputStream().write(JSON.writeValueAsBytes(body));
    }

    private static String title(int status) {
        return switch (status) {
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 429 -> "Too Many Requests";
            case 503 -> "Service Unavailable";
            default -> "Error";
        };
    }
}
