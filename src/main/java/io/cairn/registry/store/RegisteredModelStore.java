package io.cairn.registry.store;

import io.cairn.platform.error.CairnException;
import io.cairn.platform.search.Comparison;
import io.cairn.platform.search.OrderBy;
import io.cairn.platform.search.SqlComparisons;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.springframework.dao.DuplicateKeyException;
import io.cairn.platform.db.TableStatistics;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Registered models, their tags and aliases. */
@Repository
public class RegisteredModelStore {

    private final JdbcClient jdbc;

    private final TableStatistics statistics;

    public RegisteredModelStore(JdbcClient jdbc, TableStatistics statistics) {
        this.jdbc = jdbc;
        this.statistics = statistics;
    }

    /** A registered model's own row. */
    public record ModelRow(String name, long creationTimestamp, long lastUpdatedTimestamp, String description) {
    }

    public void insert(String name, String description, long now) {
        try {
            jdbc.sql("""
                    INSERT INTO registered_models (name, creation_timestamp, last_updated_timestamp, description)
                    VALUES (:name, :now, :now, :description)""")
                    .param("name", name).param("now", now).param("description", description).update();
            statistics.wrote("registered_models", 1);
        } catch (DuplicateKeyException e) {
            throw CairnException.alreadyExists("Registered Model (name=" + name + ") already exists.");
        }
    }

    public Optional<ModelRow> find(String name) {
        return jdbc.sql("SELECT name, creation_timestamp, last_updated_timestamp, description FROM registered_models "
                        + "WHERE name = :name").param("name", name).query(RegisteredModelStore::row).optional();
    }

    /** Locks the model row; every write to a model or its versions goes through here first. */
    public Optional<ModelRow> lock(String name) {
        return jdbc.sql("SELECT name, creation_timestamp, last_updated_timestamp, description FROM registered_models "
                        + "WHERE name = :name FOR UPDATE").param("name", name).query(RegisteredModelStore::row).optional();
    }

    /** Takes the next version number; the row lock held until commit serializes concurrent creates. */
    public int nextVersion(String name, long now) {
        return jdbc.sql("""
                UPDATE registered_models SET last_version = last_version + 1, last_updated_timestamp = :now
                WHERE name = :name RETURNING last_version""")
                .param("name", name).param("now", now).query(Integer.class).single();
    }

    public void rename(String name, String newName, long now) {
        try {
            jdbc.sql("UPDATE registered_models SET name = :newName, last_updated_timestamp = :now WHERE name = :name")
                    .param("newName", newName).param("now", now).param("name", name).update();
        } catch (DuplicateKeyException e) {
            throw CairnException.alreadyExists("Registered Model (name=" + newName + ") already exists.");
        }
    }

    public void updateDescription(String name, String description, long now) {
        jdbc.sql("UPDATE registered_models SET description = :d, last_updated_timestamp = :now WHERE name = :name")
                .param("d", description).param("now", now).param("name", name).update();
    }

    public void touch(String name, long now) {
        jdbc.sql("UPDATE registered_models SET last_updated_timestamp = :now WHERE name = :name")
                .param("now", now).param("name", name).update();
    }

    public void delete(String name) {
        jdbc.sql("DELETE FROM registered_models WHERE name = :name").param("name", name).update();
    }

    public void setTag(String name, String key, String value) {
        jdbc.sql("""
                INSERT INTO registered_model_tags (name, key, value) VALUES (:name, :key, :value)
                ON CONFLICT (name, key) DO UPDATE SET value = excluded.value""")
                .param("name", name).param("key", key).param("value", value).update();
        statistics.wrote("registered_model_tags", 1);
    }

    public boolean deleteTag(String name, String key) {
        return jdbc.sql("DELETE FROM registered_model_tags WHERE name = :name AND key = :key")
                .param("name", name).param("key", key).update() > 0;
    }

    public Map<String, Map<String, String>> tags(List<String> names) {
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        if (names.isEmpty()) {
            return out;
        }
        jdbc.sql("SELECT name, key, value FROM registered_model_tags WHERE name = ANY(:names) ORDER BY key")
                .param("names", names.toArray(String[]::new))
                .query(rs -> {
                    out.computeIfAbsent(rs.getString(1), k -> new LinkedHashMap<>()).put(rs.getString(2), rs.getString(3));
                });
        return out;
    }

