package io.cairn.monitoring;

import io.cairn.features.TrainingSets;
import io.cairn.platform.error.CairnException;
import io.cairn.platform.text.CsvReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import net.javacrumbs.shedlock.spring.annotation.SchedulerLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The skew job: every minute, on one replica at a time (ShedLock), takes sampled predictions by entity key that have
 * not been checked ({@code skew_samples}), recomputes their features with one point-in-time training-set query per
 * version (the entity rows at each prediction's time, through the feature store's public {@link TrainingSets}), and
 * stores each served value beside its offline value ({@code skew_results}). At most {@value #MAX_ROWS} entity rows
 * a run; the next run carries on. A sample whose query fails (a feature view deleted since) is marked checked with no
 * results, and the failure logged.
 */
@Component
class SkewCheck {

    static final String LOCK = "monitoring.skew";
    static final int MAX_ROWS = 10_000;
    static final int MAX_SAMPLES = 1_000;
    /** The entity-row column that carries each row's place through the training-set query. */
    static final String ROW_COLUMN = "cairn_skew_row";
    private static final Logger log = LoggerFactory.getLogger(SkewCheck.class);
    private static final TypeReference<Map<String, List<Object>>> KEYS = new TypeReference<>() { };

    private final JdbcTemplate jdbc;
    private final TrainingSets trainingSets;
    private final JsonMapper json = JsonMapper.builder().build();
    private long lastFailureLoggedNanos;

    SkewCheck(JdbcTemplate jdbc, TrainingSets trainingSets) {
        this.jdbc = jdbc;
        this.trainingSets = trainingSets;
    }

    private record Sample(UUID id, String deployment, int version, Instant at, List<String> refs,
                          Map<String, List<Object>> keys, double[] served) {
        int rows() {
            return served.length / refs.size();
        }
    }

    @Scheduled(fixedDelay = 60_000, initialDelay = 40_000)
    @SchedulerLock(name = LOCK, lockAtLeastFor = "PT10S", lockAtMostFor = "PT30M")
    public void check() {
        checkPending();
    }

    /** Checks pending samples (bounded); returns how many samples it checked. */
    int checkPending() {
        List<Sample> pending = new ArrayList<>();
        int[] rows = {0};
        jdbc.query("""
                SELECT prediction_id, deployment, version, predicted_at, feature_refs, entity_keys::text, served
                FROM skew_samples WHERE checked_at IS NULL ORDER BY predicted_at LIMIT ?""", rs -> {
            if (rows[0] >= MAX_ROWS) {
                return;
            }
            Object[] served = (Object[]) rs.getArray(7).getArray();
            Sample s = new Sample(rs.getObject(1, UUID.class), rs.getString(2), rs.getInt(3),
                    rs.getTimestamp(4).toInstant(), Arrays.asList((String[]) rs.getArray(5).getArray()),
                    json.readValue(rs.getString(6), KEYS),
                    Arrays.stream(served).mapToDouble(v -> ((Number) v).doubleValue()).toArray());
            rows[0] += s.rows();
            pending.add(s);
        }, MAX_SAMPLES);
        Map<List<String>, List<Sample>> byFeatures = new LinkedHashMap<>();
        for (Sample s : pending) {
            byFeatures.computeIfAbsent(s.refs(), r -> new ArrayList<>()).add(s);
        }
        for (Map.Entry<List<String>, List<Sample>> group : byFeatures.entrySet()) {
            try {
                compare(group.getKey(), group.getValue());
            } catch (RuntimeException e) {
                long now = System.nanoTime();
                if (lastFailureLoggedNanos == 0 || now - lastFailureLoggedNanos > TimeUnit.MINUTES.toNanos(10)) {
                    lastFailureLoggedNanos = now;
                    log.warn("Recomputing {} sampled predictions offline for skew failed; they are marked checked "
                            + "without results", group.getValue().size(), e);
                }
            }
            markChecked(group.getValue());
        }
        return pending.size();
    }

    private void markChecked(List<Sample> samples) {
        jdbc.batchUpdate("UPDATE skew_samples SET checked_at = now() WHERE prediction_id = ?",
                samples.stream().map(s -> new Object[] {s.id()}).toList());
    }

    private void compare(List<String> refs, List<Sample> samples) {
        List<Map<String, Object>> entityRows = new ArrayList<>();
        List<int[]> places = new ArrayList<>();
        for (int si = 0; si < samples.size(); si++) {
            Sample s = samples.get(si);
            for (int r = 0; r < s.rows(); r++) {
                Map<String, Object> row = new LinkedHashMap<>();
                for (Map.Entry<String, List<Object>> key : s.keys().entrySet()) {
                    row.put(key.getKey(), key.getValue().get(r));
                }
                row.put("event_timestamp", s.at().toString());
                row.put(ROW_COLUMN, places.size());
                places.add(new int[] {si, r});
                entityRows.add(row);
            }
        }
        ByteArrayOutputStream csv = new ByteArrayOutputStream();
        trainingSets.fromEntityRows(new TrainingSets.Spec(new ArrayList<>(new LinkedHashSet<>(refs)), true, null),
                entityRows, TrainingSets.Format.CSV, (status, contentType, headers) -> csv);

        CsvReader reader = new CsvReader(new InputStreamReader(new java.io.ByteArrayInputStream(csv.toByteArray()),
                StandardCharsets.UTF_8));
        String[] header = reader.next();
        if (header == null) {
            throw CairnException.invalid("the training-set query answered nothing");
        }
        Map<String, Integer> column = new HashMap<>();
        for (int i = 0; i < header.length; i++) {
            column.put(header[i], i);
        }
        Integer place = column.get(ROW_COLUMN);
        List<Object[]> results = new ArrayList<>();
        String[] fields;
        while ((fields = reader.next()) != null) {
            int[] at = places.get(Integer.parseInt(fields[place].strip()));
            Sample s = samples.get(at[0]);
            Map<String, Object> key = new LinkedHashMap<>();
            s.keys().forEach((name, values) -> key.put(name, values.get(at[1])));
            String entityKey = json.writeValueAsString(key);
            for (int f = 0; f < refs.size(); f++) {
                String ref = refs.get(f);
                String name = ref.replace(":", "__");
                String offline = column.containsKey(name) ? fields[column.get(name)] : null;
                Double offlineValue = offline == null || offline.isEmpty() ? null : number(offline);
                results.add(new Object[] {s.id(), at[1], ref, s.deployment(), Timestamp.from(s.at()), entityKey,
                        s.served()[at[1] * refs.size() + f], offlineValue});
            }
        }
        jdbc.batchUpdate("""
                INSERT INTO skew_results (prediction_id, row_index, feature, deployment, predicted_at, entity_key,
                                          served, offline)
                VALUES (?, ?, ?, ?, ?, CAST(? AS jsonb), ?, ?) ON CONFLICT DO NOTHING""", results);
    }

    private static Double number(String text) {
        String t = text.strip();
        if (t.equalsIgnoreCase("true")) {
            return 1.0;
        }
        if (t.equalsIgnoreCase("false")) {
            return 0.0;
        }
        try {
            return Double.parseDouble(t);
        } catch (NumberFormatException e) {
            return null; // text: not comparable with a number that was served
        }
    }
}
