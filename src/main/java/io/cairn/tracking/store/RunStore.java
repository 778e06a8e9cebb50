package io.cairn.tracking.store;

import io.cairn.platform.error.CairnException;
import io.cairn.tracking.RunInfo;
import io.cairn.tracking.ViewType;
import io.cairn.platform.db.TableStatistics;
import io.cairn.platform.search.Comparison;
import io.cairn.platform.search.SqlComparisons;
import io.cairn.platform.search.OrderBy;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Runs' own attributes, and run search translated from MLflow's grammar to one SQL query. */
@Repository
public class RunStore {

    private static final String COLUMNS = "r.run_id, r.experiment_id, r.run_name, r.user_id, r.status, r.start_time, "
            + "r.end_time, r.artifact_uri, r.lifecycle_stage";

    private final JdbcClient jdbc;
    private final TableStatistics statistics;

    public RunStore(JdbcClient jdbc, TableStatistics statistics) {
        this.jdbc = jdbc;
        this.statistics = statistics;
    }

    public void insert(RunInfo run) {
        jdbc.sql("""
                INSERT INTO runs (run_id, experiment_id, run_name, user_id, status, start_time, end_time, artifact_uri,
                                  lifecycle_stage)
                VALUES (:id, :experiment, :name, :user, :status, :start, :end, :uri, 'active')""")
                .param("id", run.runId()).param("experiment", Long.parseLong(run.experimentId()))
                .param("name", run.runName()).param("user", run.userId()).param("status", run.status())
                .param("start", run.startTime()).param("end", run.endTime()).param("uri", run.artifactUri())
                .update();
        statistics.wrote("runs", 1);
    }

