package io.cairn.platform.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * {@code /error} is where the servlet container forwards failed requests to be rendered; called directly it has no
 * error to show, and Spring Boot's controller then answers 500 (status 999). A direct request gets a plain 404.
 * Forwarded error dispatches do not pass through here (OncePerRequestFilter skips them).
 */
@Component
class DirectErrorPathFilter extends OncePerRequestFilter {

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !"/error".equals(request.getRequestURI().substring(request.getContextPath().length()));
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        response.setStatus(404);
        response.setContentType("application/problem+json");
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        response.getWriter().write("{\"type\":\"urn:cairn:problem:endpoint-not-found\",\"title\":\"Not Found\","
                + "\"status\":404,\"detail\":\"No endpoint GET /error.\",\"code\":\"ENDPOINT_NOT_FOUND\"}");
    }
}
