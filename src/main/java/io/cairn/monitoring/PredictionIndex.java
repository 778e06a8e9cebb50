package io.cairn.monitoring;

import io.cairn.registry.MonitoringTags.Settings;
import io.cairn.serving.PredictionsLogged;
import io.cairn.serving.PredictionsLogged.LoggedPrediction;
import io.cairn.serving.PredictionsLogged.Values;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.BatchPreparedStatementSetter;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Keeps {@code monitored_predictions} in step with the prediction log: one batched insert per batch the log wrote,
 * on the log's writer thread (the event is published after the batch is stored, so a prediction is here no earlier
 * than it is in the log). With each prediction go its answers row by row ({@link RowAnswers}, when its version names
 * a task), its request tags, and the rows of its one 2-D numeric input (the features that segments are made of);
 * its values go into the drift sketches ({@link LiveSketches}).
 * Replays are harmless: an id already here is left as it is.
 */
@Component
class PredictionIndex {

    private static final Logger log = LoggerFactory.getLogger(PredictionIndex.class);
    /** Inputs wider or larger than this are not kept for segments: a segment is a feature of a tabular model. */
    static final int MAX_FEATURES = 1024;
    static final int MAX_FEATURE_VALUES = 1 << 18;

    private final JdbcTemplate jdbc;
    private final MonitoredVersions versions;
    private final MeterRegistry meters;
    private final LiveSketches sketches;
    private final boolean enabled;
    private final double skewSampleRate;
    private final JsonMapper json = JsonMapper.builder().build();
    private final Map<String, Counter> unscored = new ConcurrentHashMap<>();
    private final Map<String, Counter> lost = new ConcurrentHashMap<>();
    private long lastProblemLoggedNanos;

    PredictionIndex(JdbcTemplate jdbc, MonitoredVersions versions, MeterRegistry meters, LiveSketches sketches,
                    MonitoringProperties properties) {
        this.enabled = properties.enabled();
        this.skewSampleRate = properties.skewSampleRate();
        this.jdbc = jdbc;
        this.versions = versions;
        this.meters = meters;
        this.sketches = sketches;
    }

    /** One prediction as stored. */
    private record Indexed(LoggedPrediction prediction, RowAnswers answers, Values features, String tags) {
    }

    @EventListener
    void on(PredictionsLogged logged) {
        if (!enabled) {
            return;
        }
        try {
            store(logged);
        } catch (RuntimeException e) {
            // The prediction log logs the failure (a line a minute at most); what it cost is counted here: these
            // predictions' labels will come back unmatched.
            for (LoggedPrediction p : logged.predictions()) {
                lost.computeIfAbsent(p.deployment(), d -> Counter.builder("cairn.monitoring.intake.lost")
                        .description("Logged predictions monitoring could not store (the database refused or was "
                                + "down); labels for them come back unmatched").tag("deployment", d)
                        .register(meters)).increment();
            }
            throw e;
        }
    }

    private void store(PredictionsLogged logged) {
        List<Indexed> rows = logged.predictions().stream().map(this::index).toList();
        jdbc.batchUpdate("""
                INSERT INTO monitored_predictions (prediction_id, deployment, model, version, alias, request_id,
                                                   row_count, latency_ms, predicted_at, task, scores, predicted,
                                                   feature_count, features, tags)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS jsonb))
                ON CONFLICT (prediction_id) DO NOTHING""", new BatchPreparedStatementSetter() {
            @Override
            public void setValues(PreparedStatement ps, int i) throws SQLException {
                Indexed row = rows.get(i);
                LoggedPrediction p = row.prediction();
                ps.setObject(1, p.predictionId());
                ps.setString(2, p.deployment());
                ps.setString(3, p.model());
                ps.setInt(4, p.version());
                ps.setString(5, p.alias());
                ps.setString(6, p.requestId());
                ps.setInt(7, p.rows());
                ps.setDouble(8, p.latencyMs());
                ps.setTimestamp(9, Timestamp.from(p.createdAt()));
                RowAnswers a = row.answers();
                Connection c = ps.getConnection();
                ps.setString(10, a == null ? null : a.task().tagValue());
                if (a == null) {
                    ps.setNull(11, Types.ARRAY);
                } else {
                    // A primitive array goes as a binary array; a row without a score is NaN in it.
                    double[] scores = new double[a.scores().length];
                    for (int r = 0; r < scores.length; r++) {
                        scores[r] = a.scores()[r] == null ? Double.NaN : a.scores()[r];
                    }
                    ps.setObject(11, scores);
                }
                setArray(ps, 12, c, "text", a == null ? null : a.predicted());
                Values f = row.features();
                if (f == null) {
                    ps.setNull(13, Types.INTEGER);
                    ps.setNull(14, Types.ARRAY);
                } else {
                    ps.setInt(13, f.columns());
                    ps.setObject(14, featureArray(f, c));
                }
                ps.setString(15, row.tags());
            }

            @Override
            public int getBatchSize() {
                return rows.size();
            }
        });
        sampleForSkew(rows);
    }

