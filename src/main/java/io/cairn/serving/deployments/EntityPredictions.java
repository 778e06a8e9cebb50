package io.cairn.serving.deployments;

import ai.onnxruntime.OrtException;
import io.cairn.features.OnlineFeatureReader;
import io.cairn.features.OnlineFeatureValues;
import io.cairn.platform.error.CairnException;
import io.cairn.platform.error.ErrorCode;
import io.cairn.serving.RequestTags;
import io.cairn.serving.batching.Batcher;
import io.cairn.serving.deployments.ServingMetrics.ModelMeters;
import io.cairn.serving.log.PredictionIds;
import io.cairn.serving.log.PredictionLog;
import io.cairn.serving.log.PredictionRecord;
import io.cairn.serving.onnx.Datatype;
import io.cairn.serving.onnx.Tensor;
import io.cairn.serving.onnx.TensorSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.stereotype.Service;
import tools.jackson.databind.JsonNode;

/**
 * Prediction by entity key: the model's input features are read from the online store in-process, for the feature
 * references recorded on the model version (tag {@code cairn.features}: {@code view:feature} in the order of the
 * model's input columns), stacked into the model's one 2-D FP32 or FP64 input {@code [rows, features]}, and run.
 *
 * <p>Missing features are refused rather than guessed: a value that is {@code NOT_FOUND} or {@code NULL_VALUE} (and,
 * unless the deployment has {@code stale_features: accept}, one {@code OUTSIDE_MAX_AGE}) makes the whole request a 422
 * naming each entity and feature. Features are converted to the input's float type (booleans as 0/1); a string
 * feature cannot feed a numeric input and is a 409, as is a model without the tag or with another input layout.
 */
@Service
public class EntityPredictions {

    static final int MAX_PROBLEMS_LISTED = 10;

    private final DeploymentRouter router;
    private final OnlineFeatureReader features;
    private final PredictionLog predictionLog;

    EntityPredictions(DeploymentRouter router, OnlineFeatureReader features, PredictionLog predictionLog) {
        this.router = router;
        this.features = features;
        this.predictionLog = predictionLog;
    }

    /** An output tensor in the protocol's JSON form. */
    public record OutputTensor(String name, String datatype, long[] shape, Object data) {
    }

    /** The feature values used, in Feast's layout: entity keys first, then the model's features in input order. */
    public record FeaturesUsed(List<String> feature_names, List<FeatureColumn> results) {
    }

    /** One column of {@link FeaturesUsed}. */
    public record FeatureColumn(List<Object> values, List<String> statuses, List<String> event_timestamps) {
    }

    /** The answer: which version answered, the outputs, and the features that went in. */
    public record Prediction(String deployment, String model, String model_version, String alias,
                             String prediction_id, List<OutputTensor> outputs, FeaturesUsed features) {
    }

    /**
     * The request tags of a prediction's {@code parameters} object ({@link RequestTags}): its scalar entries as text.
     */
    public static Map<String, String> tags(JsonNode parameters) {
        if (parameters == null || parameters.isNull()) {
            return Map.of();
        }
        if (!parameters.isObject()) {
            throw CairnException.invalid("'parameters' must be an object of request tags, e.g. {\"region\": \"eu\"}.");
        }
        RequestTags tags = new RequestTags("parameters");
        for (Map.Entry<String, JsonNode> e : parameters.properties()) {
            JsonNode v = e.getValue();
            if (v.isValueNode() && !v.isNull()) {
                tags.add(e.getKey(), v.asString());
            }
        }
        return tags.toMap();
    }

    public Prediction predict(String deployment, Map<String, List<JsonNode>> entities, Map<String, String> tags) {
        if (entities == null || entities.isEmpty()) {
            throw CairnException.invalid("'entities' is required: join keys mapped to lists of values, e.g. "
                    + "{\"entities\": {\"driver_id\": [1001, 1002]}}.");
        }
        long start = System.nanoTime();
        try (Lease lease = router.lease(deployment, null)) {
            ServedModel model = lease.model();
            ModelMeters meters = model.meters();
            try {
                return run(deployment, entities, tags, lease, model, meters, start);
            } catch (CairnException e) {
                if (e.code().httpStatus() < 500) {
                    meters.badRequest();
                } else {
                    meters.failed();
                }
                throw e;
            } catch (RuntimeException e) {
                meters.failed();
                throw e;
            }
        }
    }