    /** Sets the alias and returns the version it pointed to before, if any. */
    public Optional<Integer> setAlias(String name, String alias, int version) {
        Optional<Integer> previous = aliasTarget(name, alias);
        jdbc.sql("""
                INSERT INTO registered_model_aliases (name, alias, version) VALUES (:name, :alias, :version)
                ON CONFLICT (name, alias) DO UPDATE SET version = excluded.version""")
                .param("name", name).param("alias", alias).param("version", version).update();
        return previous;
    }

    public Optional<Integer> deleteAlias(String name, String alias) {
        return jdbc.sql("DELETE FROM registered_model_aliases WHERE name = :name AND alias = :alias RETURNING version")
                .param("name", name).param("alias", alias).query(Integer.class).optional();
    }

    public Optional<Integer> aliasTarget(String name, String alias) {
        return jdbc.sql("SELECT version FROM registered_model_aliases WHERE name = :name AND alias = :alias")
                .param("name", name).param("alias", alias).query(Integer.class).optional();
    }

    /** Aliases of the given models: name → (alias → version), aliases sorted. */
    public Map<String, Map<String, Integer>> aliases(List<String> names) {
        Map<String, Map<String, Integer>> out = new LinkedHashMap<>();
        if (names.isEmpty()) {
            return out;
        }
        jdbc.sql("SELECT name, alias, version FROM registered_model_aliases WHERE name = ANY(:names) ORDER BY alias")
                .param("names", names.toArray(String[]::new))
                .query(rs -> {
                    out.computeIfAbsent(rs.getString(1), k -> new LinkedHashMap<>()).put(rs.getString(2), rs.getInt(3));
                });
        return out;
    }

    /** One page of model rows; {@code limit + 1} are fetched so the caller knows whether more exist. */
    public List<ModelRow> search(List<Comparison> filter, List<OrderBy> orderBy, int limit, int offset) {
        StringBuilder sql = new StringBuilder("SELECT m.name, m.creation_timestamp, m.last_updated_timestamp, "
                + "m.description FROM registered_models m WHERE true");
        Map<String, Object> params = new LinkedHashMap<>();
        int n = 0;
        for (Comparison c : filter) {
            String p = "p" + n++;
            switch (c.entity()) {
                case ATTRIBUTE -> {
                    if (!c.key().equals("name")) {
                        throw CairnException.invalid("Invalid attribute '" + c.key()
                                + "' in registered model filter; filter on name or tags.<key>.");
                    }
                    sql.append(" AND ").append(SqlComparisons.compare("m.name", c, p, false, params));
                }
                case TAG -> {
                    params.put(p + "k", c.key());
                    sql.append(" AND EXISTS (SELECT 1 FROM registered_model_tags t WHERE t.name = m.name AND t.key = :")
                            .append(p).append("k AND ").append(SqlComparisons.compare("t.value", c, p, false, params))
                            .append(')');
                }
                default -> throw CairnException.invalid("Invalid entity '" + c.entity().name().toLowerCase(Locale.ROOT)
                        + "' in registered model filter; filter on name or tags.<key>.");
            }
        }
        sql.append(" ORDER BY ");
        for (OrderBy o : orderBy) {
            String column = switch (o.key()) {
                case "name" -> "m.name";
                case "timestamp", "last_updated_timestamp" -> "m.last_updated_timestamp";
                case "creation_timestamp" -> "m.creation_timestamp";
                default -> throw CairnException.invalid("Invalid order_by key '" + o.key()
                        + "' for registered models; use name, last_updated_timestamp or creation_timestamp.");
            };
            sql.append(column).append(o.ascending() ? " ASC, " : " DESC, ");
        }
        sql.append("m.name ASC LIMIT :limit OFFSET :offset");
        params.put("limit", limit + 1);
        params.put("offset", offset);
        return jdbc.sql(sql.toString()).params(params).query(RegisteredModelStore::row).list();
    }

    private static ModelRow row(ResultSet rs, int i) throws SQLException {
        return new ModelRow(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getString(4));
    }
}
