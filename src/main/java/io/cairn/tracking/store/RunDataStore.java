package io.cairn.tracking.store;

import io.cairn.tracking.Dataset;
import io.cairn.tracking.DatasetInput;
import io.cairn.tracking.Metric;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import io.cairn.platform.db.TableStatistics;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.stereotype.Repository;
import tools.jackson.databind.json.JsonMapper;

/** What runs log: params, tags, metric history with the latest value per key, and dataset inputs. */
@Repository
public class RunDataStore {

    /** Below this many points a plain batched INSERT beats COPY's extra round trips. */
    private static final int COPY_THRESHOLD = 16;

    private final JdbcClient jdbc;
    private final TableStatistics statistics;
    private final JdbcTemplate template;
    private final DataSource dataSource;
    private final JsonMapper json = JsonMapper.builder().build();

    public RunDataStore(JdbcClient jdbc, JdbcTemplate template, DataSource dataSource, TableStatistics statistics) {
        this.statistics = statistics;
        this.jdbc = jdbc;
        this.template = template;
        this.dataSource = dataSource;
    }

    // ---- params ------------------------------------------------------------------------------------------------

    /**
     * Inserts params that are new and returns the stored value of every given key, so the caller can detect values
     * that differ from an earlier log. Insert-then-read is race-free: a concurrent insert of the same key is waited for.
     */
    public Map<String, String> insertParams(String runId, Map<String, String> params) {
        List<Map.Entry<String, String>> sorted = new ArrayList<>(new TreeMap<>(params).entrySet());
        template.batchUpdate("INSERT INTO run_params (run_id, key, value) VALUES (?, ?, ?) ON CONFLICT (run_id, key) DO NOTHING",
                sorted, sorted.size(), (ps, e) -> {
                    ps.setString(1, runId);
                    ps.setString(2, e.getKey());
                    ps.setString(3, e.getValue());
                });
        statistics.wrote("run_params", sorted.size());
        Map<String, String> stored = new HashMap<>();
        jdbc.sql("SELECT key, value FROM run_params WHERE run_id = :run AND key = ANY(:keys)")
                .param("run", runId).param("keys", params.keySet().toArray(String[]::new))
                .query(rs -> {
                    stored.put(rs.getString(1), rs.getString(2));
                });
        return stored;
    }

    // ---- tags --------------------------------------------------------------------------------------------------

    public void upsertTags(String runId, Map<String, String> tags) {
        List<Map.Entry<String, String>> sorted = new ArrayList<>(new TreeMap<>(tags).entrySet());
        template.batchUpdate("""
                INSERT INTO run_tags (run_id, key, value) VALUES (?, ?, ?)
                ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value""",
                sorted, sorted.size(), (ps, e) -> {
                    ps.setString(1, runId);
                    ps.setString(2, e.getKey());
                    ps.setString(3, e.getValue());
                });
        statistics.wrote("run_tags", sorted.size());
    }

    public boolean deleteTag(String runId, String key) {
        return jdbc.sql("DELETE FROM run_tags WHERE run_id = :run AND key = :key").param("run", runId).param("key", key)
                .update() > 0;
    }

    // ---- metrics -----------------------------------------------------------------------------------------------

    /** Appends the points to the history and raises the latest value per key where a point is newer. */
    public void appendMetrics(String runId, List<Metric> metrics) {
        if (metrics.isEmpty()) {
            return;
        }
        if (metrics.size() < COPY_THRESHOLD) {
            template.batchUpdate("INSERT INTO metric_history (run_id, key, value, timestamp, step) VALUES (?, ?, ?, ?, ?)",
                    metrics, metrics.size(), (ps, m) -> {
                        ps.setString(1, runId);
                        ps.setString(2, m.key());
                        ps.setDouble(3, m.value());
                        ps.setLong(4, m.timestamp());
                        ps.setLong(5, m.step());
                    });
        } else {
            copyHistory(runId, metrics);
        }
        upsertLatest(runId, metrics);
    }

