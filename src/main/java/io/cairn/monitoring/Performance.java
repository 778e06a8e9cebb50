package io.cairn.monitoring;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.cairn.monitoring.QualityMetrics.Estimate;
import io.cairn.platform.error.CairnException;
import io.cairn.registry.MonitoringTags.Task;
import io.cairn.serving.DeploymentCatalog;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;

/**
 * Live quality: for each window × segment × model version of a deployment, how many prediction rows there were, how
 * many are labelled, and the version's task's metrics on the labelled ones ({@link QualityMetrics}), computed from
 * monitoring's own tables ({@code monitored_predictions} joined with {@code ground_truth}) at the time of asking, so
 * a late label counts as soon as it is stored.
 */
@Service
public class Performance {

    /** The most window × segment × version groups one answer holds. */
    static final int MAX_GROUPS = 5000;
    /** The most windows one answer spans. */
    static final int MAX_WINDOWS = 2000;
    /** The most labelled rows one answer reads: they are held in memory while the metrics are computed. */
    static final int MAX_LABELLED_ROWS = 2_000_000;
    static final Duration MIN_WINDOW = Duration.ofMinutes(1);

    /** What to compute. {@code version} null: every version. {@code segment} null: no segments. */
    public record Query(String deployment, Instant from, Instant to, Duration window, Segments.Segment segment,
                        Integer version) {
    }

    /** One window × segment × version. {@code scored}: the labelled rows the metrics are computed on. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Window(Instant start, Instant end, String segment, String version, String alias, String role,
                         long count, long labelled, long scored, String task, Map<String, Estimate> metrics) {
    }

    /** The answer. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Report(String deployment, Instant from, Instant to, String window, String segment,
                         String segment_kind, List<String> segment_bins, List<Window> windows) {
    }

    private record GroupKey(Instant start, int version, String alias, String segment) {
    }

    /** The labelled rows of one group, as read. */
    private static final class Labelled {
        final Map<String, Integer> tasks = new HashMap<>();
        final List<Object[]> rows = new ArrayList<>();
    }

    private final JdbcTemplate jdbc;
    private final DeploymentCatalog deployments;
    private final MonitoringProperties properties;
    private final Segments segments;

    Performance(JdbcTemplate jdbc, DeploymentCatalog deployments, MonitoringProperties properties,
                Segments segments) {
        this.jdbc = jdbc;
        this.deployments = deployments;
        this.properties = properties;
        this.segments = segments;
    }

    /**
     * The report for a {@code segment=} parameter as the API takes it ({@code tag:<name>}, {@code feature:<name>},
     * ...; null or blank for none), resolved against the deployment's versions in the range.
     */
    public Report report(String deployment, Instant from, Instant to, Duration window, String segment,
                         Integer version) {
        DeploymentCatalog.Routing routing = deployments.routing(deployment).orElseThrow(() ->
                CairnException.notFound("Deployment '" + deployment + "' does not exist."));
        Segments.Segment s = segment == null || segment.isBlank() ? null
                : segments.resolve(segment, deployment, routing.model(), from, to, version);
        return report(new Query(deployment, from, to, window, s, version));
    }

