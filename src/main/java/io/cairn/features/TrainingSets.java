package io.cairn.features;

import io.cairn.features.store.PointInTimeQuery;
import io.cairn.features.store.PointInTimeQuery.Output;
import io.cairn.features.store.PointInTimeQuery.ViewPart;
import io.cairn.features.store.ProbeBackend;
import io.cairn.features.store.TrainingSetStore;
import io.cairn.platform.db.CopyWriter;
import io.cairn.platform.error.CairnException;
import io.cairn.platform.error.ErrorCode;
import io.cairn.platform.security.Access;
import io.cairn.platform.security.Permission;
import io.cairn.platform.security.ResourceType;
import io.cairn.platform.text.CsvReader;
import io.cairn.tracking.Dataset;
import io.cairn.tracking.DatasetInput;
import io.cairn.tracking.RunLoggingService;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Isolation;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Builds point-in-time correct training sets: for every entity row and requested view, the feature row with the
 * latest event_timestamp at or before the row's timestamp and not older than the view's TTL, ties going to the latest
 * created_timestamp; no such row gives nulls. Entity rows stream into a temporary table, one set-based SQL statement
 * ({@link PointInTimeQuery}: one index probe per entity row and view) does the join, and the result streams out as CSV or JSON in entity-row order.
 * {@code save_as} stores the result as an immutable, digested training set.
 */
@Service
public class TrainingSets implements DisposableBean {

