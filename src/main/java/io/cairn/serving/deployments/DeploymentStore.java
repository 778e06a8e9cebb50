package io.cairn.serving.deployments;

import io.cairn.serving.CanaryGuard;
import io.cairn.serving.onnx.Device;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Deployments in the deployments table, which every replica reads. */
@Repository
class DeploymentStore {

    private static final String COLUMNS = "name, model, alias, canary_alias, canary_percent, canary_guard::text, device, "
            + "max_batch_size, max_queue_delay_ms, stale_features, revision, created_at, updated_at";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final JdbcClient jdbc;

    DeploymentStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    List<DeploymentSpec> all() {
        return jdbc.sql("SELECT " + COLUMNS + " FROM deployments ORDER BY name").query(DeploymentStore::row).list();
    }

    Optional<DeploymentSpec> find(String name) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM deployments WHERE name = :name").param("name", name)
                .query(DeploymentStore::row).optional();
    }

    /** Locks the row (if any) until the transaction ends, so concurrent PUTs of one name apply one after another. */
    Optional<DeploymentSpec> lock(String name) {
        jdbc.sql("SELECT pg_advisory_xact_lock(hashtext(:key))").param("key", "cairn.serving.deployment:" + name)
                .query().singleRow();
        return find(name);
    }

    void insert(DeploymentSpec d) {
        jdbc.sql("""
                INSERT INTO deployments (name, model, alias, canary_alias, canary_percent, canary_guard, device,
                                         max_batch_size, max_queue_delay_ms, stale_features, revision, created_at,
                                         updated_at)
                VALUES (:name, :model, :alias, :canaryAlias, :canaryPercent, CAST(:guard AS jsonb), :device,
                        :maxBatchSize, :maxQueueDelayMs, :stale, :revision, :created, :updated)""")
                .params(params(d)).update();
    }

    void update(DeploymentSpec d) {
        jdbc.sql("""
                UPDATE deployments SET model = :model, alias = :alias, canary_alias = :canaryAlias,
                       canary_percent = :canaryPercent, canary_guard = CAST(:guard AS jsonb), device = :device,
                       max_batch_size = :maxBatchSize,
                       max_queue_delay_ms = :maxQueueDelayMs, stale_features = :stale, revision = :revision,
                       updated_at = :updated
                 WHERE name = :name""")
                .params(params(d)).update();
    }

    boolean delete(String name) {
        return jdbc.sql("DELETE FROM deployments WHERE name = :name").param("name", name).update() > 0;
    }

    private static java.util.Map<String, Object> params(DeploymentSpec d) {
        java.util.Map<String, Object> p = new java.util.HashMap<>();
        p.put("name", d.name());
        p.put("model", d.model());
        p.put("alias", d.alias());
        p.put("canaryAlias", d.canaryAlias());
        p.put("canaryPercent", d.canaryPercent());
        p.put("guard", d.canaryGuard() == null ? null : JSON.writeValueAsString(Map.of("metric",
                d.canaryGuard().metric(), "max_degradation", d.canaryGuard().maxDegradation(), "min_samples",
                d.canaryGuard().minSamples())));
        p.put("device", d.device().value());
        p.put("maxBatchSize", d.maxBatchSize());
        p.put("maxQueueDelayMs", d.maxQueueDelayMs());
        p.put("stale", d.acceptStaleFeatures() ? "accept" : "reject");
        p.put("revision", d.revision());
        p.put("created", Timestamp.from(d.createdAt()));
        p.put("updated", Timestamp.from(d.updatedAt()));
        return p;
    }

    private static DeploymentSpec row(ResultSet rs, int n) throws SQLException {
        String guardJson = rs.getString("canary_guard");
        CanaryGuard guard = null;
        if (guardJson != null) {
            JsonNode g = JSON.readTree(guardJson);
            guard = new CanaryGuard(g.get("metric").asString(), g.get("max_degradation").asDouble(),
                    g.get("min_samples").asInt());
        }
        return new DeploymentSpec(rs.getString("name"), rs.getString("model"), rs.getString("alias"),
                rs.getString("canary_alias"), rs.getInt("canary_percent"), guard, Device.parse(rs.getString("device")),
                rs.getInt("max_batch_size"), rs.getInt("max_queue_delay_ms"),
                "accept".equals(rs.getString("stale_features")), rs.getLong("revision"),
                rs.getTimestamp("created_at").toInstant(), rs.getTimestamp("updated_at").toInstant());
    }
}