    public Report report(Query q) {
        DeploymentCatalog.Routing routing = deployments.routing(q.deployment()).orElseThrow(() ->
                CairnException.notFound("Deployment '" + q.deployment() + "' does not exist."));
        check(q);
        Segments.Segment segment = q.segment() == null ? Segments.NONE : q.segment();
        String interval = q.window().toSeconds() + " seconds";
        List<Object> args = new ArrayList<>(List.of(interval, Timestamp.from(q.from())));
        args.addAll(segment.arguments());
        args.addAll(List.of(q.deployment(), Timestamp.from(q.from()), Timestamp.from(q.to())));
        if (q.version() != null) {
            args.add(q.version());
        }
        String versionFilter = q.version() == null ? "" : " AND p.version = ?";

        Map<GroupKey, long[]> counts = new LinkedHashMap<>();
        jdbc.query("""
                SELECT date_bin(CAST(? AS interval), p.predicted_at, ?) AS window_start, p.version, p.alias,
                       %s AS segment, count(*) AS row_count, count(g.row_index) AS labelled
                FROM monitored_predictions p
                CROSS JOIN LATERAL generate_series(0, p.row_count - 1) AS r(ri)
                LEFT JOIN ground_truth g ON g.prediction_id = p.prediction_id AND g.row_index = r.ri
                WHERE p.deployment = ? AND p.predicted_at >= ? AND p.predicted_at < ?%s
                GROUP BY 1, 2, 3, 4""".formatted(segment.sql("r.ri"), versionFilter), rs -> {
            if (counts.size() == MAX_GROUPS) {
                throw CairnException.invalid("The answer would hold more than " + MAX_GROUPS + " window × segment "
                        + "× version groups; ask for a shorter range, a longer window, one version or a segment "
                        + "with fewer values.");
            }
            counts.put(new GroupKey(rs.getTimestamp(1).toInstant(), rs.getInt(2), rs.getString(3),
                    segment.label(rs.getString(4))), new long[] {rs.getLong(5), rs.getLong(6)});
        }, args.toArray());

        Map<GroupKey, Labelled> labelled = new HashMap<>();
        int[] read = {0};
        jdbc.query("""
                SELECT date_bin(CAST(? AS interval), p.predicted_at, ?) AS window_start, p.version, p.alias,
                       %s AS segment, p.task, p.scores[g.row_index + 1], p.predicted[g.row_index + 1], g.value_text,
                       g.value_number
                FROM monitored_predictions p
                JOIN ground_truth g ON g.prediction_id = p.prediction_id
                WHERE p.deployment = ? AND p.predicted_at >= ? AND p.predicted_at < ?%s
                  AND g.row_index < p.row_count""".formatted(segment.sql("g.row_index"), versionFilter), rs -> {
            if (++read[0] > MAX_LABELLED_ROWS) {
                throw CairnException.invalid("The range holds more than " + MAX_LABELLED_ROWS + " labelled rows; ask "
                        + "for a shorter range or one version.");
            }
            GroupKey key = new GroupKey(rs.getTimestamp(1).toInstant(), rs.getInt(2), rs.getString(3),
                    segment.label(rs.getString(4)));
            String task = rs.getString(5);
            if (task == null) {
                return; // logged while the version named no task: counted as labelled, not scored
            }
            Labelled group = labelled.computeIfAbsent(key, k -> new Labelled());
            group.tasks.merge(task, 1, Integer::sum);
            double score = rs.getDouble(6);
            Double scoreOrNull = rs.wasNull() || Double.isNaN(score) ? null : score; // NaN: the row had no score
            double number = rs.getDouble(9);
            Double numberOrNull = rs.wasNull() ? null : number;
            group.rows.add(new Object[] {task, scoreOrNull, rs.getString(7), rs.getString(8), numberOrNull});
        }, args.toArray());

        List<Window> windows = new ArrayList<>(counts.size());
        counts.forEach((key, c) -> {
            Labelled group = labelled.get(key);
            Scored scored = group == null ? Scored.NONE : score(group, properties.bootstrapResamples());
            String role = key.alias().equals(routing.alias()) ? "champion"
                    : key.alias().equals(routing.canaryAlias()) ? "canary" : null;
            windows.add(new Window(key.start(), key.start().plus(q.window()), key.segment(),
                    Integer.toString(key.version()), key.alias(), role, c[0], c[1], scored.rows(),
                    scored.task() == null ? null : scored.task().tagValue(), scored.metrics()));
        });
        windows.sort(Comparator.comparing(Window::start)
                .thenComparing(Window::segment, Comparator.nullsFirst(segment.order()))
                .thenComparing(w -> w.role() == null ? 2 : w.role().equals("champion") ? 0 : 1)
                .thenComparing(w -> Integer.parseInt(w.version())));
        return new Report(q.deployment(), q.from(), q.to(), format(q.window()), segment.name(), segment.kind(),
                segment.bins(), windows);
    }

