package io.cairn.registry.store;

import io.cairn.platform.error.CairnException;
import io.cairn.platform.search.Comparison;
import io.cairn.platform.search.OrderBy;
import io.cairn.platform.search.SqlComparisons;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import io.cairn.platform.db.TableStatistics;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Model versions and their tags. */
@Repository
public class ModelVersionStore {

    private static final String COLUMNS = "v.name, v.version, v.creation_timestamp, v.last_updated_timestamp, "
            + "v.description, v.user_id, v.current_stage, v.source, v.run_id, v.run_link, v.status, v.storage_location";

    private final JdbcClient jdbc;

    private final TableStatistics statistics;

    public ModelVersionStore(JdbcClient jdbc, TableStatistics statistics) {
        this.jdbc = jdbc;
        this.statistics = statistics;
    }

    /** A version's own row, without tags and aliases. */
    public record VersionRow(String name, int version, long creationTimestamp, long lastUpdatedTimestamp,
                             String description, String userId, String currentStage, String source, String runId,
                             String runLink, String status, String storageLocation) {
    }

    public void insert(VersionRow row) {
        jdbc.sql("""
                INSERT INTO model_versions (name, version, creation_timestamp, last_updated_timestamp, description,
                                            user_id, current_stage, source, run_id, run_link, status, storage_location)
                VALUES (:name, :version, :created, :updated, :description, :user, :stage, :source, :run, :link,
                        :status, :storage)""")
                .param("name", row.name()).param("version", row.version()).param("created", row.creationTimestamp())
                .param("updated", row.lastUpdatedTimestamp()).param("description", row.description())
                .param("user", row.userId()).param("stage", row.currentStage()).param("source", row.source())
                .param("run", row.runId()).param("link", row.runLink()).param("status", row.status())
                .param("storage", row.storageLocation())
                .update();
        statistics.wrote("model_versions", 1);
    }

