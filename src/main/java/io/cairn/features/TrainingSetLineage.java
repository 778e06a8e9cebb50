package io.cairn.features;

import io.cairn.features.store.TrainingSetStore;
import io.cairn.tracking.Dataset;
import io.cairn.tracking.DatasetInput;
import io.cairn.tracking.RunLoggingService;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * A saved training set as an MLflow dataset input of a run (MLflow's log-inputs), so the lineage of a model trained
 * in that run reaches the exact rows it was trained on: source {@code cairn:/api/v1/training-sets/<id>}, digest the
 * first 32 hex digits of the set's SHA-256 (MLflow allows 36 characters), the columns as an MLflow schema and the
 * row count as the profile.
 */
@Component
class TrainingSetLineage {

    /** MLflow's dataset source type for a saved training set. */
    static final String SOURCE_TYPE = "cairn_training_set";

    /** The column type of a column carried through from the entity rows. */
    private static final String CARRIED = "JSON";

    private final RunLoggingService runs;
    private final TrainingSetStore store;
    private final JsonMapper json;

    TrainingSetLineage(RunLoggingService runs, TrainingSetStore store, JsonMapper json) {
        this.runs = runs;
        this.store = store;
        this.json = json;
    }

    DatasetInput logToRun(SavedTrainingSet set, String runId, String context) {
        // A carried-through column (a label) is stored as the JSON it was sent as; its schema type is that of its
        // values, so an integer label is "long" as MLflow's own pandas datasets would say, not "string".
        List<Integer> carried = new ArrayList<>();
        for (int i = 0; i < set.columns().size(); i++) {
            if (set.columns().get(i).type().equals(CARRIED)) {
                carried.add(i);
            }
        }
        List<ValueType> carriedTypes = store.carriedTypes(set.id(), carried);
        List<Map<String, String>> colspec = new ArrayList<>();
        for (int i = 0; i < set.columns().size(); i++) {
            TrainingSetColumn c = set.columns().get(i);
            int k = carried.indexOf(i);
            Map<String, String> spec = new LinkedHashMap<>();
            spec.put("type", mlflowType(k < 0 ? c.type() : carriedTypes.get(k).name()));
            spec.put("name", c.name());
            colspec.add(spec);
        }
        Dataset dataset = new Dataset(set.name(), set.digest().substring(0, 32), SOURCE_TYPE,
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
}
