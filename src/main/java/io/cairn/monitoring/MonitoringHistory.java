package io.cairn.monitoring;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What the evaluation recorded per closed window (drift verdicts per feature) and the events it raised (drift,
 * quality, the canary guard's pull-backs), for views over time such as the dashboard's heat map: reading the stored
 * verdicts costs one query where recomputing drift per window would merge every window's sketches again.
 */
@Service
public class MonitoringHistory {

    /** One feature's verdict in one window; statistics that do not apply are null. */
    public record FeatureVerdict(String name, String kind, Boolean drifted, Double psi, Double ksStatistic,
                                 Double wasserstein, Double jsDistance) {
    }

    /** One evaluated window of one version. */
    public record DriftWindow(Instant start, Instant end, int version, long rows, boolean datasetDrifted,
                              double shareDrifted, List<FeatureVerdict> features) {
    }

    /** An event monitoring raised: its kind (drift, quality, canary_guard), version, window and evidence. */
    public record Event(long id, String kind, Integer version, Instant windowStart, Instant raisedAt,
                        Map<String, Object> detail) {
    }

    private final JdbcTemplate jdbc;
    private final JsonMapper json;

    MonitoringHistory(JdbcTemplate jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    /** The deployment's evaluated drift windows that start in {@code [from, to)}, oldest first, at most 500. */
    public List<DriftWindow> drift(String deployment, Instant from, Instant to) {
        return jdbc.query("""
                SELECT window_start, window_end, version, row_count, dataset_drifted, share_drifted, features::text
                FROM drift_history WHERE deployment = ? AND window_start >= ? AND window_start < ?
                ORDER BY window_start, version LIMIT 500""", (rs, i) -> {
            List<FeatureVerdict> features = new ArrayList<>();
            for (JsonNode f : json.readTree(rs.getString(7))) {
                features.add(new FeatureVerdict(f.path("name").asString(), f.path("kind").asString(null),
                        f.path("drifted").isBoolean() ? f.get("drifted").asBoolean() : null, number(f, "psi"),
                        number(f, "ks_statistic"), number(f, "wasserstein"), number(f, "js_distance")));
            }
            return new DriftWindow(rs.getTimestamp(1).toInstant(), rs.getTimestamp(2).toInstant(), rs.getInt(3),
                    rs.getLong(4), rs.getBoolean(5), rs.getDouble(6), features);
        }, deployment, Timestamp.from(from), Timestamp.from(to));
    }

    /** The deployment's newest events, newest first. */
    @SuppressWarnings("unchecked")
    public List<Event> events(String deployment, int limit) {
        return jdbc.query("""
                SELECT id, kind, version, window_start, raised_at, detail::text FROM monitoring_events
                WHERE deployment = ? ORDER BY raised_at DESC, id DESC LIMIT ?""", (rs, i) -> {
            Timestamp window = rs.getTimestamp(4);
            Map<String, Object> detail = json.readValue(rs.getString(6), LinkedHashMap.class);
            return new Event(rs.getLong(1), rs.getString(2), (Integer) rs.getObject(3),
                    window == null ? null : window.toInstant(), rs.getTimestamp(5).toInstant(), detail);
        }, deployment, limit);
    }

    private static Double number(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || !v.isNumber() ? null : v.asDouble();
    }
}
