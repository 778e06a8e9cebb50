package io.cairn.features;

import io.cairn.features.TrainingSetPlan.SecondBackend;
import io.cairn.features.TrainingSetPlanner.Layout;
import io.cairn.features.store.PointInTimeQuery;
import io.cairn.features.store.PointInTimeQuery.Output;
import io.cairn.features.store.ProbeBackend;
import io.cairn.features.store.TrainingSetStore;
import io.cairn.platform.error.CairnException;
import io.cairn.tracking.DatasetInput;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Isolation;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.core.JsonParser;
import tools.jackson.databind.json.JsonMapper;

/**
 * Builds point-in-time correct training sets: for every entity row and requested view, the feature row with the
 * latest event_timestamp at or before the row's timestamp and not older than the view's TTL, ties going to the latest
 * created_timestamp; no such row gives nulls. Entity rows stream into a temporary table ({@link EntityRowLoader}), one
 * set-based SQL statement ({@link PointInTimeQuery}: one index probe per entity row and view, planned by
 * {@link TrainingSetPlanner}) does the join, on one backend or split over two ({@link TwoBackendJoin}), and the result
 * streams out as CSV or JSON in entity-row order. {@code save_as} stores the result as an immutable, digested
 * training set ({@link SavedTrainingSets}). The whole build reads one snapshot (REPEATABLE READ).
 */
@Service
public class TrainingSets {

    private final TrainingSetPlanner planner;
    private final EntityRowLoader loader;
    private final TrainingSetOutput output;
    private final TwoBackendJoin twoBackendJoin;
    private final SavedTrainingSets savedSets;
    private final TrainingSetLineage lineage;
    private final TrainingSetStore store;
    private final FeatureStoreProperties properties;
    private final JsonMapper json;
    private final Counter oneBackend;
    private final Counter twoBackends;

    TrainingSets(TrainingSetPlanner planner, EntityRowLoader loader, TrainingSetOutput output,
                 TwoBackendJoin twoBackendJoin, SavedTrainingSets savedSets, TrainingSetLineage lineage,
                 TrainingSetStore store, FeatureStoreProperties properties, JsonMapper json, MeterRegistry meters) {
        this.planner = planner;
        this.loader = loader;
        this.output = output;
        this.twoBackendJoin = twoBackendJoin;
        this.savedSets = savedSets;
        this.lineage = lineage;
        this.store = store;
        this.properties = properties;
        this.json = json;
        this.oneBackend = trainingSets(meters, "1");
        this.twoBackends = trainingSets(meters, "2");
    }

    private static Counter trainingSets(MeterRegistry meters, String backends) {
        return Counter.builder("cairn.feature.training.sets").tag("backends", backends)
                .description("Training sets built, by the number of PostgreSQL backends their probes ran on")
                .register(meters);
    }

    /** Where a result goes, once it is ready to stream. */
    public interface Sink {
        /** Called once, before the first byte; returns the stream to write the body to. */
        OutputStream open(int status, String contentType, Map<String, String> headers) throws IOException;
    }

    /** The output format. */
    public enum Format {
        JSON(TrainingSetWriter.JSON), CSV(TrainingSetWriter.CSV);

        private final String contentType;

        Format(String contentType) {
            this.contentType = contentType;
        }

        public String contentType() {
            return contentType;
        }
    }

    /** What to build, apart from the entity rows. */
    public record Spec(List<String> features, boolean fullFeatureNames, String saveAs) {
    }

    /**
     * A request body read at its protocol's edge: it finds the features and {@code save_as}, hands the entity rows
     * to {@link EntityRowStream} exactly once as they arrive, and returns the whole spec once the body is read. It
     * runs inside the build's snapshot, so the rows stream straight into the database.
     */
    @FunctionalInterface
    public interface Request {
        Spec read(EntityRowStream rows);
    }

    /** Takes a request's entity rows: plans the request on the call and streams the rows into its entity table. */
    @FunctionalInterface
    public interface EntityRowStream {
        /**
         * @param array a parser standing on the START_ARRAY of the entity-row objects; read up to its END_ARRAY
         * @return the number of rows read
         */
        long json(List<String> features, String saveAs, JsonParser array);
    }