    public Optional<RunInfo> find(String runId) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM runs r WHERE r.run_id = :id").param("id", runId)
                .query(RunStore::row).optional();
    }

    /** Reads the run and takes a share lock on it, so a concurrent delete waits for this transaction. */
    public Optional<RunInfo> findForWrite(String runId) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM runs r WHERE r.run_id = :id FOR SHARE").param("id", runId)
                .query(RunStore::row).optional();
    }

    public void update(String runId, String status, Long endTime, String runName) {
        jdbc.sql("""
                UPDATE runs SET status = COALESCE(:status, status), end_time = COALESCE(:end, end_time),
                                run_name = COALESCE(:name, run_name)
                WHERE run_id = :id""")
                .param("status", status).param("end", endTime).param("name", runName).param("id", runId).update();
    }

    public void setLifecycleStage(String runId, String stage, Long deletedTime) {
        jdbc.sql("UPDATE runs SET lifecycle_stage = :stage, deleted_time = :deleted WHERE run_id = :id")
                .param("stage", stage).param("deleted", deletedTime).param("id", runId).update();
    }

    public void setLifecycleStageOfExperiment(long experimentId, String stage, Long deletedTime) {
        jdbc.sql("UPDATE runs SET lifecycle_stage = :stage, deleted_time = :deleted WHERE experiment_id = :id")
                .param("stage", stage).param("deleted", deletedTime).param("id", experimentId).update();
    }

    /**
     * Ids of one page of runs; fetches {@code limit + 1} so the caller knows whether another page exists.
     * Filters become EXISTS sub-queries and each order_by key one LEFT JOIN, so the page costs one query.
     */
    public List<String> search(List<Long> experimentIds, List<Comparison> filter, List<OrderBy> orderBy,
                               ViewType view, int limit, int offset) {
        Map<String, Object> params = new LinkedHashMap<>();
        StringBuilder joins = new StringBuilder();
        StringBuilder order = new StringBuilder();
        boolean orderedByStartTime = false;
        int j = 0;
        for (OrderBy o : orderBy) {
            String dir = o.ascending() ? " ASC" : " DESC";
            String alias = "o" + j++;
            switch (o.entity()) {
                case METRIC -> {
                    joins.append(" LEFT JOIN latest_metrics ").append(alias).append(" ON ").append(alias)
                            .append(".run_id = r.run_id AND ").append(alias).append(".key = :").append(alias);
                    params.put(alias, o.key());
                    // MLflow's placement whatever the direction: real values, then NaN, then runs without the metric.
                    order.append("CASE WHEN ").append(alias).append(".value IS NULL THEN 2 WHEN ").append(alias)
                            .append(".value = 'NaN'::float8 THEN 1 ELSE 0 END, ").append(alias).append(".value")
                            .append(dir).append(", ");
                }
                case PARAM, TAG -> {
                    String table = o.entity() == Comparison.Entity.PARAM ? "run_params" : "run_tags";
                    joins.append(" LEFT JOIN ").append(table).append(' ').append(alias).append(" ON ").append(alias)
                            .append(".run_id = r.run_id AND ").append(alias).append(".key = :").append(alias);
                    params.put(alias, o.key());
                    order.append(alias).append(".value").append(dir).append(" NULLS LAST, ");
                }
                case ATTRIBUTE -> {
                    String column = attributeColumn(o.key(), true);
                    orderedByStartTime |= column.equals("r.start_time");
                    order.append(column).append(dir).append(" NULLS LAST, ");
                }
                case DATASET -> throw CairnException.invalid("Invalid order_by clause: datasets cannot be ordered by; "
                        + "order by metrics.<key>, params.<key>, tags.<key> or attributes.<name>.");
            }
        }
        if (!orderedByStartTime) {
            order.append("r.start_time DESC NULLS LAST, ");
        }
        order.append("r.run_id ASC");

        // The experiments as one array: a request may name more than PostgreSQL's 65,535 bind parameters.
        StringBuilder where = new StringBuilder(" WHERE r.experiment_id = ANY(CAST(:experiments AS bigint[]))"
                + " AND r.lifecycle_stage IN (:stages)");
        params.put("experiments", experimentIds.toArray(Long[]::new));
        params.put("stages", view.stages());
        int n = 0;
        for (Comparison c : filter) {
            String p = "f" + n++;
            where.append(" AND ").append(predicate(c, p, params));
        }
        params.put("limit", limit + 1);
        params.put("offset", offset);
        String sql = "SELECT r.run_id FROM runs r" + joins + where + " ORDER BY " + order + " LIMIT :limit OFFSET :offset";
        return jdbc.sql(sql).params(params).query(String.class).list();
    }

    private static String predicate(Comparison c, String p, Map<String, Object> params) {
        return switch (c.entity()) {
            case METRIC -> {
                params.put(p + "k", c.key());
                yield "EXISTS (SELECT 1 FROM latest_metrics m WHERE m.run_id = r.run_id AND m.key = :" + p + "k AND "
                        + SqlComparisons.compare("m.value", c, p, true, params) + ")";
            }
            case PARAM, TAG -> {
                requireNoList(c);
                String table = c.entity() == Comparison.Entity.PARAM ? "run_params" : "run_tags";
                params.put(p + "k", c.key());
                yield "EXISTS (SELECT 1 FROM " + table + " x WHERE x.run_id = r.run_id AND x.key = :" + p + "k AND "
                        + SqlComparisons.compare("x.value", c, p, false, params) + ")";
            }
            case ATTRIBUTE -> {
                String column = attributeColumn(c.key(), false);
                boolean numeric = column.equals("r.start_time") || column.equals("r.end_time");
                if ((c.comparator().endsWith("IN")) && !column.equals("r.run_id")) {
                    throw CairnException.invalid("Only the 'run_id' attribute supports comparison with a list of "
                            + "quoted string values.");
                }
                yield SqlComparisons.compare(column, c, p, numeric, params);
            }
            case DATASET -> {
                String column = switch (c.key().toLowerCase(Locale.ROOT)) {
                    case "name" -> "d.name";
                    case "digest" -> "d.digest";
                    case "context" -> "(SELECT t->>'value' FROM jsonb_array_elements(ri.tags) t "
                            + "WHERE t->>'key' = 'mlflow.data.context' LIMIT 1)";
                    default -> throw CairnException.invalid("Invalid dataset key '" + c.key()
                            + "'; valid keys are name, digest, context.");
                };
                yield "EXISTS (SELECT 1 FROM run_inputs ri JOIN datasets d ON d.dataset_id = ri.dataset_id "
                        + "WHERE ri.run_id = r.run_id AND " + SqlComparisons.compare(column, c, p, false, params) + ")";
            }
        };
    }

    private static void requireNoList(Comparison c) {
        if (c.comparator().endsWith("IN")) {
            throw CairnException.invalid("Invalid comparator '" + c.comparator() + "' for "
                    + c.entity().name().toLowerCase(Locale.ROOT) + " '" + c.key() + "'; use one of =, !=, LIKE, ILIKE.");
        }
    }

    private static String attributeColumn(String name, boolean forOrder) {
        return switch (name) {
            case "run_id", "run_uuid" -> "r.run_id";
            case "run_name", "run name", "Run name", "Run Name" -> "r.run_name";
            case "user_id" -> "r.user_id";
            case "status" -> "r.status";
            case "artifact_uri" -> "r.artifact_uri";
            case "start_time", "created", "Created" -> "r.start_time";
            case "end_time" -> "r.end_time";
            case "lifecycle_stage" -> "r.lifecycle_stage";
            default -> throw CairnException.invalid("Invalid attribute key '" + name + "'" + (forOrder ? " in order_by" : "")
                    + "; valid attributes are run_id, run_name, user_id, status, artifact_uri, start_time, end_time.");
        };
    }

    public List<RunInfo> findAll(List<String> runIds) {
        if (runIds.isEmpty()) {
            return List.of();
        }
        Map<String, RunInfo> byId = new LinkedHashMap<>();
        jdbc.sql("SELECT " + COLUMNS + " FROM runs r WHERE r.run_id = ANY(:ids)")
                .param("ids", runIds.toArray(String[]::new))
                .query(RunStore::row).list().forEach(r -> byId.put(r.runId(), r));
        List<RunInfo> ordered = new ArrayList<>(runIds.size());
        for (String id : runIds) {
            RunInfo info = byId.get(id);
            if (info != null) {
                ordered.add(info);
            }
        }
        return ordered;
    }

    private static RunInfo row(ResultSet rs, int i) throws SQLException {
        return new RunInfo(rs.getString(1), Long.toString(rs.getLong(2)), rs.getString(3), rs.getString(4),
                rs.getString(5), (Long) rs.getObject(6), (Long) rs.getObject(7), rs.getString(8), rs.getString(9));
    }

    /** Active runs per experiment, for the given experiments (those with none are absent). */
    public Map<Long, Long> countActive(List<Long> experimentIds) {
        Map<Long, Long> counts = new LinkedHashMap<>();
        if (experimentIds.isEmpty()) {
            return counts;
        }
        jdbc.sql("SELECT experiment_id, count(*) FROM runs WHERE experiment_id = ANY(CAST(:ids AS bigint[])) "
                        + "AND lifecycle_stage = 'active' GROUP BY experiment_id")
                .param("ids", experimentIds.toArray(Long[]::new))
                .query(rs -> {
                    counts.put(rs.getLong(1), rs.getLong(2));
                });
        return counts;
    }
}
