package io.cairn.platform.security.store;

import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The {@code users} table. */
@Repository
public class UserStore {

    /** One row; {@code passwordHash} is null for users who only sign in through OIDC or a trusted proxy. */
    public record UserRow(long userId, String username, String passwordHash, boolean admin) {
    }

    private final JdbcClient jdbc;

    public UserStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public Optional<UserRow> find(String username) {
        return jdbc.sql("SELECT user_id, username, password_hash, is_admin FROM users WHERE username = :u")
                .param("u", username)
                .query((rs, i) -> new UserRow(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getBoolean(4)))
                .optional();
    }

    public Optional<UserRow> findById(long userId) {
        return jdbc.sql("SELECT user_id, username, password_hash, is_admin FROM users WHERE user_id = :id")
                .param("id", userId)
                .query((rs, i) -> new UserRow(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getBoolean(4)))
                .optional();
    }

    /** Inserts the user unless one of that name exists; true when this call created it. */
    public boolean insertIfAbsent(String username, String passwordHash, boolean admin) {
        return jdbc.sql("""
                INSERT INTO users (username, password_hash, is_admin) VALUES (:u, :h, :a)
                ON CONFLICT (username) DO NOTHING""")
                .param("u", username).param("h", passwordHash).param("a", admin).update() == 1;
    }

    public boolean updatePassword(String username, String passwordHash) {
        return jdbc.sql("UPDATE users SET password_hash = :h WHERE username = :u")
                .param("h", passwordHash).param("u", username).update() == 1;
    }

    public boolean updateAdmin(String username, boolean admin) {
        return jdbc.sql("UPDATE users SET is_admin = :a WHERE username = :u")
                .param("a", admin).param("u", username).update() == 1;
    }

    public boolean delete(String username) {
        return jdbc.sql("DELETE FROM users WHERE username = :u").param("u", username).update() == 1;
    }

    public long countAdmins() {
        return jdbc.sql("SELECT count(*) FROM users WHERE is_admin").query(Long.class).single();
    }

    public List<UserRow> list() {
        return jdbc.sql("SELECT user_id, username, password_hash, is_admin FROM users ORDER BY username")
                .query((rs, i) -> new UserRow(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getBoolean(4)))
                .list();
    }
}
