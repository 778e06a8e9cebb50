package io.cairn.features.store;

import io.cairn.platform.db.CopyWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A second PostgreSQL backend for one training set: its own connection (not the request transaction's), in a
 * REPEATABLE READ transaction that imports the request transaction's snapshot, so it sees exactly the feature rows the
 * request does. It gets its own copy of the entity rows (the request's COPY is mirrored into it) and runs the probes of
 * some of the views while the request's own backend runs the others: a training set over two views uses two cores of
 * the database instead of one. Its transaction only ever rolls back; closing it returns the connection.
 */
public final class ProbeBackend implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ProbeBackend.class);

    private final Connection connection;
    private volatile PreparedStatement running;

    ProbeBackend(Connection connection, String snapshot) throws SQLException {
        this.connection = connection;
        connection.setAutoCommit(false);
        connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        try (Statement st = connection.createStatement()) {
            // The snapshot id comes from pg_export_snapshot(), never from a request.
            st.execute("SET TRANSACTION SNAPSHOT '" + snapshot.replace("'", "''") + "'");
        }
    }

    /** Creates this backend's entity-row table and opens a COPY into it, to be fed by the request's COPY. */
    CopyIn createEntityTable(List<String> columnDefinitions, List<String> columnNames) throws SQLException {
        try (Statement st = connection.createStatement()) {
            st.execute("CREATE TEMPORARY TABLE cairn_entity_rows (row_id bigint NOT NULL, "
                    + String.join(", ", columnDefinitions) + ") ON COMMIT DROP");
        }
        return connection.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY " + PointInTimeQuery.ENTITY_TABLE
                + " (row_id, " + String.join(", ", columnNames) + ") FROM STDIN");
    }

    /** ANALYZE of the entity rows and the join's session settings, as on the request's backend. */
    public void prepare(String workMem) {
        try (Statement st = connection.createStatement();
             PreparedStatement settings = connection.prepareStatement("SELECT " + TrainingSetStore.JOIN_SETTINGS
                     + ", " + TrainingSetStore.TEXT_OUTPUT_SETTINGS)) {
            st.execute("ANALYZE " + PointInTimeQuery.ENTITY_TABLE);
            settings.setString(1, workMem);
            settings.execute();
        } catch (SQLException e) {
            throw CopyWriter.translate("preparing the second backend", e);
        }
    }

    /**
     * Runs the query through a cursor and returns its result set once the first rows are in (which for the
     * point-in-time statement is after all of its probes). Blocks; run it beside the request backend's own query.
     */
    public ResultSet query(String sql) {
        try {
            PreparedStatement ps = connection.prepareStatement(sql, ResultSet.TYPE_FORWARD_ONLY,
                    ResultSet.CONCUR_READ_ONLY);
            ps.setFetchSize(10_000);
            running = ps;
            return ps.executeQuery();
        } catch (SQLException e) {
            throw CopyWriter.translate("training set query (second backend)", e);
        }
    }

    /** Cancels a query still running, rolls back and returns the connection; never throws. */
    @Override
    public void close() {
        try {
            PreparedStatement ps = running;
            if (ps != null && !ps.isClosed()) {
                ps.cancel();
            }
        } catch (SQLException e) {
            log.debug("cancelling the second backend's query failed: {}", e.getMessage());
        }
        try {
            connection.rollback();
        } catch (SQLException e) {
            log.debug("rolling back the second backend failed: {}", e.getMessage());
        }
        try {
            connection.close();
        } catch (SQLException e) {
            log.debug("closing the second backend failed: {}", e.getMessage());
        }
    }
}
