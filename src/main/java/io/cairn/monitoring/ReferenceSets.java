package io.cairn.monitoring;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.cairn.features.FeatureRef;
import io.cairn.features.SavedTrainingSet;
import io.cairn.features.TrainingSetColumn;
import io.cairn.features.TrainingSets;
import io.cairn.platform.error.CairnException;
import io.cairn.registry.ModelVersion;
import io.cairn.registry.ModelVersions;
import io.cairn.serving.ModelScoring;
import io.cairn.serving.PredictionsLogged;
import io.cairn.tracking.DatasetInput;
import io.cairn.tracking.Run;
import io.cairn.tracking.RunService;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.datasketches.quantilescommon.QuantileSearchCriteria;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The training set a model version was trained on, found through its lineage (version → run → the run's dataset
 * input with source type {@code cairn_training_set}, preferring the one whose context is {@code training}), and a
 * sketch of each of its columns ({@link ColumnSketch}), built by reading the set once and stored in
 * {@code reference_sketches} for every replica. A saved set never changes, so neither do its sketches; each replica
 * keeps the 32 most recently used in memory.
 */
@Component
class ReferenceSets {

    static final String SOURCE_TYPE = "cairn_training_set";
    private static final String URI_PREFIX = "cairn:/api/v1/training-sets/";

    /** Segment bins of a numeric feature (edges between 10 quantile bins), or categorical (one segment per value). */
    record Bins(boolean categorical, List<Double> edges) {
        static final Bins CATEGORICAL = new Bins(true, List.of());
    }

    /**
     * A training set and a sketch of each of its columns but {@code event_timestamp}, by column name; {@link #feature}
     * finds a feature's column by its reference.
     */
    record Reference(SavedTrainingSet set, Map<String, ColumnSketch> columns) {

        /**
         * The column of a feature: a reference ({@code view:feature}) as the set names it, or a plain column name (a
         * name from the version's MLflow signature); null if the set has none.
         */
        ColumnSketch feature(String ref) {
            String column = columnOf(ref);
            return column == null ? null : columns.get(column);
        }

        /** The set's column name of a feature (a reference, or a plain column name); null if it has none. */
        String columnOf(String ref) {
            if (ref.indexOf(':') < 0) {
                return columns.containsKey(ref) ? ref : null;
            }
            if (!set.feature_refs().contains(ref)) {
                return null;
            }
            FeatureRef r = FeatureRef.parse(ref);
            return set.full_feature_names() ? r.fullName() : r.feature();
        }
    }

    private record VersionKey(String model, int version) {
    }

    private final JdbcTemplate jdbc;
    private final ModelVersions versions;
    private final RunService runs;
    private final TrainingSets trainingSets;
    private final ModelScoring scoring;
    private final JsonMapper json = JsonMapper.builder().build();
    private final Cache<VersionKey, Optional<String>> lineage = Caffeine.newBuilder().maximumSize(10_000)
            .expireAfterWrite(MonitoredVersions.FRESHNESS).build();
    private final Cache<String, Reference> sketches = Caffeine.newBuilder().maximumSize(32).build();
    private final Cache<String, Map<String, ColumnSketch>> scored = Caffeine.newBuilder().maximumSize(64).build();
    static final int SCORING_BATCH = 1024;

    ReferenceSets(JdbcTemplate jdbc, ModelVersions versions, RunService runs, TrainingSets trainingSets,
                  ModelScoring scoring) {
        this.scoring = scoring;
        this.jdbc = jdbc;
        this.versions = versions;
        this.runs = runs;
        this.trainingSets = trainingSets;
    }

    /** The id of the saved training set on the version's lineage, if it has one. */
    Optional<String> trainingSetId(String model, int version) {
        return lineage.get(new VersionKey(model, version), this::findTrainingSet);
    }