    /**
     * Keeps a sample of the predictions by entity key, with the feature values served, for the skew job
     * ({@link SkewCheck}); those whose input is not the version's features in order are not comparable and skipped.
     */
    private void sampleForSkew(List<Indexed> rows) {
        if (skewSampleRate <= 0) {
            return;
        }
        List<Object[]> samples = new ArrayList<>();
        for (Indexed row : rows) {
            LoggedPrediction p = row.prediction();
            if (p.entityKeys().isEmpty() || row.features() == null
                    || ThreadLocalRandom.current().nextDouble() >= skewSampleRate) {
                continue;
            }
            List<String> refs = versions.of(p.model(), p.version()).features();
            if (refs.size() != row.features().columns()) {
                continue;
            }
            Values f = row.features();
            Double[] served = new Double[f.rows() * f.columns()];
            for (int i = 0; i < served.length; i++) {
                served[i] = f.number(i);
            }
            samples.add(new Object[] {p.predictionId(), p.deployment(), p.version(), Timestamp.from(p.createdAt()),
                    refs.toArray(String[]::new), json.writeValueAsString(p.entityKeys()), served});
        }
        if (samples.isEmpty()) {
            return;
        }
        jdbc.batchUpdate("""
                INSERT INTO skew_samples (prediction_id, deployment, version, predicted_at, feature_refs, entity_keys,
                                          served)
                VALUES (?, ?, ?, ?, ?, CAST(? AS jsonb), ?) ON CONFLICT (prediction_id) DO NOTHING""",
                new BatchPreparedStatementSetter() {
                    @Override
                    public void setValues(PreparedStatement ps, int i) throws SQLException {
                        Object[] s = samples.get(i);
                        ps.setObject(1, s[0]);
                        ps.setString(2, (String) s[1]);
                        ps.setInt(3, (Integer) s[2]);
                        ps.setTimestamp(4, (Timestamp) s[3]);
                        ps.setArray(5, ps.getConnection().createArrayOf("text", (Object[]) s[4]));
                        ps.setString(6, (String) s[5]);
                        ps.setArray(7, ps.getConnection().createArrayOf("float8", (Object[]) s[6]));
                    }

                    @Override
                    public int getBatchSize() {
                        return samples.size();
                    }
                });
    }

    /**
     * The input's values for the {@code features} column ({@code real[]}): a primitive {@code float[]}, which the driver
     * sends as a binary array (boxing and formatting each value as text cost more than the rest of the row), unless
     * one is not finite: those are stored as SQL nulls, which only a boxed array can say.
     */
    private static Object featureArray(Values f, Connection c) throws SQLException {
        float[] values = new float[f.rows() * f.columns()];
        boolean finite = true;
        if (f.data() instanceof float[] floats && floats.length == values.length) {
            System.arraycopy(floats, 0, values, 0, values.length);
            for (float v : values) {
                finite &= Float.isFinite(v);
            }
        } else {
            for (int v = 0; v < values.length; v++) {
                values[v] = (float) f.number(v);
                finite &= Float.isFinite(values[v]);
            }
        }
        if (finite) {
            return values;
        }
        Float[] boxed = new Float[values.length];
        for (int v = 0; v < values.length; v++) {
            boxed[v] = Float.isFinite(values[v]) ? values[v] : null;
        }
        return c.createArrayOf("float4", boxed);
    }

    private static void setArray(PreparedStatement ps, int index, Connection c, String type, Object[] values)
            throws SQLException {
        if (values == null) {
            ps.setNull(index, Types.ARRAY);
        } else {
            ps.setArray(index, c.createArrayOf(type, values));
        }
    }

    private Indexed index(LoggedPrediction p) {
        MonitoredVersions.Monitored monitored = versions.of(p.model(), p.version());
        RowAnswers answers = null;
        if (monitored.settings().isPresent()) {
            Settings settings = monitored.settings().get();
            answers = RowAnswers.read(settings, p);
            if (answers.problem() != null) {
                unscored(p, answers.problem());
                answers = null;
            }
        }
        sketches.record(p, monitored.features(), answers);
        return new Indexed(p, answers, features(p), p.tags().isEmpty() ? null : json.writeValueAsString(p.tags()));
    }

    /** The model's one 2-D numeric input, when it has one of a tabular size. */
    private static Values features(LoggedPrediction p) {
        if (p.inputs().size() != 1) {
            return null;
        }
        Values input = p.inputs().values().iterator().next();
        boolean tabular = input.shape().length == 2 && input.numeric() && input.columns() <= MAX_FEATURES
                && (long) input.rows() * input.columns() <= MAX_FEATURE_VALUES && input.rows() == p.rows();
        return tabular ? input : null;
    }

    private void unscored(LoggedPrediction p, String problem) {
        unscored.computeIfAbsent(p.deployment(), d -> Counter.builder("cairn.monitoring.unscored")
                .description("Logged predictions whose answers monitoring could not read by the version's "
                        + "cairn.task and cairn.score_output tags")
                .tag("deployment", d).register(meters)).increment();
        long now = System.nanoTime();
        if (lastProblemLoggedNanos == 0 || now - lastProblemLoggedNanos > TimeUnit.MINUTES.toNanos(1)) {
            lastProblemLoggedNanos = now;
            log.warn("Monitoring cannot score predictions of model {} version {} (deployment {}): {}", p.model(),
                    p.version(), p.deployment(), problem);
        }
    }
}
