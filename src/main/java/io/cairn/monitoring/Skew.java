package io.cairn.monitoring;

import io.cairn.platform.error.CairnException;
import io.cairn.serving.DeploymentCatalog;
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
 * Training-serving skew of a deployment ({@code GET .../skew}): per feature, over the sampled predictions by entity
 * key in the range that the skew job has recomputed offline ({@link SkewCheck}), how many values were compared, how
 * many differed, the largest absolute difference and up to {@value #EXAMPLES} examples. A served value differs from its
 * offline value when the offline store has none at the prediction's time, or when they differ by more than
 * {@value #TOLERANCE} relative to the offline value (at least 1): features are served as FP32 or FP64 model inputs, and
 * FP32 rounding alone is about 6e-8.
 */
@Service
public class Skew {

    static final int EXAMPLES = 5;
    static final double TOLERANCE = 1e-6;

    /** A served value next to what the offline store had at the prediction's time (null: nothing). */
    public record Example(JsonNode entity_key, Instant predicted_at, double served, Double offline) {
    }

    /** One feature's comparison. */
    public record FeatureSkew(String name, long compared, long mismatches, double mismatch_rate,
                              Double max_abs_difference, List<Example> examples) {
    }

    /** The answer: {@code pending} sampled predictions in the range are not recomputed yet. */
    public record Report(String deployment, Instant from, Instant to, long sampled, long pending,
                         List<FeatureSkew> features) {
    }

    private final JdbcTemplate jdbc;
    private final DeploymentCatalog deployments;
    private final JsonMapper json = JsonMapper.builder().build();

    Skew(JdbcTemplate jdbc, DeploymentCatalog deployments) {
        this.jdbc = jdbc;
        this.deployments = deployments;
    }

    public Report report(String deployment, Instant from, Instant to) {
        if (!deployments.exists(deployment)) {
            throw CairnException.notFound("Deployment '" + deployment + "' does not exist.");
        }
        if (!from.isBefore(to)) {
            throw CairnException.invalid("'from' (" + from + ") must be before 'to' (" + to + ").");
        }
        Timestamp f = Timestamp.from(from);
        Timestamp t = Timestamp.from(to);
        long[] counts = jdbc.queryForObject("""
                SELECT count(*), count(*) FILTER (WHERE checked_at IS NULL) FROM skew_samples
                WHERE deployment = ? AND predicted_at >= ? AND predicted_at < ?""",
                (rs, i) -> new long[] {rs.getLong(1), rs.getLong(2)}, deployment, f, t);
        String mismatch = "(offline IS NULL OR abs(served - offline) > " + TOLERANCE + " * greatest(1, abs(offline)))";
        Map<String, FeatureSkew> features = new LinkedHashMap<>();
        jdbc.query("""
                SELECT feature, count(*), count(*) FILTER (WHERE %s), max(abs(served - offline))
                FROM skew_results WHERE deployment = ? AND predicted_at >= ? AND predicted_at < ?
                GROUP BY feature ORDER BY feature""".formatted(mismatch), rs -> {
            long compared = rs.getLong(2);
            long mismatches = rs.getLong(3);
            double max = rs.getDouble(4);
            Double maxOrNull = rs.wasNull() ? null : max;
            features.put(rs.getString(1), new FeatureSkew(rs.getString(1), compared, mismatches,
                    compared == 0 ? 0 : mismatches / (double) compared, maxOrNull, new ArrayList<>()));
        }, deployment, f, t);
        jdbc.query("""
                SELECT feature, entity_key::text, predicted_at, served, offline FROM (
                    SELECT *, row_number() OVER (PARTITION BY feature ORDER BY abs(served - offline) DESC NULLS FIRST,
                                                 predicted_at) AS n
                    FROM skew_results WHERE deployment = ? AND predicted_at >= ? AND predicted_at < ? AND %s) r
                WHERE n <= ? ORDER BY feature, n""".formatted(mismatch), rs -> {
            double offline = rs.getDouble(5);
            Double offlineOrNull = rs.wasNull() ? null : offline;
            features.get(rs.getString(1)).examples().add(new Example(json.readTree(rs.getString(2)),
                    rs.getTimestamp(3).toInstant(), rs.getDouble(4), offlineOrNull));
        }, deployment, f, t, EXAMPLES);
        return new Report(deployment, from, to, counts[0], counts[1], List.copyOf(features.values()));
    }
}
