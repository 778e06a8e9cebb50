package io.cairn.registry.card;

import io.cairn.registry.ModelVersion;
import io.cairn.registry.card.ModelCard.ConfidenceInterval;
import io.cairn.registry.card.ModelCard.Dataset;
import io.cairn.registry.card.ModelCard.KeyVal;
import io.cairn.registry.card.ModelCard.ModelDetails;
import io.cairn.registry.card.ModelCard.ModelParameters;
import io.cairn.registry.card.ModelCard.Owner;
import io.cairn.registry.card.ModelCard.PerformanceMetric;
import io.cairn.registry.card.ModelCard.QuantitativeAnalysis;
import io.cairn.registry.card.ModelCard.Reference;
import io.cairn.tracking.DatasetInput;
import io.cairn.tracking.Metric;
import io.cairn.tracking.Run;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds a version's first card from its lineage: the run's params (hyperparameters, architecture), latest metrics
 * (performance, with slices and confidence intervals by naming convention), tags and dataset inputs, and the
 * signature in the version's MLmodel file.
 *
 * <p>Metric naming convention: {@code accuracy} is overall; {@code accuracy/country:DE} is the slice
 * {@code country:DE}; {@code accuracy.ci_lower} and {@code accuracy.ci_upper} (also after a slice) bound the value.
 */
final class CardFromLineage {

    static final String ARCHITECTURE_TAG = "cairn.model.architecture";
    /** The run tag in which MLflow's clients record who ran it. */
    static final String USER_TAG = "mlflow.user";
    private static final List<String> ARCHITECTURE_PARAMS = List.of("architecture", "model_architecture", "model_type",
            "estimator", "model");
    private static final String CI_LOWER = ".ci_lower";
    private static final String CI_UPPER = ".ci_upper";

    private CardFromLineage() {
    }

    /** The schema read from an MLmodel file's signature, if it has one. */
    record Signature(String inputs, List<KeyVal> inputMap, String outputs, List<KeyVal> outputMap) {
    }

    static ModelCard build(ModelVersion version, Run run, String artifactUri, Signature signature) {
        String overview = version.description();
        String owner = version.userId();
        List<Dataset> data = new ArrayList<>();
        List<KeyVal> hyperparameters = new ArrayList<>();
        String architecture = null;
        List<PerformanceMetric> metrics = List.of();
        if (run != null) {
            if (overview == null || overview.isBlank()) {
                overview = run.tags().get("mlflow.note.content");
            }
            // MLflow's clients name the run's user in the mlflow.user tag (it is what MLflow's UI shows as the user);
            // the run's user_id field is deprecated and often empty or "unknown", so it is the last resort.
            if (owner == null || owner.isBlank()) {
                owner = run.tags().get(USER_TAG);
            }
            if (owner == null || owner.isBlank()) {
                owner = run.info().userId();
            }
            run.params().forEach((k, v) -> hyperparameters.add(new KeyVal(k, v)));
            architecture = run.tags().get(ARCHITECTURE_TAG);
            for (String p : ARCHITECTURE_PARAMS) {
                if (architecture == null) {
                    architecture = run.params().get(p);
                }
            }
            for (DatasetInput input : run.inputs()) {
                data.add(new Dataset(input.dataset().name(), input.dataset().source(), input.dataset().digest(),
                        input.dataset().sourceType(), input.tags().get("mlflow.data.context"), null, null));
            }
            metrics = performance(run.latestMetrics());
        }
        List<Reference> references = new ArrayList<>();
        references.add(new Reference(version.source()));
        if (run != null) {
            references.add(new Reference("runs:/" + run.info().runId()));
        }
        ModelDetails details = new ModelDetails(version.name(), overview, null,
                owner == null || owner.isBlank() ? List.of() : List.of(new Owner(owner, null)),
                new ModelCard.Version(Integer.toString(version.version()),
                        Instant.ofEpochMilli(version.creationTimestamp()).toString(), null),
                List.of(), references, List.of(), artifactUri);
        ModelParameters parameters = new ModelParameters(architecture, data,
                signature == null ? null : signature.inputs(), signature == null ? List.of() : signature.inputMap(),
                signature == null ? null : signature.outputs(), signature == null ? List.of() : signature.outputMap(),
                hyperparameters);
        return new ModelCard(details, parameters, new QuantitativeAnalysis(metrics, null), null);
    }

    static List<PerformanceMetric> performance(List<Metric> latest) {
        Map<String, Double> values = new LinkedHashMap<>();
        for (Metric m : latest) {
            values.put(m.key(), m.value());
        }
        List<PerformanceMetric> out = new ArrayList<>();
        for (Map.Entry<String, Double> e : values.entrySet()) {
            String key = e.getKey();
            if (key.endsWith(CI_LOWER) || key.endsWith(CI_UPPER)) {
                continue;
            }
            Double lower = values.get(key + CI_LOWER);
            Double upper = values.get(key + CI_UPPER);
            int slash = key.indexOf('/');
            String type = slash < 0 ? key : key.substring(0, slash);
            String slice = slash < 0 ? null : key.substring(slash + 1);
            ConfidenceInterval interval = lower == null && upper == null ? null
                    : new ConfidenceInterval(format(lower), format(upper));
            out.add(new PerformanceMetric(type, format(e.getValue()), slice, interval));
        }
        return out;
    }

    private static String format(Double value) {
        if (value == null) {
            return null;
        }
        if (!value.isNaN() && !value.isInfinite() && value == Math.rint(value) && Math.abs(value) < 1e15) {
            return Long.toString(value.longValue());
        }
        return Double.toString(value);
    }
}
