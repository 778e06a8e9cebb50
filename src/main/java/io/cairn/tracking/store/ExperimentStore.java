package io.cairn.tracking.store;

import io.cairn.platform.error.CairnException;
import io.cairn.tracking.Experiment;
import io.cairn.tracking.ViewType;
import io.cairn.platform.search.Comparison;
import io.cairn.platform.search.SqlComparisons;
import io.cairn.platform.search.OrderBy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Experiments and their tags in PostgreSQL. */
@Repository
public class ExperimentStore {

    private static final String COLUMNS =
            "experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time";

    private final JdbcClient jdbc;

    public ExperimentStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public long nextId() {
        return jdbc.sql("SELECT nextval('experiment_id_seq')").query(Long.class).single();
    }

    public void insert(long id, String name, String artifactLocation, long now) {
        try {
            jdbc.sql("INSERT INTO experiments (" + COLUMNS + ") VALUES (:id, :name, :location, 'active', :now, :now)")
                    .param("id", id).param("name", name).param("location", artifactLocation).param("now", now)
                    .update();
        } catch (DuplicateKeyException e) {
            throw CairnException.alreadyExists("Experiment '" + name + "' already exists.");
        }
    }

    public Optional<Experiment> findById(long id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM experiments WHERE experiment_id = :id").param("id", id)
                .query(this::row).optional().map(this::withTags);
    }

    /** Locks the experiment row for the rest of the transaction. */
    public Optional<Experiment> lockById(long id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM experiments WHERE experiment_id = :id FOR UPDATE").param("id", id)
                .query(this::row).optional().map(this::withTags);
    }

    public Optional<Experiment> findByName(String name) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM experiments WHERE name = :name").param("name", name)
                .query(this::row).optional().map(this::withTags);
    }

    public void rename(long id, String newName, long now) {
        try {
            jdbc.sql("UPDATE experiments SET name = :name, last_update_time = :now WHERE experiment_id = :id")
                    .param("name", newName).param("now", now).param("id", id).update();
        } catch (DuplicateKeyException e) {
            throw CairnException.alreadyExists("Experiment '" + newName + "' already exists.");
        }
    }

    public void setLifecycleStage(long id, String stage, long now) {
        jdbc.sql("UPDATE experiments SET lifecycle_stage = :stage, last_update_time = :now WHERE experiment_id = :id")
                .param("stage", stage).param("now", now).param("id", id).update();
    }

    public void setTag(long id, String key, String value) {
        jdbc.sql("""
                INSERT INTO experiment_tags (experiment_id, key, value) VALUES (:id, :key, :value)
                ON CONFLICT (experiment_id, key) DO UPDATE SET value = excluded.value""")
                .param("id", id).param("key", key).param("value", value).update();
    }

    public boolean deleteTag(long id, String key) {
        return jdbc.sql("DELETE FROM experiment_tags WHERE experiment_id = :id AND key = :key")
                .param("id", id).param("key", key).update() > 0;
    }

    /** One page of experiments matching the clauses; fetches {@code limit + 1} rows so the caller knows if more exist. */
    public List<Experiment> search(List<Comparison> filter, List<OrderBy> orderBy, ViewType view, int limit, int offset) {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM experiments e WHERE e.lifecycle_stage IN (:stages)");
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("stages", view.stages());
        int n = 0;
        for (Comparison c : filter) {
            String p = "p" + n++;
            switch (c.entity()) {
                case ATTRIBUTE -> {
                    String column = switch (c.key().toLowerCase(Locale.ROOT)) {
                        case "name" -> "e.name";
                        case "creation_time" -> "e.creation_time";
                        case "last_update_time" -> "e.last_update_time";
                        case "experiment_id" -> "e.experiment_id::text";
                        default -> throw CairnException.invalid("Invalid attribute key '" + c.key()
                                + "' in experiment filter; valid keys are name, creation_time, last_update_time.");
                    };
                    boolean numericColumn = column.endsWith("_time");
                    sql.append(" AND ").append(SqlComparisons.compare(column, c, p, numericColumn, params));
                }
                case TAG -> {
                    params.put(p + "k", c.key());
                    sql.append(" AND EXISTS (SELECT 1 FROM experiment_tags t WHERE t.experiment_id = e.experiment_id"
                            + " AND t.key = :" + p + "k AND ")
                            .append(SqlComparisons.compare("t.value", c, p, false, params)).append(')');
                }
                default -> throw CairnException.invalid("Invalid entity type '" + c.entity().name().toLowerCase(Locale.ROOT)
                        + "' in experiment filter; use attributes (name, creation_time, last_update_time) or tags.");
            }
        }
        sql.append(" ORDER BY ");
        for (OrderBy o : orderBy) {
            if (o.entity() != Comparison.Entity.ATTRIBUTE) {
                throw CairnException.invalid("Invalid order_by entity '" + o.entity().name().toLowerCase(Locale.ROOT)
                        + "' for experiments; order by name, experiment_id, creation_time or last_update_time.");
            }
            String column = switch (o.key().toLowerCase(Locale.ROOT)) {
                case "name" -> "e.name";
                case "experiment_id" -> "e.experiment_id";
                case "creation_time" -> "e.creation_time";
                case "last_update_time" -> "e.last_update_time";
                default -> throw CairnException.invalid("Invalid order_by key '" + o.key()
                        + "' for experiments; use name, experiment_id, creation_time or last_update_time.");
            };
            sql.append(column).append(o.ascending() ? " ASC, " : " DESC, ");
        }
        sql.append("e.creation_time DESC, e.experiment_id ASC LIMIT :limit OFFSET :offset");
        params.put("limit", limit + 1);
        params.put("offset", offset);
        List<Experiment> rows = jdbc.sql(sql.toString()).params(params).query(this::row).list();
        return withTags(rows);
    }

    private Experiment withTags(Experiment e) {
        return withTags(List.of(e)).get(0);
    }

    private List<Experiment> withTags(List<Experiment> experiments) {
        if (experiments.isEmpty()) {
            return experiments;
        }
        Long[] ids = experiments.stream().map(e -> Long.valueOf(e.experimentId())).toArray(Long[]::new);
        Map<String, Map<String, String>> tags = new LinkedHashMap<>();
        jdbc.sql("SELECT experiment_id, key, value FROM experiment_tags WHERE experiment_id = ANY(:ids) ORDER BY key")
                .param("ids", ids)
                .query(rs -> {
                    tags.computeIfAbsent(rs.getString(1), k -> new LinkedHashMap<>()).put(rs.getString(2), rs.getString(3));
                });
        List<Experiment> out = new ArrayList<>(experiments.size());
        for (Experiment e : experiments) {
            out.add(new Experiment(e.experimentId(), e.name(), e.artifactLocation(), e.lifecycleStage(),
                    e.creationTime(), e.lastUpdateTime(), tags.getOrDefault(e.experimentId(), Map.of())));
        }
        return out;
    }

    private Experiment row(java.sql.ResultSet rs, int i) throws java.sql.SQLException {
        return new Experiment(Long.toString(rs.getLong(1)), rs.getString(2), rs.getString(3), rs.getString(4),
                rs.getLong(5), rs.getLong(6), Map.of());
    }
}
