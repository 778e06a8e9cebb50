package io.cairn.platform.security;

import io.cairn.platform.audit.AuditLog;
import io.cairn.platform.error.CairnException;
import io.cairn.platform.security.store.PermissionStore;
import io.cairn.platform.security.store.UserStore;
import io.cairn.platform.security.store.UserStore.UserRow;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Users: create, read, change password or admin flag, delete; every change audited. */
@Service
public class Users {

    /** BCrypt reads at most 72 bytes of a password; longer ones are refused rather than silently cut. */
    static final int MAX_PASSWORD_BYTES = 72;
    static final int MIN_PASSWORD_LENGTH = 12;

    /** A user as answered to clients (never the hash). */
    public record User(long id, String username, boolean isAdmin, List<PermissionStore.Grant> grants) {
    }

    private final UserStore users;
    private final PermissionStore permissions;
    private final PasswordEncoder encoder;
    private final AuditLog audit;
    private final Authenticator authenticator;
    private final Access access;

    public Users(UserStore users, PermissionStore permissions, PasswordEncoder encoder, AuditLog audit,
                 Authenticator authenticator, Access access) {
        this.users = users;
        this.permissions = permissions;
        this.encoder = encoder;
        this.audit = audit;
        this.authenticator = authenticator;
        this.access = access;
    }

    @Transactional
    public User create(String username, String password, boolean admin) {
        validateUsername(username);
        validatePassword(password);
        if (!users.insertIfAbsent(username, encoder.encode(password), admin)) {
            throw CairnException.alreadyExists("User '" + username + "' already exists.");
        }
        audit.record("user", username, "create", null, Map.of("username", username, "is_admin", admin));
        return get(username);
    }

    @Transactional(readOnly = true)
    public User get(String username) {
        UserRow row = row(username);
        return new User(row.userId(), row.username(), row.admin(), permissions.forUser(row.userId()));
    }

    @Transactional(readOnly = true)
    public List<User> list() {
        return users.list().stream().map(r -> new User(r.userId(), r.username(), r.admin(), List.of())).toList();
    }

    @Transactional
    public void updatePassword(String username, String password) {
        row(username);
        validatePassword(password);
        users.updatePassword(username, encoder.encode(password));
        audit.record("user", username, "update-password", null, Map.of("username", username));
        authenticator.forgetCredentials();
    }

    @Transactional
    public void updateAdmin(String username, boolean admin) {
        UserRow before = row(username);
        users.updateAdmin(username, admin);
        audit.record("user", username, "update-admin", Map.of("is_admin", before.admin()), Map.of("is_admin", admin));
        authenticator.forgetCredentials();
        access.invalidate();
    }

    @Transactional
    public void delete(String username) {
        UserRow before = row(username);
        users.delete(username);
        audit.record("user", username, "delete", Map.of("username", username, "is_admin", before.admin()), null);
        authenticator.forgetCredentials();
        access.invalidate();
    }

    /** The user's row; a clear 404 when there is none. */
    UserRow row(String username) {
        if (username == null || username.isEmpty()) {
            throw CairnException.invalid("Missing value for required parameter 'username'.");
        }
        return users.find(username).orElseThrow(() ->
                CairnException.notFound("User with username=" + username + " not found"));
    }

    static void validateUsername(String username) {
        if (username == null || username.isBlank()) {
            throw CairnException.invalid("Missing value for required parameter 'username'.");
        }
        if (username.length() > 256) {
            throw CairnException.invalid("'username' had length " + username.length()
                    + ", which exceeded length limit of 256.");
        }
        for (int i = 0; i < username.length(); i++) {
            char c = username.charAt(i);
            if (Character.isISOControl(c) || c == ':' || Character.isSurrogate(c)) {
                throw CairnException.invalid("Invalid username '" + username.replaceAll("\\p{Cntrl}", "?")
                        + "': a user name may not contain ':' or control characters.");
            }
        }
        if (!username.equals(username.strip())) {
            throw CairnException.invalid("Invalid username '" + username + "': no leading or trailing spaces.");
        }
    }

    static void validatePassword(String password) {
        if (password == null || password.length() < MIN_PASSWORD_LENGTH) {
            throw CairnException.invalid("Invalid value for parameter 'password': use at least "
                    + MIN_PASSWORD_LENGTH + " characters.");
        }
        if (password.getBytes(StandardCharsets.UTF_8).length > MAX_PASSWORD_BYTES) {
            throw CairnException.invalid("Invalid value for parameter 'password': at most " + MAX_PASSWORD_BYTES
                    + " bytes in UTF-8 (BCrypt ignores the rest).");
        }
        if (password.indexOf('\0') >= 0) {
            throw CairnException.invalid("Invalid value for parameter 'password': it may not contain NUL.");
        }
    }
}
