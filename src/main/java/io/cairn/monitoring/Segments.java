package io.cairn.monitoring;

import io.cairn.platform.error.CairnException;
import io.cairn.registry.MonitoringTags;
import io.cairn.serving.RequestTags;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * What a quality figure can be split by: a request tag (a scalar of the request's V2 {@code parameters}), or a
 * feature of the model's 2-D input, named as in the version's {@code cairn.features} tag ({@code view:feature}, or
 * the feature's name alone when that is unambiguous). A feature with at most {@value #MAX_CATEGORIES} distinct
 * integer values is categorical (one segment per value); any other is cut into 10 quantile bins, with edges from the
 * version's training set ({@link ReferenceSets}) when its lineage records one, else from the live rows in the range.
 * {@code tag:region} and {@code feature:conv_rate} say which is meant; a bare name is a feature when the deployment's
 * versions have one of that name, else a request tag.
 */
@Component
class Segments {

    static final int MAX_CATEGORIES = 20;
    static final int BINS = 10;

    /** A way of splitting rows: SQL for the segment of a row, its bound arguments, and how to show its values. */
    record Segment(String name, String kind, String template, List<Object> arguments, List<String> bins,
                   Function<String, String> labeller, Comparator<String> order) {

        /** The segment's SQL expression for the row at {@code rowIndex} of prediction {@code p}. */
        String sql(String rowIndex) {
            return template.replace("{row}", rowIndex);
        }

        String label(String raw) {
            return raw == null ? null : labeller.apply(raw);
        }
    }

    static final Segment NONE = new Segment(null, null, "CAST(NULL AS text)", List.of(), null, s -> s,
            Comparator.naturalOrder());

    private final JdbcTemplate jdbc;
    private final MonitoredVersions versions;
    private final ReferenceSets references;

    Segments(JdbcTemplate jdbc, MonitoredVersions versions, ReferenceSets references) {
        this.jdbc = jdbc;
        this.versions = versions;
        this.references = references;
    }

    /** The segment a {@code segment=} parameter names, for the versions of a deployment's rows in a range. */
    Segment resolve(String requested, String deployment, String model, Instant from, Instant to, Integer version) {
        String name = requested.strip();
        if (name.startsWith("tag:")) {
            return tag(name.substring(4));
        }
        boolean featureNamed = name.startsWith("feature:");
        String feature = featureNamed ? name.substring(8) : name;
        List<Integer> inRange = jdbc.queryForList("""
                SELECT DISTINCT version FROM monitored_predictions
                WHERE deployment = ? AND predicted_at >= ? AND predicted_at < ?""" + (version == null ? ""
                : " AND version = " + version.intValue()), Integer.class, deployment, Timestamp.from(from),
                Timestamp.from(to));
        Map<Integer, Integer> columns = new LinkedHashMap<>();
        String ref = null;
        for (int v : inRange) {
            List<String> refs = versions.of(model, v).features();
            int column = column(refs, feature, v);
            if (column >= 0) {
                columns.put(v, column);
                ref = refs.get(column);
            }
        }
        if (columns.isEmpty()) {
            if (featureNamed) {
                throw CairnException.invalid("No version of deployment '" + deployment + "' with predictions in the "
                        + "range lists a feature '" + feature + "' in its " + MonitoringTags.FEATURES + " tag.");
            }
            return tag(name);
        }
        return feature(name, ref, columns, deployment, model, from, to);
    }

    private static int column(List<String> refs, String feature, int version) {
        int exact = refs.indexOf(feature);
        if (exact >= 0) {
            return exact;
        }
        int found = -1;
        for (int i = 0; i < refs.size(); i++) {
            String r = refs.get(i);
            if (r.substring(r.indexOf(':') + 1).equals(feature)) {
                if (found >= 0) {
                    throw CairnException.invalid("Feature '" + feature + "' is ambiguous in version " + version
                            + ": it is both " + refs.get(found) + " and " + r + "; name it as view:feature.");
                }
                found = i;
            }
        }
        return found;
    }

    private static Segment tag(String tag) {
        if (tag.isEmpty() || tag.length() > RequestTags.MAX_NAME_LENGTH) {
            throw CairnException.invalid("'segment' must name a request tag or a feature (1 to "
                    + RequestTags.MAX_NAME_LENGTH + " characters).");
        }
        return new Segment(tag, "request_tag", "(p.tags ->> ?)", List.of(tag), null, s -> s,
                Comparator.naturalOrder());
    }

    private Segment feature(String name, String ref, Map<Integer, Integer> columns, String deployment, String model,
                            Instant from, Instant to) {
        StringBuilder index = new StringBuilder("CASE p.version");
        List<Object> indexArgs = new ArrayList<>();
        columns.forEach((v, c) -> {
            index.append(" WHEN ? THEN ?");
            indexArgs.add(v);
            indexArgs.add(c);
        });
        index.append(" END");
        // NULL unless the row was logged with enough columns: a prediction of another input layout has no segment.
        String value = "(CASE WHEN p.feature_count > " + index + " THEN CAST(p.features[{row} * p.feature_count + "
                + index + " + 1] AS float8) END)";
        List<Object> valueArgs = new ArrayList<>(indexArgs);
        valueArgs.addAll(indexArgs);

        int champion = columns.keySet().stream().max(Integer::compare).orElseThrow();
        Optional<ReferenceSets.Bins> fromTraining = references.bins(model, champion, ref);
        ReferenceSets.Bins bins = fromTraining.orElseGet(() -> liveBins(value, valueArgs, deployment, from, to));
        if (bins.categorical()) {
            return new Segment(name, "feature", "CAST(" + value + " AS text)", valueArgs, null,
                    Segments::integerText, Comparator.comparingDouble(Double::parseDouble));
        }
        List<String> labels = binLabels(bins.edges());
        List<Object> args = new ArrayList<>(valueArgs);
        args.add(bins.edges().stream().mapToDouble(Double::doubleValue).boxed().toArray(Double[]::new));
        return new Segment(name, fromTraining.isPresent() ? "feature_bins_training_set" : "feature_bins_live",
                "CAST(width_bucket(" + value + ", CAST(? AS float8[])) AS text)", args, labels,
                raw -> labels.get(Integer.parseInt(raw)), Comparator.comparingInt(labels::indexOf));
    }

    /** Decile edges (or the categories) of the feature's live values in the range, when there is no training set. */
    private ReferenceSets.Bins liveBins(String value, List<Object> valueArgs, String deployment, Instant from,
                                        Instant to) {
        List<Object> args = new ArrayList<>(valueArgs);
        args.addAll(List.of(deployment, Timestamp.from(from), Timestamp.from(to)));
        return jdbc.queryForObject("""
                SELECT count(DISTINCT v), coalesce(bool_and(v = trunc(v)), true),
                       percentile_cont(ARRAY[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]) WITHIN GROUP (ORDER BY v)
                FROM (SELECT %s AS v FROM monitored_predictions p
                      CROSS JOIN LATERAL generate_series(0, p.row_count - 1) AS r(ri)
                      WHERE p.deployment = ? AND p.predicted_at >= ? AND p.predicted_at < ?) AS live
                WHERE v IS NOT NULL""".formatted(value.replace("{row}", "r.ri")), (rs, i) -> {
            long distinct = rs.getLong(1);
            boolean integral = rs.getBoolean(2);
            java.sql.Array edges = rs.getArray(3);
            if (distinct <= MAX_CATEGORIES && integral || edges == null) {
                return ReferenceSets.Bins.CATEGORICAL;
            }
            List<Double> cut = new ArrayList<>();
            for (Double e : (Double[]) edges.getArray()) {
                if (cut.isEmpty() || e > cut.get(cut.size() - 1)) {
                    cut.add(e);
                }
            }
            return new ReferenceSets.Bins(false, cut);
        }, args.toArray());
    }

    /** Labels of the bins {@code width_bucket} numbers 0 to edges.size(): [-inf, e1), [e1, e2), ..., [ek, inf). */
    static List<String> binLabels(List<Double> edges) {
        List<String> labels = new ArrayList<>(edges.size() + 1);
        String low = "-inf";
        for (Double e : edges) {
            String high = LabelText.of(e);
            labels.add("[" + low + ", " + high + ")");
            low = high;
        }
        labels.add("[" + low + ", inf)");
        return labels;
    }

    private static String integerText(String raw) {
        return LabelText.of(Double.parseDouble(raw));
    }
}
