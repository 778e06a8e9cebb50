package io.cairn.monitoring;

import io.cairn.platform.scheduling.PeriodicFlush;
import io.cairn.serving.PredictionsLogged.LoggedPrediction;
import io.cairn.serving.PredictionsLogged.Values;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Sketches of what each deployment's versions see and answer, per time bucket ({@code cairn.monitoring.sketch-interval}),
 * kept in memory as predictions are logged and written to {@code drift_sketches} every
 * {@code cairn.monitoring.sketch-flush}: each replica upserts its own row per bucket with its whole sketch so far, so
 * a crash loses at most one flush interval and a re-run never counts twice. Readers merge the rows of a range
 * ({@link #read}); no prediction is decoded for drift.
 *
 * <p>Columns: {@code input:<feature>} for each column of the model's one 2-D input, named by the version's
 * {@code cairn.features} (else {@code input:<tensor>[j]}), or {@code input:<tensor>} for 1-D inputs;
 * {@code output:<tensor>} or {@code output:<tensor>[j]} for each output column; and {@code answer}, the answer
 * monitoring reads from the outputs ({@link RowAnswers}: the class for classification, the value for regression).
 * Tensors wider than {@value #MAX_COLUMNS} columns are not sketched (they are not tabular features).
 */
@Component
class LiveSketches implements SmartLifecycle {

    static final int MAX_COLUMNS = 256;
    static final String ANSWER = "answer";
    private static final Logger log = LoggerFactory.getLogger(LiveSketches.class);

    private record BucketKey(String deployment, Instant start, int version, String model) {
    }

    /** One bucket's sketches on this replica, by column, and whether they changed since they were written. */
    private static final class Bucket {
        final Map<String, ColumnSketch> columns = new LinkedHashMap<>();
        long rows;
        boolean dirty;
    }

    private final JdbcTemplate jdbc;
    private final Clock clock;
    private final Duration interval;
    private final Duration flushEvery;
    private final UUID replica = UUID.randomUUID();
    private final Map<BucketKey, Bucket> open = new HashMap<>();
    private final PeriodicFlush flusher;
    private volatile boolean running;
    private boolean failing;

    LiveSketches(JdbcTemplate jdbc, MonitoringProperties properties, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.interval = properties.sketchInterval();
        this.flushEvery = properties.sketchFlush();
        this.flusher = new PeriodicFlush("cairn-drift-sketches", flushEvery, this::flush);
    }

    /** The start of the bucket a time falls in: buckets are aligned to the epoch. */
    Instant bucketOf(Instant t) {
        long size = interval.toMillis();
        return Instant.ofEpochMilli(Math.floorDiv(t.toEpochMilli(), size) * size);
    }

    /** Adds a logged prediction's rows to its bucket's sketches. */
    synchronized void record(LoggedPrediction p, List<String> features, RowAnswers answers) {
        Bucket bucket = open.computeIfAbsent(new BucketKey(p.deployment(), bucketOf(p.createdAt()), p.version(),
                p.model()), k -> new Bucket());
        int rows = p.rows();
        bucket.rows += rows;
        bucket.dirty = true;
        boolean oneInput = p.inputs().size() == 1;
        p.inputs().forEach((name, values) -> add(bucket.columns, "input:", name, values, rows,
                oneInput && values.shape().length == 2 && values.columns() == features.size() ? features : null,
                ColumnSketch.K));
        addOutputs(bucket.columns, p.outputs(), answers, rows, ColumnSketch.K);
    }

    /** Adds outputs and the answers read from them to the sketches of these columns (of a bucket, or a reference). */
    static void addOutputs(Map<String, ColumnSketch> columns, Map<String, Values> outputs, RowAnswers answers, int rows,
                           int k) {
        outputs.forEach((name, values) -> add(columns, "output:", name, values, rows, null, k));
        if (answers == null) {
            return;
        }
        ColumnSketch answer = columns.computeIfAbsent(ANSWER, c -> new ColumnSketch(k));
        for (int r = 0; r < rows; r++) {
            if (answers.predicted() != null) {
                String a = answers.predicted()[r];
                if (a == null) {
                    answer.addNull();
                } else {
                    answer.addText(a);
                }
            } else {
                Double v = answers.scores()[r];
                if (v == null) {
                    answer.addNull();
                } else {
                    answer.addNumber(v);
                }
            }
        }
    }

    private static void add(Map<String, ColumnSketch> into, String prefix, String tensor, Values values, int rows,
                            List<String> names, int k) {
        int columns = values.columns();
        if (columns > MAX_COLUMNS || values.rows() != rows || columns == 0) {
            return;
        }
        String[] columnNames = COLUMN_NAMES.computeIfAbsent(new ColumnNamesKey(prefix, tensor, columns, names),
                LiveSketches::columnNames);
        ColumnSketch[] sketches = new ColumnSketch[columns];
        for (int c = 0; c < columns; c++) {
            sketches[c] = into.computeIfAbsent(columnNames[c], n -> new ColumnSketch(k));
        }
        // The common layouts read straight from their arrays: Values.number decides the array type per value.
        if (values.data() instanceof float[] floats) {
            for (int at = 0; at < rows * columns; at++) {
                sketches[at % columns].addNumber(floats[at]);
            }
        } else if (values.data() instanceof double[] doubles) {
            for (int at = 0; at < rows * columns; at++) {
                sketches[at % columns].addNumber(doubles[at]);
            }
        } else {
            boolean numeric = values.numeric();
            for (int at = 0; at < rows * columns; at++) {
                if (numeric) {
                    sketches[at % columns].addNumber(values.number(at));
                } else {
                    sketches[at % columns].addText(values.text(at));
                }
            }
        }
    }

    private record ColumnNamesKey(String prefix, String tensor, int columns, List<String> names) {
    }

    /**
     * Column names per tensor layout, built once: naming each column of every logged prediction anew was a good part
     * of the intake's cost per prediction. Bounded, since layouts are few; a full map is simply cleared.
     */
    private static final Map<ColumnNamesKey, String[]> COLUMN_NAMES = new java.util.concurrent.ConcurrentHashMap<>();

    private static String[] columnNames(ColumnNamesKey k) {
        if (COLUMN_NAMES.size() > 10_000) {
            COLUMN_NAMES.clear();
        }
        String[] out = new String[k.columns()];
        for (int c = 0; c < out.length; c++) {
            out[c] = k.prefix() + (k.names() != null ? k.names().get(c)
                    : k.columns() == 1 ? k.tensor() : k.tensor() + "[" + c + "]");
        }
        return out;
    }

    /** Writes every changed bucket of this replica, then forgets buckets that have closed and been written. */
    void flush() {
        List<Object[]> rows = new ArrayList<>();
        Instant now = clock.instant();
        synchronized (this) {
            for (Iterator<Map.Entry<BucketKey, Bucket>> it = open.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<BucketKey, Bucket> e = it.next();
                Bucket b = e.getValue();
                BucketKey k = e.getKey();
                if (b.dirty) {
                    rows.add(new Object[] {k.deployment(), Timestamp.from(k.start()), k.version(), replica, k.model(),
                            b.rows, encode(b.columns), Timestamp.from(now)});
                    b.dirty = false;
                } else if (k.start().plus(interval).plus(flushEvery).isBefore(now)) {
                    it.remove();
                }
            }
        }
        if (rows.isEmpty()) {
            return;
        }
        try {
            jdbc.batchUpdate("""
                    INSERT INTO drift_sketches (deployment, bucket_start, version, replica, model, row_count, sketches,
                                                updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (deployment, bucket_start, version, replica) DO UPDATE
                    SET row_count = EXCLUDED.row_count, sketches = EXCLUDED.sketches,
                        updated_at = EXCLUDED.updated_at""", rows);
            if (failing) {
                log.info("Drift sketches are written again");
                failing = false;
            }
        } catch (RuntimeException e) {
            // Kept in memory and marked changed again, so the next flush writes them.
            synchronized (this) {
                for (Object[] r : rows) {
                    Bucket b = open.get(new BucketKey((String) r[0], ((Timestamp) r[1]).toInstant(), (Integer) r[2],
                            (String) r[4]));
                    if (b != null) {
                        b.dirty = true;
                    }
                }
            }
            if (!failing) {
                log.warn("Writing drift sketches failed; they are kept and written again at the next flush", e);
                failing = true;
            }
        }
    }

    /** A range's sketches for one version of a deployment, merged across buckets and replicas, with its row count. */
    record Merged(long rows, Map<String, ColumnSketch> columns) {
    }

    Merged read(String deployment, int version, Instant from, Instant to) {
        Map<String, ColumnSketch> merged = new LinkedHashMap<>();
        long[] rows = {0};
        jdbc.query("""
                SELECT row_count, sketches FROM drift_sketches
                WHERE deployment = ? AND version = ? AND bucket_start >= ? AND bucket_start < ?""", rs -> {
            rows[0] += rs.getLong(1);
            decode(rs.getBytes(2)).forEach((name, s) -> {
                ColumnSketch into = merged.get(name);
                if (into == null) {
                    merged.put(name, s);
                } else {
                    into.merge(s);
                }
            });
        }, deployment, version, Timestamp.from(bucketOf(from)), Timestamp.from(to));
        return new Merged(rows[0], merged);
    }

    /** Row counts per version in a range, most rows first: which versions served. */
    Map<Integer, Long> versions(String deployment, Instant from, Instant to) {
        Map<Integer, Long> out = new LinkedHashMap<>();
        jdbc.query("""
                SELECT version, sum(row_count) FROM drift_sketches
                WHERE deployment = ? AND bucket_start >= ? AND bucket_start < ?
                GROUP BY version ORDER BY 2 DESC, 1 DESC""", rs -> {
            out.put(rs.getInt(1), rs.getLong(2));
        }, deployment, Timestamp.from(bucketOf(from)), Timestamp.from(to));
        return out;
    }

    static byte[] encode(Map<String, ColumnSketch> columns) {
        List<byte[]> names = new ArrayList<>(columns.size());
        List<byte[]> bodies = new ArrayList<>(columns.size());
        int size = 4;
        for (Map.Entry<String, ColumnSketch> e : columns.entrySet()) {
            byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
            byte[] body = e.getValue().toBytes();
            names.add(name);
            bodies.add(body);
            size += 4 + name.length + 4 + body.length;
        }
        ByteBuffer b = ByteBuffer.allocate(size).putInt(columns.size());
        for (int i = 0; i < names.size(); i++) {
            b.putInt(names.get(i).length).put(names.get(i)).putInt(bodies.get(i).length).put(bodies.get(i));
        }
        return b.array();
    }

    static Map<String, ColumnSketch> decode(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        int count = b.getInt();
        Map<String, ColumnSketch> out = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            byte[] name = new byte[b.getInt()];
            b.get(name);
            byte[] body = new byte[b.getInt()];
            b.get(body);
            out.put(new String(name, StandardCharsets.UTF_8), ColumnSketch.fromBytes(body));
        }
        return out;
    }

    @Override
    public void start() {
        running = true;
        flusher.start();
    }

    /** Stops after the prediction log (which feeds it) has written what it held, then writes what is left. */
    @Override
    public void stop() {
        running = false;
        flusher.stop();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** After the prediction log's phase, so it stops later: the log's last batches still reach the sketches. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 8192;
    }
}