    private Prediction run(String deployment, Map<String, List<JsonNode>> entities, Map<String, String> tags,
                           Lease lease, ServedModel model,
                           ModelMeters meters, long start) {
        String label = "Model " + model.model() + " version " + model.version();
        List<String> refs = model.featureRefs();
        if (refs.isEmpty()) {
            throw new CairnException(ErrorCode.CONFLICT, label + " has no " + ModelLoader.FEATURES_TAG + " tag; "
                    + "prediction by entity needs the feature references of its input columns, e.g. tag "
                    + ModelLoader.FEATURES_TAG + " = \"driver_stats:conv_rate,driver_stats:trips\".");
        }
        TensorSpec input = featureInput(model, label, refs.size());
        OnlineFeatureValues read = features.read(refs, entities);
        int keys = read.names().size() - refs.size();
        int rows = read.columns().get(0).values().size();
        if (rows == 0) {
            throw CairnException.invalid("'entities' holds no rows: give each join key at least one value.");
        }
        refuseMissing(read, keys, refs, rows, router.acceptsStaleFeatures(deployment));

        Object data = input.datatype().newArray(Math.multiplyExact(rows, refs.size()));
        for (int f = 0; f < refs.size(); f++) {
            OnlineFeatureValues.Column column = read.columns().get(keys + f);
            for (int r = 0; r < rows; r++) {
                double v = numeric(column.values().get(r), refs.get(f), label);
                int at = r * refs.size() + f;
                if (input.datatype() == Datatype.FP32) {
                    ((float[]) data)[at] = (float) v;
                } else {
                    ((double[]) data)[at] = v;
                }
            }
        }
        Map<String, Tensor> inputs = Map.of(input.name(),
                new Tensor(input.datatype(), new long[] {rows, refs.size()}, data));
        Batcher.Outcome outcome;
        try {
            outcome = lease.infer(inputs, null);
        } catch (OrtException e) {
            throw new CairnException(ErrorCode.INTERNAL_ERROR, "Inference failed in ONNX Runtime: "
                    + e.getMessage().strip());
        }
        long totalNanos = System.nanoTime() - start;
        meters.succeeded(outcome.queueNanos(), outcome.computeNanos(), totalNanos);
        UUID predictionId = PredictionIds.next();
        predictionLog.offer(new PredictionRecord(predictionId, deployment, model.model(), model.version(),
                model.alias(), null, predictionLog.logsInputs() ? inputs : null, entities, outcome.outputs(),
                totalNanos / 1e6, Instant.now(), tags));

        List<OutputTensor> outputs = new ArrayList<>();
        outcome.outputs().forEach((name, t) -> outputs.add(new OutputTensor(name, t.datatype().name(), t.shape(),
                t.jsonData())));
        List<FeatureColumn> columns = new ArrayList<>();
        for (OnlineFeatureValues.Column c : read.columns()) {
            columns.add(new FeatureColumn(c.values(), c.statuses(), c.eventTimestamps()));
        }
        return new Prediction(deployment, model.model(), model.versionText(), model.alias(), predictionId.toString(),
                outputs, new FeaturesUsed(read.names(), columns));
    }

    private static TensorSpec featureInput(ServedModel model, String label, int features) {
        List<TensorSpec> inputs = model.onnx().inputs();
        TensorSpec input = inputs.size() == 1 ? inputs.get(0) : null;
        if (input == null || input.shape().length != 2
                || (input.datatype() != Datatype.FP32 && input.datatype() != Datatype.FP64)
                || (input.shape()[1] >= 0 && input.shape()[1] != features)) {
            throw new CairnException(ErrorCode.CONFLICT, label + " cannot be fed by entity: it needs one 2-D FP32 or "
                    + "FP64 input [rows, " + features + "] for its " + features + " features ("
                    + ModelLoader.FEATURES_TAG + "), but its inputs are " + inputs.stream()
                    .map(s -> s.name() + " " + s.datatype() + " " + s.shapeText()).toList() + ".");
        }
        return input;
    }

    private static void refuseMissing(OnlineFeatureValues read, int keys, List<String> refs, int rows,
                                      boolean acceptStale) {
        List<String> problems = new ArrayList<>();
        int count = 0;
        for (int f = 0; f < refs.size(); f++) {
            List<String> statuses = read.columns().get(keys + f).statuses();
            for (int r = 0; r < rows; r++) {
                String status = statuses.get(r);
                boolean missing = status.equals("NOT_FOUND") || status.equals("NULL_VALUE")
                        || (status.equals("OUTSIDE_MAX_AGE") && !acceptStale);
                if (missing) {
                    count++;
                    if (problems.size() < MAX_PROBLEMS_LISTED) {
                        problems.add(entity(read, keys, r) + ": " + refs.get(f) + " is " + status);
                    }
                }
            }
        }
        if (count > 0) {
            throw new CairnException(ErrorCode.UNPROCESSABLE_ENTITY, "Features are missing, so no prediction was made ("
                    + count + " value" + (count == 1 ? "" : "s") + "): " + String.join("; ", problems)
                    + (count > problems.size() ? "; ..." : "") + ".");
        }
    }

    private static String entity(OnlineFeatureValues read, int keys, int row) {
        StringBuilder s = new StringBuilder();
        for (int k = 0; k < keys; k++) {
            if (k > 0) {
                s.append(", ");
            }
            s.append(read.names().get(k)).append('=').append(read.columns().get(k).values().get(row));
        }
        return s.toString();
    }

    private static double numeric(Object value, String ref, String label) {
        if (value instanceof Number n) {
            return n.doubleValue();
        }
        if (value instanceof Boolean b) {
            return b ? 1 : 0;
        }
        throw new CairnException(ErrorCode.CONFLICT, "Feature " + ref + " holds text ('" + value + "'); " + label
                + " takes numbers, so it cannot be fed by entity.");
    }
}
