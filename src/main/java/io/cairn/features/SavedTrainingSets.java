package io.cairn.features;

import io.cairn.features.TrainingSetPlanner.Layout;
import io.cairn.features.TrainingSets.Format;
import io.cairn.features.TrainingSets.RowVisitor;
import io.cairn.features.TrainingSets.Sink;
import io.cairn.features.store.PointInTimeQuery;
import io.cairn.features.store.PointInTimeQuery.Output;
import io.cairn.features.store.TrainingSetStore;
import io.cairn.platform.error.CairnException;
import io.cairn.platform.security.Access;
import io.cairn.platform.security.ResourceType;
import java.io.OutputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Saved training sets: a join's result stored once in its own table, digested (SHA-256 of its CSV rendering) and
 * recorded; read back exactly as saved, whole or column by column.
 */
@Component
class SavedTrainingSets {

    private final TrainingSetStore store;
    private final TrainingSetOutput output;
    private final Access access;
    private final JsonMapper json;
    private final Clock clock;

    SavedTrainingSets(TrainingSetStore store, TrainingSetOutput output, Access access, JsonMapper json, Clock clock) {
        this.store = store;
        this.output = output;
        this.access = access;
        this.json = json;
        this.clock = clock;
    }

    /** A 400 before any work when the name is not a valid one or is already taken. */
    void checkName(String saveAs) {
        Names.object("training set", saveAs);
        if (store.nameTaken(saveAs)) {
            throw taken(saveAs);
        }
    }

    /**
     * Runs the join into a new saved table, digests its CSV rendering, records it, grants its creator, and answers
     * the saved rows with 201 and the set's headers.
     *
     * @param range the earliest and latest entity timestamp
     */
    void save(String name, TrainingSetPlan plan, Layout layout, boolean fullFeatureNames, Instant[] range,
              Format format, Sink sink) {
        List<TrainingSetColumn> columns = layout.columns();
        String id = UUID.randomUUID().toString().replace("-", "");
        List<Output> withRowId = new ArrayList<>();
        withRowId.add(PointInTimeQuery.entityColumn("row_id"));
        withRowId.addAll(TrainingSetPlanner.aliased(layout.sources().stream().map(src -> src.output(src.part())).toList()));
        store.createSavedTable(id, PointInTimeQuery.sql(layout.parts(), withRowId));
        String select = select(id, columns.size());
        MessageDigest sha = sha256();
        TrainingSetWriter digest = TrainingSetWriter.of(TrainingSetWriter.CSV, columns,
                new DigestOutputStream(OutputStream.nullOutputStream(), sha), json);
        digest.begin();
        store.stream(select, digest::row);
        digest.finish();
        SavedTrainingSet saved = new SavedTrainingSet(id, name, HexFormat.of().formatHex(sha.digest()),
                digest.rows(), plan.refs.stream().map(FeatureRef::toString).toList(), fullFeatureNames,
                List.copyOf(columns), range[0], range[1], clock.instant().truncatedTo(ChronoUnit.MICROS));
        try {
            store.insert(saved);
            access.grantCreator(ResourceType.TRAINING_SET, name);
        } catch (org.springframework.dao.DuplicateKeyException e) {
            throw taken(name);
        }
        output.render(select, columns, format, sink, 201, headers(saved));
    }

    SavedTrainingSet find(String idOrName) {
        return store.find(idOrName).orElseThrow(() -> CairnException.notFound("Training set '" + idOrName
                + "' does not exist."));
    }

    List<SavedTrainingSet> list() {
        return store.list();
    }

    void rows(String idOrName, Format format, Sink sink) {
        SavedTrainingSet set = find(idOrName);
        store.textOutput();
        output.render(select(set.id(), set.columns().size()), set.columns(), format, sink, 200, headers(set));
    }

    void readColumns(String idOrName, List<String> columns, RowVisitor visitor) {
        SavedTrainingSet set = find(idOrName);
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

    private static String select(String id, int columnCount) {
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

    private static CairnException taken(String name) {
        return CairnException.alreadyExists("A training set named '" + name + "' already exists; saved "
                + "training sets are immutable, so choose another name.");
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
