package io.cairn.features.store;

import io.cairn.features.Feature;
import io.cairn.features.FeatureView;
import io.cairn.features.JoinKey;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The offline store's tables: one per feature view, {@code feature_data.view_<id>}, with the view's join keys and
 * features as typed columns beside {@code event_timestamp} and {@code created_timestamp}, and a b-tree on
 * (join keys, event_timestamp, created_timestamp).
 *
 * <p>Why a table per view rather than one generic (view, entity key, timestamp, jsonb) table: the point-in-time
 * join sorts and scans exactly one view's rows with native 8-byte keys and timestamps, with no JSON decoding and no
 * other views' rows in the way; typed columns reject a bad value at ingestion instead of at training time and take
 * a third of the space of JSON; and COPY can write straight into them. The index serves materialization (latest row
 * per entity in a window) and point lookups; adding a feature is a metadata-only {@code ADD COLUMN}. Column names
 * are the validated feature and join-key names, always quoted.
 */
@Repository
public class FeatureTables {

    private final JdbcClient jdbc;
    private final DataSource dataSource;

    public FeatureTables(JdbcClient jdbc, DataSource dataSource) {
        this.jdbc = jdbc;
        this.dataSource = dataSource;
    }

    /** Opens a COPY into the view's table for the given columns, on the current transaction's connection. */
    public CopyWriter copyInto(FeatureView view, List<String> columns) {
        return new CopyWriter(dataSource, "COPY " + view.tableName() + " ("
                + String.join(", ", columns.stream().map(FeatureTables::quote).toList()) + ") FROM STDIN");
    }

    public static String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    /** Creates the view's table and index in the caller's transaction. */
    public void create(FeatureView view) {
        List<String> columns = new ArrayList<>();
        List<String> keyColumns = new ArrayList<>();
        for (JoinKey key : view.join_keys()) {
            columns.add(quote(key.name()) + " " + key.type().sqlType() + " NOT NULL");
            keyColumns.add(quote(key.name()));
        }
        columns.add("event_timestamp timestamptz NOT NULL");
        columns.add("created_timestamp timestamptz NOT NULL");
        for (Feature f : view.features()) {
            columns.add(quote(f.name()) + " " + f.type().sqlType());
        }
        jdbc.sql("CREATE TABLE " + view.tableName() + " (" + String.join(", ", columns) + ")").update();
        jdbc.sql("CREATE INDEX view_" + view.viewId() + "_by_key_time ON " + view.tableName() + " ("
                + String.join(", ", keyColumns) + ", event_timestamp, created_timestamp)").update();
    }

    /** Adds nullable columns for new features: metadata only, no table rewrite. */
    public void addFeatures(FeatureView view, List<Feature> added) {
        for (Feature f : added) {
            jdbc.sql("ALTER TABLE " + view.tableName() + " ADD COLUMN " + quote(f.name()) + " " + f.type().sqlType())
                    .update();
        }
    }

    public void drop(FeatureView view) {
        jdbc.sql("DROP TABLE IF EXISTS " + view.tableName()).update();
    }

    public long count(FeatureView view) {
        return jdbc.sql("SELECT count(*) FROM " + view.tableName()).query(Long.class).single();
    }
}
