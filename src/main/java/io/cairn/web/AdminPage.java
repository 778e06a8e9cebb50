package io.cairn.web;

import io.cairn.platform.error.CairnException;
import io.cairn.platform.security.Access;
import io.cairn.platform.security.ApiTokens;
import io.cairn.platform.security.Users;
import java.util.List;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

/** {@code /admin}: users, their permissions and tokens; create a user, revoke a token. Admins only. */
@Controller
@DashboardPage
class AdminPage {

    private final Users users;
    private final ApiTokens tokens;
    private final Access access;

    AdminPage(Users users, ApiTokens tokens, Access access) {
        this.users = users;
        this.tokens = tokens;
        this.access = access;
    }

    @GetMapping("/admin")
    String admin(@RequestParam(required = false) String user, @RequestParam(required = false) String message,
                 Model model) {
        if (!access.enabled()) {
            model.addAttribute("admin", new AdminView(false, List.of(), null, List.of(), null));
            return "admin";
        }
        access.requireAdmin();
        Users.User selected = user == null || user.isBlank() ? null : users.get(user);
        model.addAttribute("admin", new AdminView(true, users.list(), selected,
                selected == null ? List.of() : tokens.list(selected.username()), message));
        return "admin";
    }

    @PostMapping("/admin/users")
    String createUser(@RequestParam String username, @RequestParam String password,
                      @RequestParam(required = false) String admin, Model model) {
        access.requireAdmin();
        try {
            users.create(username.strip(), password, admin != null);
        } catch (CairnException e) {
            return "redirect:/admin?message=" + Format.query(e.getMessage());
        }
        return "redirect:/admin?user=" + Format.query(username.strip()) + "&message="
                + Format.query("User " + username.strip() + " created.");
    }

    @PostMapping("/admin/tokens/revoke")
    String revoke(@RequestParam long id, @RequestParam String user) {
        access.requireAdmin();
        tokens.revoke(id);
        return "redirect:/admin?user=" + Format.query(user) + "&message=" + Format.query("Token " + id + " revoked.");
    }
}
