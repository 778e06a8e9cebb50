package io.cairn.platform.security;

import io.cairn.platform.security.store.UserStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Component;

/**
 * Creates the first admin from {@code CAIRN_SECURITY_ADMIN_USERNAME} / {@code CAIRN_SECURITY_ADMIN_PASSWORD} when
 * security is on and no user of that name exists. There is no built-in default (MLflow ships admin/password1234): with
 * neither set and no admin in the database, the server starts and says loudly that nobody can manage users. An
 * existing user's password is never reset from the environment; replicas starting together create it once.
 */
@Component
class AdminBootstrap implements ApplicationRunner {

    private static final Logger log = LoggerFactory.getLogger(AdminBootstrap.class);

    private final SecurityProperties properties;
    private final UserStore users;
    private final PasswordEncoder encoder;

    AdminBootstrap(SecurityProperties properties, UserStore users, PasswordEncoder encoder) {
        this.properties = properties;
        this.users = users;
        this.encoder = encoder;
    }

    @Override
    public void run(ApplicationArguments args) {
        if (!properties.enabled()) {
            log.warn("Security is OFF (cairn.security.enabled=false): anyone who reaches this server can read, "
                    + "change and delete everything. Turn it on anywhere but a laptop.");
            return;
        }
        String username = properties.admin().username();
        String password = properties.admin().password();
        if (username != null && !username.isBlank()) {
            if (password == null || password.isEmpty()) {
                throw new IllegalStateException("CAIRN_SECURITY_ADMIN_USERNAME is set but "
                        + "CAIRN_SECURITY_ADMIN_PASSWORD is not: give the first admin a password (12+ characters).");
            }
            Users.validateUsername(username);
            Users.validatePassword(password);
            if (users.insertIfAbsent(username, encoder.encode(password), true)) {
                log.info("Created the first admin '{}' from cairn.security.admin", username);
            }
        }
        if (users.countAdmins() == 0) {
            log.warn("Security is on but there is no admin: set CAIRN_SECURITY_ADMIN_USERNAME and "
                    + "CAIRN_SECURITY_ADMIN_PASSWORD to create one, or nobody can manage users and permissions.");
        }
    }
}
