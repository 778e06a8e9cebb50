package io.cairn.platform.security;

import io.cairn.platform.error.ErrorCode;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;

/**
 * Errors raised before a request reaches a controller (no or wrong credentials, a refused scrape), written in the
 * error format of the protocol the path belongs to, as the protocol's advice would: MLflow's
 * {@code {error_code, message}}, V2's {@code {"error"}}, Feast's {@code {"detail"}}, problem details elsewhere.
 */
final class SecurityErrors {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private SecurityErrors() {
    }

    static void write(HttpServletRequest request, HttpServletResponse response, ErrorCode code, String message)
            throws IOException {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        Map<String, Object> body = new LinkedHashMap<>();
        String contentType = "application/json";
        if (path.startsWith("/api/2.0/") || path.startsWith("/ajax-api/2.0/")) {
            body.put("error_code", code.name());
            body.put("message", message);
        } else if (path.equals("/v2") || path.startsWith("/v2/")) {
            body.put("error", message);
        } else if (isFeast(path)) {
            body.put("detail", message);
        } else {
            contentType = "application/problem+json";
            body.put("type", "urn:cairn:problem:" + code.name().toLowerCase(Locale.ROOT).replace('_', '-'));
            body.put("title", title(code.httpStatus()));
            body.put("status", code.httpStatus());
            body.put("detail", message);
            body.put("instance", path);
            body.put("code", code.name());
        }
        if (code == ErrorCode.UNAUTHENTICATED) {
            response.setHeader("WWW-Authenticate", "Basic realm=\"Cairn\", charset=\"UTF-8\"");
        }
        response.setStatus(code.httpStatus());
        response.setContentType(contentType);
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        response.getOutputStream().write(JSON.writeValueAsBytes(body));
    }

    static boolean isFeast(String path) {
        return path.equals("/get-online-features") || path.equals("/push") || path.equals("/materialize")
                || path.equals("/materialize-incremental") || path.equals("/health");
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
