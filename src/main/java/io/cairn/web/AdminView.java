package io.cairn.web;

import io.cairn.platform.security.ApiTokens;
import io.cairn.platform.security.Users;
import java.util.List;

/**
 * The admin page: users, and for the chosen user their permissions and tokens (dashboard sessions among them).
 *
 * @param enabled whether security is on at all; off, there are no users to manage
 * @param message what the last action did, or why it was refused
 */
public record AdminView(boolean enabled, List<Users.User> users, Users.User selected, List<ApiTokens.TokenInfo> tokens,
                        String message) {
}