    private void copyHistory(String runId, List<Metric> metrics) {
        // Keys are validated to letters, digits and "_-. :/", so the text format needs no escaping.
        StringBuilder rows = new StringBuilder(metrics.size() * 64);
        for (Metric m : metrics) {
            rows.append(runId).append('\t').append(m.key()).append('\t').append(m.value()).append('\t')
                    .append(m.timestamp()).append('\t').append(m.step()).append('\n');
        }
        Connection connection = DataSourceUtils.getConnection(dataSource);
        try {
            connection.unwrap(PGConnection.class).getCopyAPI().copyIn(
                    "COPY metric_history (run_id, key, value, timestamp, step) FROM STDIN",
                    new ByteArrayInputStream(rows.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (SQLException | IOException e) {
            throw new org.springframework.dao.DataAccessResourceFailureException("COPY into metric_history failed", e);
        } finally {
            DataSourceUtils.releaseConnection(connection, dataSource);
        }
    }

    private void upsertLatest(String runId, List<Metric> metrics) {
        Comparator<Metric> newest = Comparator.comparingLong(Metric::step).thenComparingLong(Metric::timestamp)
                .thenComparingDouble(Metric::value);
        // One row per key (ON CONFLICT may touch a row once per statement), in key order so that concurrent
        // batches lock rows in the same order and cannot deadlock. Double.compare puts NaN above every number,
        // as PostgreSQL's float order does, so Java and the WHERE clause below agree on which point is newest.
        TreeMap<String, Metric> latest = new TreeMap<>();
        for (Metric m : metrics) {
            latest.merge(m.key(), m, (a, b) -> newest.compare(b, a) >= 0 ? b : a);
        }
        List<Metric> rows = new ArrayList<>(latest.values());
        template.batchUpdate("""
                INSERT INTO latest_metrics (run_id, key, value, timestamp, step) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (run_id, key) DO UPDATE
                   SET value = excluded.value, timestamp = excluded.timestamp, step = excluded.step
                 WHERE (excluded.step, excluded.timestamp, excluded.value)
                     >= (latest_metrics.step, latest_metrics.timestamp, latest_metrics.value)""",
                rows, rows.size(), (ps, m) -> {
                    ps.setString(1, runId);
                    ps.setString(2, m.key());
                    ps.setDouble(3, m.value());
                    ps.setLong(4, m.timestamp());
                    ps.setLong(5, m.step());
                });
        statistics.wrote("latest_metrics", rows.size());
    }

    public List<Metric> history(String runId, String key, int limit, int offset) {
        return jdbc.sql("""
                SELECT key, value, timestamp, step FROM metric_history
                WHERE run_id = :run AND key = :key
                ORDER BY step, timestamp, value
                LIMIT :limit OFFSET :offset""")
                .param("run", runId).param("key", key).param("limit", limit).param("offset", offset)
                .query((rs, i) -> new Metric(rs.getString(1), rs.getDouble(2), rs.getLong(3), rs.getLong(4))).list();
    }

    // ---- datasets ----------------------------------------------------------------------------------------------

    public void addInput(String runId, long experimentId, DatasetInput input) {
        Dataset d = input.dataset();
        Long datasetId = jdbc.sql("""
                INSERT INTO datasets (experiment_id, name, digest, source_type, source, schema, profile)
                VALUES (:experiment, :name, :digest, :sourceType, :source, :schema, :profile)
                ON CONFLICT (experiment_id, name, digest) DO UPDATE SET name = excluded.name
                RETURNING dataset_id""")
                .param("experiment", experimentId).param("name", d.name()).param("digest", d.digest())
                .param("sourceType", d.sourceType()).param("source", d.source()).param("schema", d.schema())
                .param("profile", d.profile())
                .query(Long.class).single();
        List<Map<String, String>> tags = new ArrayList<>();
        input.tags().forEach((k, v) -> tags.add(Map.of("key", k, "value", v)));
        jdbc.sql("""
                INSERT INTO run_inputs (run_id, dataset_id, tags) VALUES (:run, :dataset, CAST(:tags AS jsonb))
                ON CONFLICT (run_id, dataset_id) DO UPDATE SET tags = excluded.tags""")
                .param("run", runId).param("dataset", datasetId).param("tags", json.writeValueAsString(tags)).update();
    }

    // ---- bulk reads for whole runs -----------------------------------------------------------------------------

    /** Everything logged to the given runs, read with one query per kind of data whatever the number of runs. */
    public Map<String, RunData> load(List<String> runIds) {
        Map<String, RunData> data = new HashMap<>();
        for (String id : runIds) {
            data.put(id, new RunData(new ArrayList<>(), new LinkedHashMap<>(), new LinkedHashMap<>(), new ArrayList<>()));
        }
        if (runIds.isEmpty()) {
            return data;
        }
        String[] ids = runIds.toArray(String[]::new);
        jdbc.sql("SELECT run_id, key, value, timestamp, step FROM latest_metrics WHERE run_id = ANY(:ids) ORDER BY key")
                .param("ids", ids)
                .query(rs -> {
                    data.get(rs.getString(1)).metrics().add(
                            new Metric(rs.getString(2), rs.getDouble(3), rs.getLong(4), rs.getLong(5)));
                });
        jdbc.sql("SELECT run_id, key, value FROM run_params WHERE run_id = ANY(:ids) ORDER BY key")
                .param("ids", ids)
                .query(rs -> {
                    data.get(rs.getString(1)).params().put(rs.getString(2), rs.getString(3));
                });
        jdbc.sql("SELECT run_id, key, value FROM run_tags WHERE run_id = ANY(:ids) ORDER BY key")
                .param("ids", ids)
                .query(rs -> {
                    data.get(rs.getString(1)).tags().put(rs.getString(2), rs.getString(3));
                });
        jdbc.sql("""
                SELECT ri.run_id, ri.tags::text, d.name, d.digest, d.source_type, d.source, d.schema, d.profile
                FROM run_inputs ri JOIN datasets d ON d.dataset_id = ri.dataset_id
                WHERE ri.run_id = ANY(:ids) ORDER BY d.dataset_id""")
                .param("ids", ids)
                .query(rs -> {
                    Map<String, String> tags = new LinkedHashMap<>();
                    for (var node : json.readTree(rs.getString(2))) {
                        tags.put(node.get("key").asString(), node.get("value").asString());
                    }
                    data.get(rs.getString(1)).inputs().add(new DatasetInput(tags, new Dataset(rs.getString(3),
                            rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8))));
                });
        return data;
    }

    /**
     * Only the named metric, param and tag values of the given runs (a runs table reads the columns it shows, not
     * everything logged): one query per kind that has a key named, none for a kind with no keys.
     */
    public Map<String, RunData> loadColumns(List<String> runIds, List<String> metricKeys, List<String> paramKeys,
                                            List<String> tagKeys) {
        Map<String, RunData> data = new HashMap<>();
        for (String id : runIds) {
            data.put(id, new RunData(new ArrayList<>(), new LinkedHashMap<>(), new LinkedHashMap<>(), List.of()));
        }
        if (runIds.isEmpty()) {
            return data;
        }
        String[] ids = runIds.toArray(String[]::new);
        if (!metricKeys.isEmpty()) {
            jdbc.sql("SELECT run_id, key, value, timestamp, step FROM latest_metrics "
                            + "WHERE run_id = ANY(:ids) AND key = ANY(:keys)")
                    .param("ids", ids).param("keys", metricKeys.toArray(String[]::new))
                    .query(rs -> {
                        data.get(rs.getString(1)).metrics().add(
                                new Metric(rs.getString(2), rs.getDouble(3), rs.getLong(4), rs.getLong(5)));
                    });
        }
        readKeyValues("run_params", ids, paramKeys, (run, k, v) -> data.get(run).params().put(k, v));
        readKeyValues("run_tags", ids, tagKeys, (run, k, v) -> data.get(run).tags().put(k, v));
        return data;
    }

    private interface KeyValueSink {
        void accept(String runId, String key, String value);
    }

    private void readKeyValues(String table, String[] ids, List<String> keys, KeyValueSink sink) {
        if (keys.isEmpty()) {
            return;
        }
        jdbc.sql("SELECT run_id, key, value FROM " + table + " WHERE run_id = ANY(:ids) AND key = ANY(:keys)")
                .param("ids", ids).param("keys", keys.toArray(String[]::new))
                .query(rs -> {
                    sink.accept(rs.getString(1), rs.getString(2), rs.getString(3));
                });
    }

    /**
     * The metric, param and tag keys logged to the experiment's {@code recentRuns} newest active runs, each list
     * sorted. A sample rather than every run: the keys of 10k runs × 100 metrics are a million index entries, and
     * the runs of one experiment almost always log the same keys.
     */
    public RunKeys keysOfRecentRuns(long experimentId, int recentRuns) {
        String recent = "SELECT run_id FROM runs WHERE experiment_id = :experiment AND lifecycle_stage = 'active' "
                + "ORDER BY start_time DESC LIMIT :recent";
        List<List<String>> keys = new ArrayList<>();
        for (String table : List.of("latest_metrics", "run_params", "run_tags")) {
            keys.add(jdbc.sql("SELECT DISTINCT key FROM " + table + " WHERE run_id IN (" + recent + ") ORDER BY key")
                    .param("experiment", experimentId).param("recent", recentRuns).query(String.class).list());
        }
        return new RunKeys(keys.get(0), keys.get(1), keys.get(2));
    }

    /** Metric, param and tag keys. */
    public record RunKeys(List<String> metrics, List<String> params, List<String> tags) {
    }

    /**
     * One metric's history between two steps (inclusive; null for open), in step order, as parallel primitive arrays:
     * a 100k-point history is read in one pass without an object per point.
     */
    public Series series(String runId, String key, Long fromStep, Long toStep) {
        SeriesBuilder out = new SeriesBuilder();
        jdbc.sql("""
                SELECT step, value, timestamp FROM metric_history
                WHERE run_id = :run AND key = :key
                  AND step >= COALESCE(CAST(:from AS bigint), step) AND step <= COALESCE(CAST(:to AS bigint), step)
                ORDER BY step, timestamp, value""")
                .param("run", runId).param("key", key).param("from", fromStep).param("to", toStep)
                .query(rs -> {
                    out.add(rs.getLong(1), rs.getDouble(2), rs.getLong(3));
                });
        return out.build();
    }

    /** Points of one metric: step, value and timestamp at the same index. */
    public record Series(long[] steps, double[] values, long[] timestamps) {
    }

    private static final class SeriesBuilder {
        private long[] steps = new long[1024];
        private double[] values = new double[1024];
        private long[] timestamps = new long[1024];
        private int size;

        void add(long step, double value, long timestamp) {
            if (size == steps.length) {
                steps = Arrays.copyOf(steps, size * 2);
                values = Arrays.copyOf(values, size * 2);
                timestamps = Arrays.copyOf(timestamps, size * 2);
            }
            steps[size] = step;
            values[size] = value;
            timestamps[size] = timestamp;
            size++;
        }

        Series build() {
            return new Series(Arrays.copyOf(steps, size), Arrays.copyOf(values, size), Arrays.copyOf(timestamps, size));
        }
    }

    /**
     * Runs that logged a dataset of this source type whose source (MLflow's JSON, {@code {"uri": ...}}) names this
     * URI, newest first, at most {@code limit}.
     */
    public List<String> runsWithDatasetUri(String sourceType, String uri, int limit) {
        return jdbc.sql("""
                SELECT ri.run_id FROM run_inputs ri JOIN datasets d ON d.dataset_id = ri.dataset_id
                JOIN runs r ON r.run_id = ri.run_id
                WHERE d.source_type = :type
                  AND (CASE WHEN d.source_type = :type THEN CAST(d.source AS jsonb) ->> 'uri' END) = :uri
                  AND r.lifecycle_stage = 'active'
                GROUP BY ri.run_id, r.start_time ORDER BY r.start_time DESC LIMIT :limit""")
                .param("type", sourceType).param("uri", uri).param("limit", limit).query(String.class).list();
    }

    /** The logged data of one run. */
    public record RunData(List<Metric> metrics, Map<String, String> params, Map<String, String> tags,
                          List<DatasetInput> inputs) {
    }
}
