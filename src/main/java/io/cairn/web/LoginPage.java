package io.cairn.web;

import io.cairn.platform.error.CairnException;
import io.cairn.platform.security.BrowserSessions;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

/** {@code /login} and {@code /logout}: the dashboard's sign-in form and sign-out. */
@Controller
@DashboardPage
class LoginPage {

    private final BrowserSessions sessions;

    LoginPage(BrowserSessions sessions) {
        this.sessions = sessions;
    }

    @GetMapping("/login")
    String form(@RequestParam(required = false) String next, Model model) {
        if (!sessions.enabled()) {
            return "redirect:/";
        }
        model.addAttribute("login", new LoginView(safe(next), "", null));
        return "login";
    }

    @PostMapping("/login")
    String signIn(@RequestParam(required = false) String username, @RequestParam(required = false) String password,
                  @RequestParam(required = false) String next, HttpServletRequest request,
                  HttpServletResponse response, Model model) {
        if (!sessions.enabled()) {
            return "redirect:/";
        }
        try {
            response.addHeader(HttpHeaders.SET_COOKIE, sessions.signIn(username, password, request).toString());
        } catch (CairnException e) {
            response.setStatus(e.code().httpStatus());
            model.addAttribute("login", new LoginView(safe(next), username == null ? "" : username, e.getMessage()));
            return "login";
        }
        return "redirect:" + safe(next);
    }

    @PostMapping("/logout")
    String signOut(HttpServletRequest request, HttpServletResponse response) {
        response.addHeader(HttpHeaders.SET_COOKIE, sessions.signOut(request).toString());
        return "redirect:/login";
    }

    /** Only a path on this server: an absolute or protocol-relative URL would make the form an open redirect. */
    static String safe(String next) {
        if (next == null || !next.startsWith("/") || next.startsWith("//") || next.contains("\\")
                || next.chars().anyMatch(Character::isISOControl)) {
            return "/";
        }
        return next;
    }
}