    private Optional<String> findTrainingSet(VersionKey key) {
        ModelVersion version;
        Run run;
        try {
            version = versions.get(key.model(), Integer.toString(key.version()));
            if (version.runId() == null || version.runId().isBlank()) {
                return Optional.empty();
            }
            run = runs.get(version.runId());
        } catch (CairnException e) {
            return Optional.empty(); // the version or its run is gone: no lineage to follow
        }
        String found = null;
        for (DatasetInput input : run.inputs()) {
            String id = trainingSetIdOf(input);
            if (id != null && (found == null || "training".equals(input.tags().get("mlflow.data.context")))) {
                found = id;
            }
        }
        return Optional.ofNullable(found);
    }

    private String trainingSetIdOf(DatasetInput input) {
        if (!SOURCE_TYPE.equals(input.dataset().sourceType()) || input.dataset().source() == null) {
            return null;
        }
        try {
            JsonNode uri = json.readTree(input.dataset().source()).get("uri");
            String text = uri == null ? null : uri.asString();
            return text != null && text.startsWith(URI_PREFIX) ? text.substring(URI_PREFIX.length()) : null;
        } catch (RuntimeException e) {
            return null; // a source some other client wrote: not ours to read
        }
    }

    /** The version's reference: its training set and the sketches of that set's features. */
    Optional<Reference> reference(String model, int version) {
        return trainingSetId(model, version).flatMap(this::reference);
    }

