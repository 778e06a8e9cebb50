package io.cairn.monitoring;

import io.cairn.platform.audit.AuditLog;
import io.cairn.platform.db.CopyWriter;
import io.cairn.platform.error.CairnException;
import io.cairn.platform.web.CurrentActor;
import io.cairn.serving.DeploymentCatalog;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The evaluation store: labels for logged predictions, loaded in one transaction per request. Every label is first
 * streamed into a temporary table with COPY (as the offline store loads rows), then matched against
 * {@code monitored_predictions} by prediction id, or by request id (the latest prediction of that deployment with it),
 * and written with one statement. A label whose prediction is not (yet) known is answered as unmatched and not
 * stored; a malformed row, a row index past the prediction's rows, or two labels for the same prediction row fail the
 * whole request with nothing stored. A new label for a labelled row replaces it; the old one goes to
 * {@code ground_truth_history}.
 */
@Service
public class GroundTruth {

    /** How many unmatched labels the answer lists (all are counted): a bulk load must not get a bulk answer. */
    static final int MAX_UNMATCHED_LISTED = 1000;
    /** "ON CONFLICT DO UPDATE command cannot affect row a second time". */
    private static final String CARDINALITY_VIOLATION = "21000";

    /** One label as read from a request; {@code where} names it in error messages ({@code labels[3]}, {@code line 4}). */
    public record Label(String where, UUID predictionId, String requestId, int row, String valueText,
                        Double valueNumber) {
    }

    /** A label that matched no prediction. */
    public record Unmatched(String where, String prediction_id, String request_id) {
    }

    /** Where labels come from: hands each label to the sink as it is read (a request body, streamed). */
    @FunctionalInterface
    public interface LabelSource {
        void forEach(java.util.function.Consumer<Label> sink);
    }

    /** What a load did. */
    public record Loaded(long received, long stored, long replaced, long unmatched_count, List<Unmatched> unmatched) {
    }

    private final JdbcTemplate jdbc;
    private final DataSource dataSource;
    private final TransactionTemplate transactions;
    private final DeploymentCatalog deployments;
    private final AuditLog audit;

    GroundTruth(JdbcTemplate jdbc, DataSource dataSource, TransactionTemplate transactions,
                DeploymentCatalog deployments, AuditLog audit) {
        this.jdbc = jdbc;
        this.dataSource = dataSource;
        this.transactions = transactions;
        this.deployments = deployments;
        this.audit = audit;
    }

    /** Loads the labels of one request for a deployment; they are read (and validated) as the COPY goes. */
    public Loaded load(String deployment, LabelSource labels) {
        if (!deployments.exists(deployment)) {
            throw CairnException.notFound("Deployment '" + deployment + "' does not exist.");
        }
        return transactions.execute(status -> {
            jdbc.execute("""
                    CREATE TEMP TABLE labels_in (ord bigint, location text, prediction_id uuid, request_id text,
                        row_index integer, value_text text, value_number double precision) ON COMMIT DROP""");
            long received = copy(labels);
            if (received == 0) {
                throw CairnException.invalid("No labels: send at least one {\"prediction_id\" or \"request_id\", "
                        + "\"value\"}.");
            }
            resolve(deployment);
            refuseOutOfRange();
            // Two labels for one prediction row make the upsert fail (it cannot change a row twice); only then is
            // the request searched for the pair to name, which a bulk load would otherwise pay for every time.
            Object beforeWrites = status.createSavepoint();
            try {
                return store(deployment, received);
            } catch (DataAccessException e) {
                if (!(NestedExceptionUtils.getMostSpecificCause(e) instanceof SQLException sql)
                        || !CARDINALITY_VIOLATION.equals(sql.getSQLState())) {
                    throw e;
                }
                status.rollbackToSavepoint(beforeWrites);
                refuseDuplicates();
                throw e;
            }
        });
    }