    public Optional<VersionRow> find(String name, int version) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM model_versions v WHERE v.name = :name AND v.version = :version")
                .param("name", name).param("version", version).query(ModelVersionStore::row).optional();
    }

    /** Locks the version row for the rest of the transaction, e.g. to serialize edits of its card. */
    public Optional<VersionRow> lock(String name, int version) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM model_versions v WHERE v.name = :name AND v.version = :version "
                        + "FOR UPDATE")
                .param("name", name).param("version", version).query(ModelVersionStore::row).optional();
    }

    public void updateDescription(String name, int version, String description, long now) {
        jdbc.sql("""
                UPDATE model_versions SET description = :d, last_updated_timestamp = :now
                WHERE name = :name AND version = :version""")
                .param("d", description).param("now", now).param("name", name).param("version", version).update();
    }

    public void setStage(String name, int version, String stage, long now) {
        jdbc.sql("""
                UPDATE model_versions SET current_stage = :stage, last_updated_timestamp = :now
                WHERE name = :name AND version = :version""")
                .param("stage", stage).param("now", now).param("name", name).param("version", version).update();
    }

    /** Versions other than {@code except} in the stage, which archive_existing_versions moves to Archived. */
    public List<Integer> versionsInStage(String name, String stage, int except) {
        return jdbc.sql("SELECT version FROM model_versions WHERE name = :name AND current_stage = :stage "
                        + "AND version <> :except ORDER BY version")
                .param("name", name).param("stage", stage).param("except", except).query(Integer.class).list();
    }

    public void delete(String name, int version) {
        jdbc.sql("DELETE FROM model_versions WHERE name = :name AND version = :version")
                .param("name", name).param("version", version).update();
    }

    public void setTag(String name, int version, String key, String value) {
        jdbc.sql("""
                INSERT INTO model_version_tags (name, version, key, value) VALUES (:name, :version, :key, :value)
                ON CONFLICT (name, version, key) DO UPDATE SET value = excluded.value""")
                .param("name", name).param("version", version).param("key", key).param("value", value).update();
        statistics.wrote("model_version_tags", 1);
    }

    public boolean deleteTag(String name, int version, String key) {
        return jdbc.sql("DELETE FROM model_version_tags WHERE name = :name AND version = :version AND key = :key")
                .param("name", name).param("version", version).param("key", key).update() > 0;
    }

    /** The highest version in each stage, for the given models. */
    public List<VersionRow> latestPerStage(List<String> names) {
        if (names.isEmpty()) {
            return List.of();
        }
        return jdbc.sql("SELECT DISTINCT ON (v.name, v.current_stage) " + COLUMNS + " FROM model_versions v "
                        + "WHERE v.name = ANY(:names) ORDER BY v.name, v.current_stage, v.version DESC")
                .param("names", names.toArray(String[]::new)).query(ModelVersionStore::row).list();
    }

    /** Tags of the given versions, keyed by "name\u0000version". */
    public Map<String, Map<String, String>> tags(List<VersionRow> versions) {
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        if (versions.isEmpty()) {
            return out;
        }
        String[] names = versions.stream().map(VersionRow::name).toArray(String[]::new);
        Integer[] numbers = versions.stream().map(VersionRow::version).toArray(Integer[]::new);
        jdbc.sql("""
                SELECT t.name, t.version, t.key, t.value FROM model_version_tags t
                JOIN unnest(CAST(:names AS text[]), CAST(:versions AS int[])) AS k(name, version)
                  ON k.name = t.name AND k.version = t.version
                ORDER BY t.key""")
                .param("names", names).param("versions", numbers)
                .query(rs -> {
                    out.computeIfAbsent(key(rs.getString(1), rs.getInt(2)), k -> new LinkedHashMap<>())
                            .put(rs.getString(3), rs.getString(4));
                });
        return out;
    }

    public static String key(String name, int version) {
        return name + '\u0000' + version;
    }

    /** One page of versions; {@code limit + 1} are fetched so the caller knows whether more exist. */
    public List<VersionRow> search(List<Comparison> filter, List<OrderBy> orderBy, int limit, int offset) {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM model_versions v WHERE true");
        Map<String, Object> params = new LinkedHashMap<>();
        int n = 0;
        for (Comparison c : filter) {
            String p = "p" + n++;
            switch (c.entity()) {
                case ATTRIBUTE -> {
                    String column = switch (c.key()) {
                        case "name" -> "v.name";
                        case "run_id" -> "v.run_id";
                        case "source_path", "source" -> "v.source";
                        case "version_number" -> "v.version";
                        case "current_stage" -> "v.current_stage";
                        case "user_id" -> "v.user_id";
                        default -> throw CairnException.invalid("Invalid attribute '" + c.key() + "' in model version "
                                + "filter; filter on name, run_id, source_path, version_number or tags.<key>.");
                    };
                    sql.append(" AND ").append(SqlComparisons.compare(column, c, p, column.equals("v.version"), params));
                }
                case TAG -> {
                    params.put(p + "k", c.key());
                    sql.append(" AND EXISTS (SELECT 1 FROM model_version_tags t WHERE t.name = v.name AND t.version = "
                            + "v.version AND t.key = :").append(p).append("k AND ")
                            .append(SqlComparisons.compare("t.value", c, p, false, params)).append(')');
                }
                default -> throw CairnException.invalid("Invalid entity '" + c.entity().name().toLowerCase(Locale.ROOT)
                        + "' in model version filter; filter on name, run_id, source_path, version_number or tags.<key>.");
            }
        }
        sql.append(" ORDER BY ");
        for (OrderBy o : orderBy) {
            String column = switch (o.key()) {
                case "name" -> "v.name";
                case "version_number" -> "v.version";
                case "creation_timestamp" -> "v.creation_timestamp";
                case "last_updated_timestamp", "timestamp" -> "v.last_updated_timestamp";
                default -> throw CairnException.invalid("Invalid order_by key '" + o.key() + "' for model versions; "
                        + "use name, version_number, creation_timestamp or last_updated_timestamp.");
            };
            sql.append(column).append(o.ascending() ? " ASC, " : " DESC, ");
        }
        sql.append("v.name ASC, v.version DESC LIMIT :limit OFFSET :offset");
        params.put("limit", limit + 1);
        params.put("offset", offset);
        return new ArrayList<>(jdbc.sql(sql.toString()).params(params).query(ModelVersionStore::row).list());
    }

    private static VersionRow row(ResultSet rs, int i) throws SQLException {
        return new VersionRow(rs.getString(1), rs.getInt(2), rs.getLong(3), rs.getLong(4), rs.getString(5),
                rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10), rs.getString(11),
                rs.getString(12));
    }
}
