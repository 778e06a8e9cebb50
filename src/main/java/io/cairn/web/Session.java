package io.cairn.web;

import io.cairn.platform.security.CairnAuthentication;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;

/**
 * What the layout needs about the request being rendered: who is signed in and the CSRF token a form must carry.
 * Read from the request's thread (the page renders on it), so no template has to pass them along.
 */
public final class Session {

    private Session() {
    }

    /** The signed-in user's name, or null when nobody is (security off, or the sign-in page). */
    public static String user() {
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        return authentication instanceof CairnAuthentication cairn ? cairn.getPrincipal().username() : null;
    }

    /** Whether the signed-in user is an admin (the nav shows the audit log and admin pages to admins only). */
    public static boolean admin() {
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        return authentication instanceof CairnAuthentication cairn && cairn.getPrincipal().admin();
    }

    /** The request's CSRF token, or null when the dashboard does not check one (security off). */
    public static CsrfToken csrf() {
        RequestAttributes attributes = RequestContextHolder.getRequestAttributes();
        if (attributes == null) {
            return null;
        }
        Object token = attributes.getAttribute(CsrfToken.class.getName(), RequestAttributes.SCOPE_REQUEST);
        return token instanceof CsrfToken csrf ? csrf : null;
    }
}