    /** A request whose entity rows are JSON objects (read by {@code request}); see {@link Request}. */
    @Transactional(isolation = Isolation.REPEATABLE_READ)
    public void fromJson(Request request, Format format, Sink sink) {
        try (SecondBackend second = new SecondBackend()) {
            TrainingSetPlan[] plan = {null};
            Spec spec = request.read((features, saveAs, array) -> {
                if (plan[0] != null) {
                    throw new IllegalStateException("a training-set request handed over its entity rows twice");
                }
                plan[0] = planner.plan(features, saveAs == null ? second : null);
                return loader.json(array, plan[0]);
            });
            if (plan[0] == null) {
                throw CairnException.invalid("'entity_rows' is required: a list of objects with the join keys and an "
                        + "event_timestamp.");
            }
            build(plan[0], spec, format, sink);
        }
    }

    /**
     * For callers in other modules (monitoring's skew check): the entity rows as maps of JSON values, read exactly
     * as the same rows in a JSON request body.
     */
    @Transactional(isolation = Isolation.REPEATABLE_READ)
    public void fromEntityRows(Spec spec, List<Map<String, Object>> entityRows, Format format, Sink sink) {
        byte[] rows = json.writeValueAsBytes(entityRows);
        fromJson(stream -> {
            try (JsonParser p = json.createParser(rows)) {
                p.nextToken();
                stream.json(spec.features(), spec.saveAs(), p);
            }
            return spec;
        }, format, sink);
    }

    /** Entity rows as CSV with a header; the rest of the request comes from the query string. */
    @Transactional(isolation = Isolation.REPEATABLE_READ)
    public void fromCsv(InputStream body, Spec spec, Format format, Sink sink) {
        try (SecondBackend second = new SecondBackend()) {
            if (spec.features() == null || spec.features().isEmpty()) {
                throw CairnException.invalid("Name the features in the query string: ?features=view:feature,view:other.");
            }
            TrainingSetPlan plan = planner.plan(spec.features(), spec.saveAs() == null ? second : null);
            loader.csv(body, plan);
            build(plan, spec, format, sink);
        }
    }

    private void build(TrainingSetPlan plan, Spec spec, Format format, Sink sink) {
        Layout layout = planner.layout(plan, spec.fullFeatureNames());
        String saveAs = spec.saveAs();
        if (saveAs != null) {
            savedSets.checkName(saveAs);
        }
        Instant[] range = store.analyzeEntityTable();
        store.tuneForJoin(properties.trainingWorkMem());
        store.textOutput();
        ProbeBackend second = plan.second();
        if (saveAs == null && second != null) {
            twoBackends.increment();
            twoBackendJoin.render(second, layout, format, sink);
            return;
        }
        oneBackend.increment();
        if (saveAs != null) {
            savedSets.save(saveAs, plan, layout, spec.fullFeatureNames(), range, format, sink);
            return;
        }
        List<Output> outputs = layout.sources().stream().map(src -> src.output(src.part())).toList();
        output.render(PointInTimeQuery.sql(layout.parts(), TrainingSetPlanner.aliased(outputs)), layout.columns(),
                format, sink, 200, Map.of());
    }

    // ---- saved sets --------------------------------------------------------------------------------------------

    @Transactional(readOnly = true)
    public SavedTrainingSet saved(String idOrName) {
        return savedSets.find(idOrName);
    }

    @Transactional(readOnly = true)
    public List<SavedTrainingSet> saved() {
        return savedSets.list();
    }

    /** Streams a saved set's rows, exactly as they were when it was saved. */
    @Transactional(readOnly = true)
    public void savedRows(String idOrName, Format format, Sink sink) {
        savedSets.rows(idOrName, format, sink);
    }

    /** Receives a saved set's rows: one value per requested column, in the order asked for. */
    @FunctionalInterface
    public interface RowVisitor {
        void row(Object[] values);
    }

    /**
     * Reads the named columns of a saved set, row by row in its order: numbers as {@code Double}, booleans as
     * {@code Boolean}, text as {@code String}, absent values as null; a column carried through from the entity rows
     * gives its JSON scalars the same way. For modules that summarise a training set
     * (monitoring's reference sketches) without going through its CSV.
     *
     * @throws CairnException 404 for an unknown set, 400 for a column it does not have
     */
    @Transactional(readOnly = true)
    public void readColumns(String idOrName, List<String> columns, RowVisitor visitor) {
        savedSets.readColumns(idOrName, columns, visitor);
    }

    /** Records the saved set as a dataset input of a run; see {@link TrainingSetLineage}. */
    @Transactional
    public DatasetInput logToRun(String idOrName, String runId, String context) {
        return lineage.logToRun(saved(idOrName), runId, context);
    }
}