    private static void check(Query q) {
        if (!q.from().isBefore(q.to())) {
            throw CairnException.invalid("'from' (" + q.from() + ") must be before 'to' (" + q.to() + ").");
        }
        if (q.window().compareTo(MIN_WINDOW) < 0) {
            throw CairnException.invalid("'window' must be at least 1m (one minute).");
        }
        long windows = Duration.between(q.from(), q.to()).dividedBy(q.window()) + 1;
        if (windows > MAX_WINDOWS) {
            throw CairnException.invalid("From " + q.from() + " to " + q.to() + " in windows of " + format(q.window())
                    + " is " + windows + " windows; one answer holds at most " + MAX_WINDOWS + ".");
        }
    }

    static String format(Duration d) {
        return d.toString().substring(2).toLowerCase(Locale.ROOT);
    }

    /** The metrics of one group's labelled rows. */
    record Scored(Task task, long rows, Map<String, Estimate> metrics) {
        static final Scored NONE = new Scored(null, 0, null);
    }

    /** Computes a group's metrics by the task most of its rows were logged under (normally the only one). */
    private static Scored score(Labelled group, int resamples) {
        String taskText = group.tasks.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        Task task = Task.valueOf(taskText.toUpperCase(Locale.ROOT));
        List<Object[]> rows = group.rows.stream().filter(r -> r[0].equals(taskText)).toList();
        return switch (task) {
            case BINARY_CLASSIFICATION -> binary(rows, resamples);
            case MULTICLASS_CLASSIFICATION -> multiclass(rows, resamples);
            case REGRESSION -> regression(rows, resamples);
        };
    }

    private static Scored binary(List<Object[]> rows, int resamples) {
        int n = 0;
        int[] labels = new int[rows.size()];
        int[] answers = new int[rows.size()];
        double[] scores = new double[rows.size()];
        boolean allScored = true;
        for (Object[] r : rows) {
            int label = binaryClass((String) r[3]);
            int answer = binaryClass((String) r[2]);
            if (label < 0 || answer < 0) {
                continue;
            }
            labels[n] = label;
            answers[n] = answer;
            if (r[1] == null) {
                allScored = false;
            } else {
                scores[n] = (Double) r[1];
            }
            n++;
        }
        labels = Arrays.copyOf(labels, n);
        return new Scored(Task.BINARY_CLASSIFICATION, n, QualityMetrics.binary(labels, Arrays.copyOf(answers, n),
                allScored ? Arrays.copyOf(scores, n) : null, resamples));
    }

    /** 1 for a positive label ({@code 1}, {@code true}), 0 for a negative one ({@code 0}, {@code false}), else -1. */
    static int binaryClass(String label) {
        if (label == null) {
            return -1;
        }
        return switch (label.strip().toLowerCase(Locale.ROOT)) {
            case "1", "true" -> 1;
            case "0", "false" -> 0;
            default -> -1;
        };
    }

    private static Scored multiclass(List<Object[]> rows, int resamples) {
        List<String> labels = new ArrayList<>(rows.size());
        List<String> answers = new ArrayList<>(rows.size());
        for (Object[] r : rows) {
            if (r[2] != null && r[3] != null) {
                answers.add((String) r[2]);
                labels.add((String) r[3]);
            }
        }
        return new Scored(Task.MULTICLASS_CLASSIFICATION, labels.size(), QualityMetrics.multiclass(
                labels.toArray(String[]::new), answers.toArray(String[]::new), resamples));
    }

    private static Scored regression(List<Object[]> rows, int resamples) {
        int n = 0;
        double[] labels = new double[rows.size()];
        double[] predictions = new double[rows.size()];
        for (Object[] r : rows) {
            if (r[1] != null && r[4] != null) {
                predictions[n] = (Double) r[1];
                labels[n] = (Double) r[4];
                n++;
            }
        }
        return new Scored(Task.REGRESSION, n, QualityMetrics.regression(Arrays.copyOf(labels, n),
                Arrays.copyOf(predictions, n), resamples));
    }
}