    private final FeatureDefinitions definitions;
    private final TrainingSetStore store;
    private final RunLoggingService runs;
    private final FeatureStoreProperties properties;
    private final JsonMapper json;
    private final Clock clock;
    /** Runs the second backend's statement beside the request's own; a thread per concurrent training set. */
    private final ExecutorService probeThreads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "training-set-probes");
        t.setDaemon(true);
        return t;
    });

    private final Counter oneBackend;
    private final Counter twoBackends;

    private final Access access;

    public TrainingSets(FeatureDefinitions definitions, TrainingSetStore store, RunLoggingService runs,
                        FeatureStoreProperties properties, JsonMapper json, Clock clock, MeterRegistry meters,
                        Access access) {
        this.access = access;
        this.oneBackend = trainingSets(meters, "1");
        this.twoBackends = trainingSets(meters, "2");
        this.definitions = definitions;
        this.store = store;
        this.runs = runs;
        this.properties = properties;
        this.json = json;
        this.clock = clock;
    }

    private static Counter trainingSets(MeterRegistry meters, String backends) {
        return Counter.builder("cairn.feature.training.sets").tag("backends", backends)
                .description("Training sets built, by the number of PostgreSQL backends their probes ran on")
                .register(meters);
    }

    @Override
    public void destroy() {
        probeThreads.shutdownNow();
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
     * {@code {"features": [...], "entity_rows": [...], "full_feature_names": false, "save_as": "name"}}. Entity rows
     * stream straight into the database when {@code features} comes before them (the usual order); otherwise they are
     * read into memory first.
     */
    @Transactional(isolation = Isolation.REPEATABLE_READ)
    public void fromJson(InputStream body, Format format, Sink sink) {
        try (Second second = new Second()) {
            fromJson(body, format, sink, second);
        }
    }

    /**
     * Entity rows that arrive before {@code features} cannot be checked or streamed yet, so they are kept — as their
     * JSON bytes, not as a tree (a tree took about 15 times the body's size) — up to this many bytes (below the bulk body limit, 16 MB, so the refusal is this clear 400). A 170 MB body in
     * that order used to be held whole; larger ones must name {@code features} first (then any size streams) or use
     * the CSV form.
     */
    static final int MAX_BUFFERED_ENTITY_ROWS_BYTES = 8 * 1024 * 1024;

    private byte[] buffer(JsonParser p) {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(8192) {
            @Override
            public synchronized void write(byte[] b, int off, int len) {
                if (count + len > MAX_BUFFERED_ENTITY_ROWS_BYTES) {
                    throw CairnException.invalid("'entity_rows' comes before 'features' and is larger than "
                            + MAX_BUFFERED_ENTITY_ROWS_BYTES / (1024 * 1024) + " MB, so it would have to be held in "
                            + "memory: send 'features' first (then entity rows of any size stream) or use the CSV "
                            + "form (Content-Type: text/csv).");
                }
                super.write(b, off, len);
            }
        };
        try (tools.jackson.core.JsonGenerator g = json.createGenerator(bytes)) {
            g.copyCurrentStructure(p);
        }
        return bytes.toByteArray();
    }

    private void fromJson(InputStream body, Format format, Sink sink, Second second) {
        List<String> features = null;
        boolean fullNames = false;
        String saveAs = null;
        Plan plan = null;
        byte[] bufferedRows = null;
        long row = 0;
        try (JsonParser p = json.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw CairnException.invalid("The body must be a JSON object {\"features\": [...], \"entity_rows\": [...]}.");
            }
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "features" -> features = stringList(p, "features");
                    case "full_feature_names" -> {
                        if (value != JsonToken.VALUE_TRUE && value != JsonToken.VALUE_FALSE && value != JsonToken.VALUE_NULL) {
                            throw CairnException.invalid("'full_feature_names' must be true or false.");
                        }
                        fullNames = value == JsonToken.VALUE_TRUE;
                    }
                    case "save_as" -> {
                        if (value != JsonToken.VALUE_STRING && value != JsonToken.VALUE_NULL) {
                            throw CairnException.invalid("'save_as' must be a name (a string).");
                        }
                        saveAs = value == JsonToken.VALUE_NULL ? null : p.getString();
                    }
                    case "entity_rows" -> {
                        if (value != JsonToken.START_ARRAY) {
                            throw CairnException.invalid("'entity_rows' must be an array of objects.");
                        }
                        if (features == null) {
                            bufferedRows = buffer(p);
                        } else {
                            plan = plan(features, saveAs == null ? second : null);
                            row = streamJsonRows(p, plan);
                        }
                    }
                    default -> throw CairnException.invalid("Unknown field '" + field + "'; known fields are "
                            + "[features, entity_rows, full_feature_names, save_as].");
                }
            }
        } catch (JacksonException e) {
            throw FeatureIngestion.malformedJson(e, row);
        }
        if (features == null) {
            throw CairnException.invalid("'features' is required: a list of <feature view>:<feature> references.");
        }
        if (plan == null) {
            if (bufferedRows == null) {
                throw CairnException.invalid("'entity_rows' is required: a list of objects with the join keys and an "
                        + "event_timestamp.");
            }
            plan = plan(features, saveAs == null ? second : null);
            try (JsonParser p = json.createParser(bufferedRows)) {
                p.nextToken();
                streamJsonRows(p, plan);
            }
        }
        build(plan, new Spec(features, fullNames, saveAs), format, sink);
    }

    /** Entity rows as CSV with a header; the rest of the request comes from the query string. */
    @Transactional(isolation = Isolation.REPEATABLE_READ)
    public void fromCsv(InputStream body, Spec spec, Format format, Sink sink) {
        try (Second second = new Second()) {
            fromCsv(body, spec, format, sink, second);
        }
    }

    private void fromCsv(InputStream body, Spec spec, Format format, Sink sink, Second second) {
        if (spec.features() == null || spec.features().isEmpty()) {
            throw CairnException.invalid("Name the features in the query string: ?features=view:feature,view:other.");
        }
        Plan plan = plan(spec.features(), spec.saveAs() == null ? second : null);
        CsvReader csv = new CsvReader(new InputStreamReader(body, StandardCharsets.UTF_8));
        try {
            String[] header = csv.next();
            if (header == null) {
                throw CairnException.invalid("The CSV body is empty: send a header row, then the entity rows.");
            }
            List<String> names = new ArrayList<>();
            for (String h : header) {
                names.add(h == null ? "" : h.trim());
            }
            plan.rows = new EntityRows(plan.keys, names, json);
            try (CopyWriter copy = store.createEntityTable(plan.rows.tableDefinitions(), plan.rows.tableColumns(), plan.second())) {
                String[] record;
                while ((record = csv.next()) != null) {
                    if (record.length == 1 && record[0] == null && header.length > 1) {
                        continue;
                    }
                    Object[] row = plan.rows.newRow();
                    if (record.length != header.length) {
                        throw CairnException.invalid("Entity row " + row[0] + " (line " + csv.recordLine() + ") has "
                                + record.length + " fields but the header has " + header.length + ".");
                    }
                    for (int i = 0; i < record.length; i++) {
                        plan.rows.setText(row, i, record[i]);
                    }
                    plan.rows.write(row, copy);
                }
                copy.finish();
            }
        } catch (IllegalArgumentException e) {
            throw new CairnException(ErrorCode.MALFORMED_REQUEST, "Malformed CSV: " + e.getMessage() + ".");
        } catch (UncheckedIOException e) {
            throw new CairnException(ErrorCode.MALFORMED_REQUEST, "Could not read the request body: "
                    + e.getCause().getMessage());
        }
        build(plan, spec, format, sink);
    }

    // ---- saved sets --------------------------------------------------------------------------------------------

    @Transactional(readOnly = true)
    public SavedTrainingSet saved(String idOrName) {
        return store.find(idOrName).orElseThrow(() -> CairnException.notFound("Training set '" + idOrName
                + "' does not exist."));
    }

    @Transactional(readOnly = true)
    public List<SavedTrainingSet> saved() {
        return store.list();
    }

    /** Streams a saved set's rows, exactly as they were when it was saved. */
    @Transactional(readOnly = true)
    public void savedRows(String idOrName, Format format, Sink sink) {
        SavedTrainingSet set = saved(idOrName);
        store.textOutput();
        render(savedSelect(set.id(), set.columns().size()), set.columns(), format, sink, 200, headers(set));
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
        SavedTrainingSet set = saved(idOrName);
        List<String> selected = new ArrayList<>(columns.size());
        for (String name : columns) {
            int index = -1;
            for (int i = 0; i < set.columns().size(); i++) {
                if (set.columns().get(i).name().equals(name)) {
                    index = i;
                }
            }
            if (index < 0) {
                throw CairnException.invalid("Training set '" + set.name() + "' has no column '" + name + "'.");
            }
            selected.add("c" + index);
        }
        if (selected.isEmpty()) {
            return;
        }
        Object[] values = new Object[selected.size()];
        boolean[] carried = new boolean[selected.size()];
        for (int i = 0; i < carried.length; i++) {
            String name = columns.get(i);
            carried[i] = set.columns().stream().anyMatch(c -> c.name().equals(name) && c.type().equals("JSON"));
        }
        store.stream("SELECT " + String.join(", ", selected) + " FROM " + TrainingSetStore.table(set.id())
                + " ORDER BY row_id", rs -> {
            for (int i = 0; i < values.length; i++) {
                Object v = rs.getObject(i + 1);
                if (carried[i] && v != null) {
                    v = jsonScalar(rs.getString(i + 1));
                }
                values[i] = v instanceof Number n ? (Object) n.doubleValue()
                        : v == null || v instanceof Boolean || v instanceof String ? v : v.toString();
            }
            visitor.row(values);
        });
    }

    /** A column carried through from the entity rows holds JSON as sent: its scalars as values, the rest as text. */
    private Object jsonScalar(String text) {
        JsonNode node = json.readTree(text);
        if (node.isNumber()) {
            return node.doubleValue();
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isNull()) {
            return null;
        }
        return node.isString() ? node.asString() : text;
    }

    /**
     * Records the saved set as a dataset input of a run (MLflow's log-inputs), so the lineage of a model trained in
     * that run reaches the exact rows it was trained on: source {@code cairn:/api/v1/training-sets/<id>}, digest the
     * first 32 hex digits of the set's SHA-256 (MLflow allows 36 characters), the columns as an MLflow schema and the
     * row count as the profile.
     */
    @Transactional
    public DatasetInput logToRun(String idOrName, String runId, String context) {
        SavedTrainingSet set = saved(idOrName);
        List<Map<String, String>> colspec = new ArrayList<>();
        for (TrainingSetColumn c : set.columns()) {
            Map<String, String> spec = new LinkedHashMap<>();
            spec.put("type", mlflowType(c.type()));
            spec.put("name", c.name());
            colspec.add(spec);
        }
        Dataset dataset = new Dataset(set.name(), set.digest().substring(0, 32), "cairn_training_set",
                json.writeValueAsString(Map.of("uri", set.uri())),
                json.writeValueAsString(Map.of("mlflow_colspec", colspec)),
                json.writeValueAsString(Map.of("num_rows", set.row_count())));
        DatasetInput input = new DatasetInput(Map.of("mlflow.data.context", context == null ? "training" : context),
                dataset);
        runs.logInputs(runId, List.of(input));
        return input;
    }

    private static String mlflowType(String type) {
        return switch (type) {
            case "INT64" -> "long";
            case "INT32" -> "integer";
            case "FLOAT64" -> "double";
            case "FLOAT32" -> "float";
            case "BOOL" -> "boolean";
            case "TIMESTAMP" -> "datetime";
            default -> "string";
        };
    }

    // ---- the build ---------------------------------------------------------------------------------------------

    /**
     * The resolved request: views, features per view, join keys, (once read) the entity rows, and the second backend
     * when it has one.
     */
    private static final class Plan {
        final List<FeatureRef> refs;
        final Map<String, FeatureView> views;
        final Map<String, ValueType> keys;
        final Second second;
        EntityRows rows;

        Plan(List<FeatureRef> refs, Map<String, FeatureView> views, Map<String, ValueType> keys, Second second) {
            this.refs = refs;
            this.views = views;
            this.keys = keys;
            this.second = second;
        }

        ProbeBackend second() {
            return second == null ? null : second.backend;
        }
    }

    /** The request's second backend, if it gets one; closed when the request ends, however it ends. */
    private static final class Second implements AutoCloseable {
        ProbeBackend backend;

        @Override
        public void close() {
            if (backend != null) {
                backend.close();
            }
        }
    }

    /**
     * Resolves the request; with {@code second} given, a request over two or more views also gets a second backend
     * for half of their probes (when the pool has a connection to spare and {@code cairn.features.training-backends}
     * allows it).
     */
    private Plan plan(List<String> features, Second second) {
        if (features.isEmpty()) {
            throw CairnException.invalid("'features' is empty: name at least one <feature view>:<feature>.");
        }
        List<FeatureRef> refs = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (String f : features) {
            FeatureRef ref = FeatureRef.parse(f);
            if (!seen.add(ref.toString())) {
                throw CairnException.invalid("Feature '" + ref + "' is requested twice.");
            }
            refs.add(ref);
        }
        // A training set reads every view it joins: READ on each, before any row is touched.
        refs.stream().map(FeatureRef::view).distinct()
                .forEach(v -> access.require(ResourceType.FEATURE_VIEW, v, Permission.READ));
        Map<String, FeatureView> views = definitions.views(refs.stream().map(FeatureRef::view).toList());
        for (FeatureRef ref : refs) {
            FeatureView view = views.get(ref.view());
            if (view.feature(ref.feature()).isEmpty()) {
                throw CairnException.invalid("Feature view '" + ref.view() + "' has no feature '" + ref.feature()
                        + "'; its features are " + view.features().stream().map(Feature::name).toList() + ".");
            }
        }
        Map<String, ValueType> keys = new LinkedHashMap<>();
        for (FeatureView view : views.values()) {
            for (JoinKey key : view.join_keys()) {
                ValueType earlier = keys.putIfAbsent(key.name(), key.type());
                if (earlier != null && earlier != key.type()) {
                    throw CairnException.invalid("Join key '" + key.name() + "' is " + earlier + " in one requested view "
                            + "and " + key.type() + " in '" + view.name() + "'; they cannot be joined in one request.");
                }
            }
        }
        if (second != null && views.size() > 1 && properties.trainingBackends() > 1) {
            second.backend = store.openProbeBackend().orElse(null);
        }
        return new Plan(refs, views, keys, second);
    }

    private long streamJsonRows(JsonParser p, Plan plan) {
        CopyWriter copy = null;
        long row = 0;
        try {
            while (p.nextToken() != JsonToken.END_ARRAY) {
                row++;
                if (p.currentToken() != JsonToken.START_OBJECT) {
                    throw CairnException.invalid("Entity row " + row + " is not a JSON object.");
                }
                Object[] values;
                if (plan.rows == null) {
                    // The first row names the columns; buffer its values until the table exists.
                    Map<String, JsonNode> first = new LinkedHashMap<>();
                    while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                        String name = p.currentName();
                        p.nextToken();
                        first.put(name, (JsonNode) p.readValueAsTree());
                    }
                    plan.rows = new EntityRows(plan.keys, List.copyOf(first.keySet()), json);
                    copy = store.createEntityTable(plan.rows.tableDefinitions(), plan.rows.tableColumns(), plan.second());
                    values = plan.rows.newRow();
                    int i = 0;
                    for (JsonNode node : first.values()) {
                        try (JsonParser one = json.createParser(node.toString())) {
                            one.nextToken();
                            plan.rows.setJson(values, i++, one);
                        }
                    }
                } else {
                    values = plan.rows.newRow();
                    while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                        int i = plan.rows.column(p.currentName(), row);
                        p.nextToken();
                        plan.rows.setJson(values, i, p);
                    }
                }
                plan.rows.write(values, copy);
            }
            if (copy != null) {
                copy.finish();
            }
        } catch (RuntimeException e) {
            if (copy != null) {
                copy.cancel();
            }
            throw e;
        }
        if (plan.rows == null) {
            // No entity rows at all: an empty table with just the key and timestamp columns.
            List<String> names = new ArrayList<>(plan.keys.keySet());
            names.add(Names.EVENT_TIMESTAMP);
            plan.rows = new EntityRows(plan.keys, names, json);
            store.createEntityTable(plan.rows.tableDefinitions(), plan.rows.tableColumns(), plan.second()).finish();
        }
        return row;
    }

    private void build(Plan plan, Spec spec, Format format, Sink sink) {
        // Output columns: the entity columns as sent, then the features in the order requested.
        List<TrainingSetColumn> columns = new ArrayList<>();
        List<OutputSource> sources = new ArrayList<>();
        Map<String, String> taken = new HashMap<>();
        for (EntityRows.Column c : plan.rows.columns()) {
            String type = switch (c.kind()) {
                case KEY -> c.type().name();
                case TIMESTAMP -> "TIMESTAMP";
                case EXTRA -> "JSON";
            };
            columns.add(new TrainingSetColumn(c.name(), type));
            sources.add(new OutputSource(-1, -1, c.tableColumn()));
            taken.put(c.name(), "the entity rows");
        }
        List<ViewPart> parts = new ArrayList<>();
        Map<String, Integer> partIndex = new HashMap<>();
        Map<String, List<String>> partFeatures = new HashMap<>();
        for (FeatureRef ref : plan.refs) {
            partFeatures.computeIfAbsent(ref.view(), v -> new ArrayList<>()).add(ref.feature());
        }
        for (FeatureView view : plan.views.values()) {
            List<String> viewKeys = new ArrayList<>();
            List<String> entityKeys = new ArrayList<>();
            for (JoinKey key : view.join_keys()) {
                viewKeys.add(key.name());
                entityKeys.add(plan.rows.columns().get(plan.rows.column(key.name(), 0)).tableColumn());
            }
            List<String> feats = partFeatures.get(view.name());
            partIndex.put(view.name(), parts.size());
            parts.add(new ViewPart(view.tableName(), viewKeys, entityKeys, view.ttl_seconds(), feats));
        }
        for (FeatureRef ref : plan.refs) {
            String name = spec.fullFeatureNames() ? ref.fullName() : ref.feature();
            String clash = taken.put(name, "'" + ref + "'");
            if (clash != null) {
                throw CairnException.invalid("Output column '" + name + "' would come from both " + clash + " and '"
                        + ref + "'" + (spec.fullFeatureNames() ? "." : "; set full_feature_names to name feature "
                        + "columns <view>__<feature>."));
            }
            FeatureView view = plan.views.get(ref.view());
            int part = partIndex.get(ref.view());
            columns.add(new TrainingSetColumn(name, view.feature(ref.feature()).orElseThrow().type().name()));
            sources.add(new OutputSource(part, partFeatures.get(ref.view()).indexOf(ref.feature()), null));
        }

        String saveAs = spec.saveAs();
        if (saveAs != null) {
            Names.object("training set", saveAs);
            if (store.nameTaken(saveAs)) {
                throw CairnException.alreadyExists("A training set named '" + saveAs + "' already exists; saved "
                        + "training sets are immutable, so choose another name.");
            }
        }

        Instant[] range = store.analyzeEntityTable();
        store.tuneForJoin(properties.trainingWorkMem());
        store.textOutput();
        ProbeBackend second = plan.second();
        if (saveAs == null && second != null) {
            twoBackends.increment();
            renderOnTwoBackends(second, parts, sources, columns, format, sink);
            return;
        }
        oneBackend.increment();
        List<Output> outputs = sources.stream().map(src -> src.output(src.part())).toList();
        String sql = PointInTimeQuery.sql(parts, aliased(outputs));
        if (saveAs == null) {
            render(sql, columns, format, sink, 200, Map.of());
            return;
        }
        String id = UUID.randomUUID().toString().replace("-", "");
        List<Output> withRowId = new ArrayList<>();
        withRowId.add(PointInTimeQuery.entityColumn("row_id"));
        withRowId.addAll(aliased(outputs));
        store.createSavedTable(id, PointInTimeQuery.sql(parts, withRowId));
        String select = savedSelect(id, columns.size());
        MessageDigest sha = sha256();
        TrainingSetWriter digest = TrainingSetWriter.of(TrainingSetWriter.CSV, columns,
                new DigestOutputStream(OutputStream.nullOutputStream(), sha), json);
        digest.begin();
        store.stream(select, digest::row);
        digest.finish();
        SavedTrainingSet saved = new SavedTrainingSet(id, saveAs, HexFormat.of().formatHex(sha.digest()),
                digest.rows(), plan.refs.stream().map(FeatureRef::toString).toList(), spec.fullFeatureNames(),
                List.copyOf(columns), range[0], range[1], clock.instant().truncatedTo(ChronoUnit.MICROS));
        try {
            store.insert(saved);
            access.grantCreator(ResourceType.TRAINING_SET, saveAs);
        } catch (org.springframework.dao.DuplicateKeyException e) {
            throw CairnException.alreadyExists("A training set named '" + saveAs + "' already exists; saved "
                    + "training sets are immutable, so choose another name.");
        }
        render(select, columns, format, sink, 201, headers(saved));
    }

    /**
     * The join split across the request's backend and the second one: the view parts alternate between them, each
     * backend probes its parts and sorts its result into entity-row order, and the rows are zipped by {@code row_id}
     * (checked on every row) into the output. The request's backend also carries the entity columns. Both statements
     * run at once: the second on a thread of {@link #probeThreads}, the first on the request's.
     */
    private void renderOnTwoBackends(ProbeBackend second, List<ViewPart> parts, List<OutputSource> sources,
                                     List<TrainingSetColumn> columns, Format format, Sink sink) {
        List<List<ViewPart>> groupParts = List.of(new ArrayList<>(), new ArrayList<>());
        int[] groupOf = new int[parts.size()];
        int[] localIndex = new int[parts.size()];
        for (int p = 0; p < parts.size(); p++) {
            groupOf[p] = p % 2;
            localIndex[p] = groupParts.get(p % 2).size();
            groupParts.get(p % 2).add(parts.get(p));
        }
        List<List<Output>> groupOutputs = List.of(new ArrayList<>(), new ArrayList<>());
        int[] source = new int[columns.size()];
        int[] index = new int[columns.size()];
        for (int i = 0; i < columns.size(); i++) {
            OutputSource src = sources.get(i);
            int group = src.part() < 0 ? 0 : groupOf[src.part()];
            groupOutputs.get(group).add(src.output(src.part() < 0 ? -1 : localIndex[src.part()]));
            source[i] = group;
            index[i] = groupOutputs.get(group).size();
        }
        for (List<Output> outs : groupOutputs) {
            outs.add(PointInTimeQuery.entityColumn("row_id"));
        }
        int rowIdA = groupOutputs.get(0).size();
        int rowIdB = groupOutputs.get(1).size();
        String sqlA = PointInTimeQuery.sql(groupParts.get(0), aliased(groupOutputs.get(0)));
        String sqlB = PointInTimeQuery.sql(groupParts.get(1), aliased(groupOutputs.get(1)));

        second.prepare(properties.trainingWorkMem());
        CompletableFuture<ResultSet> startedB = CompletableFuture.supplyAsync(() -> second.query(sqlB), probeThreads);
        ResultSet[] b = {null};
        TrainingSetWriter[] writer = {null};
        store.stream(sqlA, a -> {
            if (b[0] == null) {
                b[0] = await(startedB);
                writer[0] = open(sink, format, 200, Map.of(), columns);
                writer[0].layout(source, index);
            }
            if (!b[0].next() || a.getLong(rowIdA) != b[0].getLong(rowIdB)) {
                throw new IllegalStateException("the two backends' results of a training set do not line up");
            }
            writer[0].row(a, b[0]);
        });
        if (b[0] == null) {
            b[0] = await(startedB);
            writer[0] = open(sink, format, 200, Map.of(), columns);
        }
        try {
            if (b[0].next()) {
                throw new IllegalStateException("the second backend returned more training-set rows than the first");
            }
        } catch (SQLException e) {
            throw new IllegalStateException("reading the second backend's rows failed", e);
        }
        writer[0].finish();
    }

    /** The second backend's result set once its statement is in; its failure as the request's failure. */
    private static ResultSet await(CompletableFuture<ResultSet> started) {
        try {
            return started.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    /**
     * Where an output column's value comes from: feature {@code feature} of view part {@code part}, or (part -1) the
     * entity-table column {@code entityColumn}.
     */
    private record OutputSource(int part, int feature, String entityColumn) {
        /** Its expression in a statement where its view part has index {@code partIndex}. */
        Output output(int partIndex) {
            return part < 0 ? PointInTimeQuery.entityColumn(entityColumn) : PointInTimeQuery.feature(partIndex, feature);
        }
    }

    private static List<Output> aliased(List<Output> outputs) {
        List<Output> aliased = new ArrayList<>();
        for (int i = 0; i < outputs.size(); i++) {
            aliased.add(new Output(outputs.get(i).expression() + " AS c" + i));
        }
        return aliased;
    }

    private static String savedSelect(String id, int columnCount) {
        List<String> cols = new ArrayList<>();
        for (int i = 0; i < columnCount; i++) {
            cols.add("c" + i);
        }
        return "SELECT " + String.join(", ", cols) + " FROM " + TrainingSetStore.table(id) + " ORDER BY row_id";
    }

    private static Map<String, String> headers(SavedTrainingSet set) {
        return Map.of("Location", "/api/v1/training-sets/" + set.id(), "X-Cairn-Training-Set-Id", set.id(),
                "X-Cairn-Training-Set-Digest", "sha256:" + set.digest(), "X-Cairn-Training-Set-Rows",
                Long.toString(set.row_count()));
    }

    private void render(String sql, List<TrainingSetColumn> columns, Format format, Sink sink, int status,
                        Map<String, String> headers) {
        // The query runs before the response starts, so a failure is still a clean error response.
        boolean[] started = {false};
        TrainingSetWriter[] writer = {null};
        store.stream(sql, rs -> {
            if (!started[0]) {
                started[0] = true;
                writer[0] = open(sink, format, status, headers, columns);
            }
            writer[0].row(rs);
        });
        if (!started[0]) {
            writer[0] = open(sink, format, status, headers, columns);
        }
        writer[0].finish();
    }

    private TrainingSetWriter open(Sink sink, Format format, int status, Map<String, String> headers,
                                   List<TrainingSetColumn> columns) {
        try {
            TrainingSetWriter w = TrainingSetWriter.of(format.contentType(), columns,
                    sink.open(status, format.contentType(), headers), json);
            w.begin();
            return w;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> stringList(JsonParser p, String field) {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw CairnException.invalid("'" + field + "' must be a list of strings.");
        }
        List<String> out = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (p.currentToken() != JsonToken.VALUE_STRING) {
                throw CairnException.invalid("'" + field + "' must be a list of strings.");
            }
            out.add(p.getString());
        }
        return out;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