    /** Keeps the replaced labels, writes the new ones (sorted, so the primary key is filled in order), audits. */
    private Loaded store(String deployment, long received) {
        long replaced = jdbc.update("""
                INSERT INTO ground_truth_history (prediction_id, row_index, deployment, value_text, value_number,
                                                  labelled_at, labelled_by, replaced_at)
                SELECT g.prediction_id, g.row_index, g.deployment, g.value_text, g.value_number, g.labelled_at,
                       g.labelled_by, now()
                FROM ground_truth g JOIN labels_resolved l ON g.prediction_id = l.pid
                                                          AND g.row_index = l.row_index""");
        long stored = jdbc.update("""
                INSERT INTO ground_truth (prediction_id, row_index, deployment, value_text, value_number,
                                          labelled_at, labelled_by)
                SELECT pid, row_index, ?, value_text, value_number, now(), ? FROM labels_resolved
                WHERE pid IS NOT NULL ORDER BY pid, row_index
                ON CONFLICT (prediction_id, row_index) DO UPDATE SET value_text = EXCLUDED.value_text,
                    value_number = EXCLUDED.value_number, labelled_at = EXCLUDED.labelled_at,
                    labelled_by = EXCLUDED.labelled_by""", deployment, CurrentActor.name());
        long unmatchedCount = received - stored;
        List<Unmatched> unmatched = jdbc.query("""
                SELECT location, prediction_id::text, request_id FROM labels_resolved WHERE pid IS NULL
                ORDER BY ord LIMIT ?""", (rs, i) -> new Unmatched(rs.getString(1), rs.getString(2),
                rs.getString(3)), MAX_UNMATCHED_LISTED);
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("received", received);
        summary.put("stored", stored);
        summary.put("replaced", replaced);
        summary.put("unmatched", unmatchedCount);
        audit.record("deployment", deployment, "ground-truth", null, summary);
        return new Loaded(received, stored, replaced, unmatchedCount, unmatched);
    }

    private long copy(LabelSource labels) {
        CopyWriter copy = new CopyWriter(dataSource, "COPY labels_in (ord, location, prediction_id, request_id, "
                + "row_index, value_text, value_number) FROM STDIN");
        try {
            long[] ord = {0};
            labels.forEach(label -> {
                copy.value(ord[0]++);
                copy.value(label.where());
                copy.value(label.predictionId());
                copy.value(label.requestId());
                copy.value(label.row());
                copy.value(label.valueText());
                copy.value(label.valueNumber());
                copy.endRow();
            });
            copy.finish();
            return ord[0];
        } catch (Throwable e) {
            // A malformed row (or a broken body) ends the COPY here, so the connection goes back clean and the
            // transaction rolls back: nothing of this request is stored.
            copy.cancel();
            throw e;
        }
    }

    /**
     * Matches each label with its prediction (pid) and that prediction's row count, by prediction id, else by request
     * id, into a second temp table: a CREATE TABLE AS after ANALYZE rather than an UPDATE of the first, so the planner
     * knows how many labels there are (temp tables have no statistics until analysed) and no row is written twice.
     */
    private void resolve(String deployment) {
        jdbc.execute("ANALYZE labels_in");
        jdbc.update("""
                CREATE TEMP TABLE labels_resolved ON COMMIT DROP AS
                SELECT l.ord, l.location, l.prediction_id, l.request_id, l.row_index, l.value_text, l.value_number,
                       coalesce(m.prediction_id, r.prediction_id) AS pid, coalesce(m.row_count, r.row_count) AS row_count
                FROM labels_in l
                LEFT JOIN monitored_predictions m ON m.prediction_id = l.prediction_id AND m.deployment = ?
                LEFT JOIN (SELECT DISTINCT ON (request_id) request_id, prediction_id, row_count
                           FROM monitored_predictions
                           WHERE deployment = ? AND request_id IN (SELECT request_id FROM labels_in
                                                                   WHERE prediction_id IS NULL)
                           ORDER BY request_id, predicted_at DESC, prediction_id DESC) r
                       ON l.prediction_id IS NULL AND r.request_id = l.request_id""", deployment, deployment);
    }

    private void refuseOutOfRange() {
        jdbc.query("SELECT location, row_index, row_count FROM labels_resolved WHERE pid IS NOT NULL "
                + "AND row_index >= row_count ORDER BY ord LIMIT 1", (org.springframework.jdbc.core.RowCallbackHandler) rs -> {
                    throw CairnException.invalid(rs.getString(1) + ": row " + rs.getInt(2) + " does not exist; the "
                            + "prediction answered " + rs.getInt(3) + " row(s), numbered from 0.");
                });
    }

    private void refuseDuplicates() {
        jdbc.query("""
                WITH twice AS (SELECT pid, row_index FROM labels_resolved WHERE pid IS NOT NULL
                               GROUP BY pid, row_index HAVING count(*) > 1 LIMIT 1)
                SELECT (array_agg(l.location ORDER BY l.ord))[1], (array_agg(l.location ORDER BY l.ord))[2],
                       t.pid::text, t.row_index
                FROM twice t JOIN labels_resolved l ON l.pid = t.pid AND l.row_index = t.row_index
                GROUP BY t.pid, t.row_index""", (org.springframework.jdbc.core.RowCallbackHandler) rs -> {
                    throw CairnException.invalid(rs.getString(1) + " and " + rs.getString(2) + " both label row "
                            + rs.getInt(4) + " of prediction " + rs.getString(3) + "; send one label per prediction "
                            + "row (a later request replaces it).");
                });
    }
}
