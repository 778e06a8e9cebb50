package io.cairn.features.store;

import io.cairn.platform.db.CopyWriter;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import io.cairn.features.SavedTrainingSet;
import io.cairn.features.TrainingSetColumn;
import io.cairn.features.ValueType;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.stereotype.Repository;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The tables behind training sets: the temporary table of a request's entity rows, the stored rows of saved training
 * sets ({@code feature_data.training_set_<id>}) and their metadata in {@code training_sets}.
 */
@Repository
public class TrainingSetStore {

    private static final TypeReference<List<TrainingSetColumn>> COLUMNS = new TypeReference<>() {
    };

    private final JdbcClient jdbc;
    private final DataSource dataSource;
    private final JsonMapper json = JsonMapper.builder().build();

    public TrainingSetStore(JdbcClient jdbc, DataSource dataSource) {
        this.jdbc = jdbc;
        this.dataSource = dataSource;
    }

    /** Reads one result row; may throw to abort. */
    public interface RowHandler {
        void row(ResultSet rs) throws SQLException;
    }

    /**
     * Creates the transaction's temporary entity-row table ({@code row_id bigint}, then the given columns, dropped at
     * commit) and opens a COPY into it; rows must start with their row_id.
     */
    public CopyWriter createEntityTable(List<String> columnDefinitions, List<String> columnNames) {
        return createEntityTable(columnDefinitions, columnNames, null);
    }

    /** As above, with the rows mirrored into the second backend's own entity-row table when there is one. */
    public CopyWriter createEntityTable(List<String> columnDefinitions, List<String> columnNames, ProbeBackend second) {
        jdbc.sql("CREATE TEMPORARY TABLE cairn_entity_rows (row_id bigint NOT NULL, "
                + String.join(", ", columnDefinitions) + ") ON COMMIT DROP").update();
        CopyWriter copy = new CopyWriter(dataSource, "COPY " + PointInTimeQuery.ENTITY_TABLE + " (row_id, "
                + String.join(", ", columnNames) + ") FROM STDIN");
        if (second != null) {
            try {
                copy.mirrorTo(second.createEntityTable(columnDefinitions, columnNames));
            } catch (SQLException e) {
                copy.cancel();
                throw CopyWriter.translate("COPY (second backend)", e);
            }
        }
        return copy;
    }

    /** Gives the planner row counts and key statistics of the entity rows, and the earliest and latest timestamp. */
    public Instant[] analyzeEntityTable() {
        jdbc.sql("ANALYZE " + PointInTimeQuery.ENTITY_TABLE).update();
        return jdbc.sql("SELECT min(ts), max(ts) FROM " + PointInTimeQuery.ENTITY_TABLE)
                .query((rs, i) -> new Instant[] {instant(rs.getTimestamp(1)), instant(rs.getTimestamp(2))}).single();
    }

    /**
     * Session settings for the join, for this transaction only: memory for the sorts (so they stay in memory) and no
     * JIT (its compile time is a loss for one big sort-and-scan query).
     */
    public void tuneForJoin(String workMem) {
        jdbc.sql("SELECT " + JOIN_SETTINGS).param(workMem).query().singleRow();
    }

    /** The join's settings with the work_mem as the one parameter; the second backend sets the same. */
    static final String JOIN_SETTINGS = "set_config('work_mem', ?, true), set_config('jit', 'off', true)";

    /**
     * Session settings for reading a result as text, for this transaction only: shortest exact floats (pgjdbc asks
     * for it at connect; said again because the CSV writer relies on it), ISO dates and UTC, so most values' text is
     * already the writer's (see TrainingSetWriter.Csv).
     */
    public void textOutput() {
        jdbc.sql("SELECT " + TEXT_OUTPUT_SETTINGS).query().singleRow();
    }

    static final String TEXT_OUTPUT_SETTINGS = "set_config('extra_float_digits', '3', true), "
            + "set_config('DateStyle', 'ISO, MDY', true), set_config('TimeZone', 'UTC', true)";

    /**
     * A second backend sharing this transaction's snapshot (which must be REPEATABLE READ), or empty when the pool has
     * no idle connection to spare: a training set then runs on its own backend rather than wait for a second one
     * while holding its first.
     */
    public Optional<ProbeBackend> openProbeBackend() {
        try {
            if (dataSource.isWrapperFor(HikariDataSource.class)) {
                HikariPoolMXBean pool = dataSource.unwrap(HikariDataSource.class).getHikariPoolMXBean();
                if (pool != null && pool.getIdleConnections() == 0) {
                    return Optional.empty();
                }
            }
        } catch (SQLException e) {
            return Optional.empty();
        }
        String snapshot = jdbc.sql("SELECT pg_export_snapshot()").query(String.class).single();
        Connection second = null;
        try {
            second = dataSource.getConnection();
            return Optional.of(new ProbeBackend(second, snapshot));
        } catch (SQLException e) {
            if (second != null) {
                try {
                    second.close();
                } catch (SQLException ignored) {
                    // Already failing; the request goes on with one backend.
                }
            }
            return Optional.empty();
        }
    }

