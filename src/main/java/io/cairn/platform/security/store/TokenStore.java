package io.cairn.platform.security.store;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The {@code api_tokens} table: digests of tokens, never the tokens themselves. */
@Repository
public class TokenStore {

    /** A token's row joined with its user. */
    public record TokenRow(long tokenId, long userId, String username, boolean admin, String name, Instant createdAt,
                           Instant expiresAt, Instant revokedAt) {
    }

    private static final String SELECT = """
            SELECT t.token_id, t.user_id, u.username, u.is_admin, t.name, t.created_at, t.expires_at, t.revoked_at
            FROM api_tokens t JOIN users u ON u.user_id = t.user_id""";

    private final JdbcClient jdbc;

    public TokenStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public Optional<TokenRow> findByDigest(byte[] digest) {
        return jdbc.sql(SELECT + " WHERE t.digest = :d").param("d", digest).query(TokenStore::row).optional();
    }

    public Optional<TokenRow> findById(long tokenId) {
        return jdbc.sql(SELECT + " WHERE t.token_id = :id").param("id", tokenId).query(TokenStore::row).optional();
    }

    public List<TokenRow> listForUser(long userId) {
        return jdbc.sql(SELECT + " WHERE t.user_id = :u ORDER BY t.token_id").param("u", userId)
                .query(TokenStore::row).list();
    }

    public long insert(long userId, String name, byte[] digest, Instant expiresAt) {
        return jdbc.sql("""
                INSERT INTO api_tokens (user_id, name, digest, expires_at) VALUES (:u, :n, :d, :e)
                RETURNING token_id""")
                .param("u", userId).param("n", name).param("d", digest)
                .param("e", expiresAt == null ? null : Timestamp.from(expiresAt))
                .query(Long.class).single();
    }

    /** Marks the token revoked; false when it does not exist or already was. */
    public boolean revoke(long tokenId) {
        return jdbc.sql("UPDATE api_tokens SET revoked_at = now() WHERE token_id = :id AND revoked_at IS NULL")
                .param("id", tokenId).update() == 1;
    }

    private static TokenRow row(java.sql.ResultSet rs, int i) throws java.sql.SQLException {
        return new TokenRow(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getBoolean(4), rs.getString(5),
                instant(rs.getTimestamp(6)), instant(rs.getTimestamp(7)), instant(rs.getTimestamp(8)));
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
