package io.cairn.registry.store;

import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Model card revisions, stored as JSON; rows are only ever added. */
@Repository
public class ModelCardStore {

    private final JdbcClient jdbc;

    public ModelCardStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** A stored revision with the card as JSON text. */
    public record RevisionRow(int revision, long createdAt, String author, String cardJson) {
    }

    public void insert(String name, int version, int revision, String cardJson, long now, String author) {
        jdbc.sql("""
                INSERT INTO model_card_revisions (name, version, revision, card, created_at, author)
                VALUES (:name, :version, :revision, CAST(:card AS jsonb), :now, :author)""")
                .param("name", name).param("version", version).param("revision", revision).param("card", cardJson)
                .param("now", now).param("author", author).update();
    }

    public Optional<RevisionRow> latest(String name, int version) {
        return jdbc.sql("""
                SELECT revision, created_at, author, card::text FROM model_card_revisions
                WHERE name = :name AND version = :version ORDER BY revision DESC LIMIT 1""")
                .param("name", name).param("version", version)
                .query((rs, i) -> new RevisionRow(rs.getInt(1), rs.getLong(2), rs.getString(3), rs.getString(4)))
                .optional();
    }

    public Optional<RevisionRow> find(String name, int version, int revision) {
        return jdbc.sql("""
                SELECT revision, created_at, author, card::text FROM model_card_revisions
                WHERE name = :name AND version = :version AND revision = :revision""")
                .param("name", name).param("version", version).param("revision", revision)
                .query((rs, i) -> new RevisionRow(rs.getInt(1), rs.getLong(2), rs.getString(3), rs.getString(4)))
                .optional();
    }

    /** Every revision without its card, oldest first. */
    public List<RevisionRow> history(String name, int version) {
        return jdbc.sql("""
                SELECT revision, created_at, author FROM model_card_revisions
                WHERE name = :name AND version = :version ORDER BY revision""")
                .param("name", name).param("version", version)
                .query((rs, i) -> new RevisionRow(rs.getInt(1), rs.getLong(2), rs.getString(3), null))
                .list();
    }
}