    /** A saved training set's reference sketches; empty when the set has been deleted. */
    Optional<Reference> reference(String trainingSetId) {
        try {
            return Optional.of(sketches.get(trainingSetId, this::build));
        } catch (CairnException e) {
            if (e.code().httpStatus() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private Reference build(String id) {
        SavedTrainingSet set = trainingSets.saved(id);
        List<byte[]> stored = jdbc.queryForList("SELECT sketches FROM reference_sketches WHERE training_set_id = ?",
                byte[].class, set.id());
        if (!stored.isEmpty()) {
            return new Reference(set, LiveSketches.decode(stored.get(0)));
        }
        List<String> columns = set.columns().stream().filter(c -> !c.type().equals("TIMESTAMP"))
                .map(TrainingSetColumn::name).toList();
        ColumnSketch[] built = new ColumnSketch[columns.size()];
        for (int i = 0; i < built.length; i++) {
            built[i] = new ColumnSketch(ColumnSketch.REFERENCE_K);
        }
        trainingSets.readColumns(set.id(), columns, values -> {
            for (int i = 0; i < values.length; i++) {
                built[i].add(values[i]);
            }
        });
        Map<String, ColumnSketch> sketched = new LinkedHashMap<>();
        for (int i = 0; i < built.length; i++) {
            sketched.put(columns.get(i), built[i]);
        }
        // Two replicas may build the same set at once: both get the same sketches, and the first to store wins.
        jdbc.update("""
                INSERT INTO reference_sketches (training_set_id, sketches, built_at) VALUES (?, ?, now())
                ON CONFLICT (training_set_id) DO NOTHING""", set.id(), LiveSketches.encode(sketched));
        return new Reference(set, sketched);
    }

    /**
     * The version's outputs on a reference set: its feature columns (in the version's feature order) run through the
     * model that the deployment has loaded here, in batches of {@value #SCORING_BATCH} rows, sketched as live outputs
     * are ({@code output:<name>}, {@code answer}); rows with a missing feature are left out. Built once per set and
     * version and stored with the reference sketches (key {@code <set id>/<model>/<version>}); empty when the version
     * is not loaded on this replica (tried again next time), takes another input layout, or a feature has no column.
     */
    Optional<Map<String, ColumnSketch>> outputs(Reference reference, String deployment, String model, int version,
                                                MonitoredVersions.Monitored monitored) {
        String key = reference.set().id() + "/" + model + "/" + version;
        Map<String, ColumnSketch> cached = scored.getIfPresent(key);
        if (cached != null) {
            return Optional.of(cached);
        }
        List<byte[]> stored = jdbc.queryForList("SELECT sketches FROM reference_sketches WHERE training_set_id = ?",
                byte[].class, key);
        if (!stored.isEmpty()) {
            Map<String, ColumnSketch> read = LiveSketches.decode(stored.get(0));
            scored.put(key, read);
            return Optional.of(read);
        }
        List<String> features = monitored.features();
        List<String> columns = new ArrayList<>(features.size());
        for (String feature : features) {
            String column = reference.columnOf(feature);
            if (column == null) {
                return Optional.empty();
            }
            columns.add(column);
        }
        if (columns.isEmpty()) {
            return Optional.empty();
        }
        int width = columns.size();
        Map<String, ColumnSketch> sketches = new LinkedHashMap<>();
        double[] batch = new double[SCORING_BATCH * width];
        int[] filled = {0};
        boolean[] failed = {false};
        java.util.function.IntConsumer flush = rows -> {
            if (rows == 0 || failed[0]) {
                return;
            }
            Optional<Map<String, PredictionsLogged.Values>> outputs = scoring.score(deployment, version,
                    Arrays.copyOf(batch, rows * width), width);
            if (outputs.isEmpty()) {
                failed[0] = true;
                return;
            }
            RowAnswers answers = monitored.settings().map(s -> RowAnswers.read(s, new PredictionsLogged.LoggedPrediction(
                    null, deployment, model, version, null, null, rows, 0, Instant.EPOCH, Map.of(), outputs.get(),
                    Map.of(), Map.of()))).filter(a -> a.problem() == null).orElse(null);
            LiveSketches.addOutputs(sketches, outputs.get(), answers, rows, ColumnSketch.REFERENCE_K);
        };
        trainingSets.readColumns(reference.set().id(), columns, values -> {
            for (Object v : values) {
                if (!(v instanceof Double) && !(v instanceof Boolean)) {
                    return; // a missing (or text) feature: the model cannot be fed this row
                }
            }
            for (int i = 0; i < width; i++) {
                // Booleans as 0/1, as a prediction by entity key feeds them.
                batch[filled[0] * width + i] = values[i] instanceof Boolean b ? (b ? 1 : 0) : (Double) values[i];
            }
            if (++filled[0] == SCORING_BATCH) {
                flush.accept(filled[0]);
                filled[0] = 0;
            }
        });
        flush.accept(filled[0]);
        if (failed[0] || sketches.isEmpty()) {
            return Optional.empty();
        }
        jdbc.update("""
                INSERT INTO reference_sketches (training_set_id, sketches, built_at) VALUES (?, ?, now())
                ON CONFLICT (training_set_id) DO NOTHING""", key, LiveSketches.encode(sketches));
        scored.put(key, sketches);
        return Optional.of(sketches);
    }

    /** Segment bins of a feature from the version's training set, when its lineage has one with that feature. */
    Optional<Bins> bins(String model, int version, String featureRef) {
        return reference(model, version).map(r -> r.feature(featureRef)).filter(c -> c != null && c.numberCount() > 0)
                .map(ReferenceSets::bins);
    }

    static Bins bins(ColumnSketch column) {
        if (column.integerCodes(Segments.MAX_CATEGORIES)) {
            return Bins.CATEGORICAL;
        }
        return new Bins(false, decileEdges(column.numbers()));
    }

    /** The nine inner edges of 10 quantile bins, duplicates removed (a value heavy enough to fill two bins). */
    static List<Double> decileEdges(KllDoublesSketch sketch) {
        List<Double> edges = new ArrayList<>(9);
        for (int i = 1; i < Segments.BINS; i++) {
            double e = sketch.getQuantile(i / (double) Segments.BINS, QuantileSearchCriteria.INCLUSIVE);
            if (edges.isEmpty() || e > edges.get(edges.size() - 1)) {
                edges.add(e);
            }
        }
        return edges;
    }
}