    /** Runs a query in this transaction through a cursor, handing each row to the handler. */
    public void stream(String sql, RowHandler handler) {
        Connection connection = DataSourceUtils.getConnection(dataSource);
        try (PreparedStatement ps = connection.prepareStatement(sql, ResultSet.TYPE_FORWARD_ONLY,
                ResultSet.CONCUR_READ_ONLY)) {
            ps.setFetchSize(10_000);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    handler.row(rs);
                }
            }
        } catch (SQLException e) {
            throw CopyWriter.translate("training set query", e);
        } finally {
            DataSourceUtils.releaseConnection(connection, dataSource);
        }
    }

    // ---- saved training sets -----------------------------------------------------------------------------------

    public static String table(String id) {
        return "feature_data.training_set_" + id;
    }

    /** Stores the query's result as the saved set's table, with its row order in {@code row_id}. */
    public void createSavedTable(String id, String query) {
        jdbc.sql("CREATE TABLE " + table(id) + " AS " + query).update();
    }

    /**
     * The type every non-null value of each given column of a saved set shares, for columns carried through from the
     * entity rows (JSON text): INT64 when every value is an integer within a long, FLOAT64 when every one is a number,
     * BOOL when every one is true or false, else (or with no values) STRING. A value is read by its JSON scalar, so a
     * CSV cell {@code 1} (carried as the string "1") counts as the integer it reads as; a zero-padded {@code 007}
     * does not. One scan of the table for all the columns.
     */
    public List<ValueType> carriedTypes(String id, List<Integer> columns) {
        if (columns.isEmpty()) {
            return List.of();
        }
        List<String> aggregates = new java.util.ArrayList<>();
        for (int c : columns) {
            String t = "(c" + c + "::jsonb #>> '{}')";
            aggregates.add("bool_and(CASE WHEN " + t + " IS NULL THEN NULL WHEN " + t + " ~ '^-?(0|[1-9][0-9]*)$' THEN " + t
                    + "::numeric BETWEEN -9223372036854775808 AND 9223372036854775807 ELSE false END)");
            aggregates.add("bool_and(" + t + " ~ '^-?(0|[1-9][0-9]*)([.][0-9]+)?([eE][-+]?[0-9]+)?$')");
            aggregates.add("bool_and(" + t + " IN ('true', 'false'))");
        }
        return jdbc.sql("SELECT " + String.join(", ", aggregates) + " FROM " + table(id)).query((rs, row) -> {
            List<ValueType> types = new java.util.ArrayList<>();
            for (int i = 0; i < columns.size(); i++) {
                types.add(Boolean.TRUE.equals(rs.getObject(3 * i + 1)) ? ValueType.INT64
                        : Boolean.TRUE.equals(rs.getObject(3 * i + 2)) ? ValueType.FLOAT64
                        : Boolean.TRUE.equals(rs.getObject(3 * i + 3)) ? ValueType.BOOL : ValueType.STRING);
            }
            return types;
        }).single();
    }

    public void insert(SavedTrainingSet set) {
        Connection connection = DataSourceUtils.getConnection(dataSource);
        try (PreparedStatement ps = connection.prepareStatement("""
                INSERT INTO training_sets (training_set_id, name, digest, row_count, feature_refs, full_feature_names,
                                           columns, start_time, end_time, created_at)
                VALUES (?, ?, ?, ?, ?, ?, CAST(? AS jsonb), ?, ?, ?)""")) {
            ps.setString(1, set.id());
            ps.setString(2, set.name());
            ps.setString(3, set.digest());
            ps.setLong(4, set.row_count());
            Array refs = connection.createArrayOf("text", set.feature_refs().toArray());
            ps.setArray(5, refs);
            ps.setBoolean(6, set.full_feature_names());
            ps.setString(7, json.writeValueAsString(set.columns()));
            ps.setTimestamp(8, set.start_time() == null ? null : Timestamp.from(set.start_time()));
            ps.setTimestamp(9, set.end_time() == null ? null : Timestamp.from(set.end_time()));
            ps.setTimestamp(10, Timestamp.from(set.created_at()));
            ps.executeUpdate();
        } catch (SQLException e) {
            throw CopyWriter.translate("saving the training set", e);
        } finally {
            DataSourceUtils.releaseConnection(connection, dataSource);
        }
    }

    private static final String SELECT = """
            SELECT training_set_id, name, digest, row_count, feature_refs, full_feature_names, columns::text,
                   start_time, end_time, created_at FROM training_sets""";

    /** By id, else by name. */
    public Optional<SavedTrainingSet> find(String idOrName) {
        return jdbc.sql(SELECT + " WHERE training_set_id = :key OR name = :key ORDER BY training_set_id = :key DESC "
                + "LIMIT 1").param("key", idOrName).query(this::row).optional();
    }

    public boolean nameTaken(String name) {
        return jdbc.sql("SELECT count(*) FROM training_sets WHERE name = :name").param("name", name)
                .query(Long.class).single() > 0;
    }

    public List<SavedTrainingSet> list() {
        return jdbc.sql(SELECT + " ORDER BY created_at DESC, name").query(this::row).list();
    }

    private SavedTrainingSet row(ResultSet rs, int i) throws SQLException {
        String[] refs = (String[]) rs.getArray(5).getArray();
        return new SavedTrainingSet(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4),
                List.copyOf(Arrays.asList(refs)), rs.getBoolean(6), List.copyOf(json.readValue(rs.getString(7), COLUMNS)),
                instant(rs.getTimestamp(8)), instant(rs.getTimestamp(9)), instant(rs.getTimestamp(10)));
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
