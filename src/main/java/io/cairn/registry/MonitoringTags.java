package io.cairn.registry;

import io.cairn.platform.error.CairnException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The model-version tags that tell monitoring what a version predicts and where its answer is:
 * <ul>
 *   <li>{@code cairn.features}: the feature references ({@code view:feature}) of the model's input columns, in
 *       order: serving reads them from the online store for a prediction by entity key, and monitoring names the
 *       columns of a 2-D input by them;
 *   <li>{@code cairn.task}: {@code binary_classification}, {@code multiclass_classification} or {@code regression};
 *   <li>{@code cairn.score_output}: the output tensor that holds the score or prediction, {@code name} or, for a 2-D
 *       output, {@code name:column} (say {@code probabilities:1} for the positive class of a two-column output);
 *   <li>{@code cairn.threshold}: for binary classification, the score at or above which the answer is the positive
 *       class (default 0.5);
 *   <li>{@code cairn.label}: the column of the version's training set that holds the target, so the drift of the
 *       version's answers is measured against it.
 * </ul>
 * The registry refuses values that monitoring could not use when they are set (a 400, INVALID_PARAMETER_VALUE), so a
 * typo shows at registration and not as a silently unmonitored version.
 */
public final class MonitoringTags {

    public static final String FEATURES = "cairn.features";
    public static final String TASK = "cairn.task";
    public static final String SCORE_OUTPUT = "cairn.score_output";
    public static final String THRESHOLD = "cairn.threshold";
    public static final String LABEL = "cairn.label";
    public static final double DEFAULT_THRESHOLD = 0.5;

    /** What a version predicts. */
    public enum Task {
        BINARY_CLASSIFICATION, MULTICLASS_CLASSIFICATION, REGRESSION;

        public String tagValue() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Where the score is: an output, and for a 2-D output the column (null: the output is 1-D or one column). */
    public record ScoreOutput(String output, Integer column) {
    }

    /** A version's monitoring settings, as its tags give them. */
    public record Settings(Task task, ScoreOutput scoreOutput, double threshold) {
    }

    private MonitoringTags() {
    }

    /** Refuses a monitoring tag whose value is not usable; other tags pass untouched. */
    static void validate(String key, String value) {
        switch (key) {
            case TASK -> task(value);
            case SCORE_OUTPUT -> scoreOutput(value);
            case THRESHOLD -> threshold(value);
            case LABEL -> {
                if (value.isBlank()) {
                    throw CairnException.invalid("Invalid value for tag " + LABEL + ": name the training-set column "
                            + "that holds the target.");
                }
            }
            default -> {
            }
        }
    }

    /** The feature references listed in a version's {@code cairn.features} tag, in order; empty without one. */
    public static List<String> featureRefs(Map<String, String> tags) {
        String tag = tags.get(FEATURES);
        if (tag == null || tag.isBlank()) {
            return List.of();
        }
        return Arrays.stream(tag.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    /** The settings of a version whose tags name a task; empty when {@code cairn.task} is not set. */
    public static Optional<Settings> of(Map<String, String> tags) {
        String task = tags.get(TASK);
        if (task == null) {
            return Optional.empty();
        }
        String score = tags.get(SCORE_OUTPUT);
        String threshold = tags.get(THRESHOLD);
        return Optional.of(new Settings(task(task), score == null ? null : scoreOutput(score),
                threshold == null ? DEFAULT_THRESHOLD : threshold(threshold)));
    }

    private static Task task(String value) {
        for (Task t : Task.values()) {
            if (t.tagValue().equals(value.strip())) {
                return t;
            }
        }
        throw CairnException.invalid("Invalid value '" + value + "' for tag " + TASK + ": use binary_classification, "
                + "multiclass_classification or regression.");
    }

    private static ScoreOutput scoreOutput(String value) {
        String v = value.strip();
        int colon = v.lastIndexOf(':');
        String output = colon < 0 ? v : v.substring(0, colon);
        Integer column = null;
        if (colon >= 0) {
            try {
                column = Integer.parseInt(v.substring(colon + 1));
            } catch (NumberFormatException e) {
                column = -1;
            }
        }
        if (output.isEmpty() || (column != null && column < 0)) {
            throw CairnException.invalid("Invalid value '" + value + "' for tag " + SCORE_OUTPUT + ": name the output "
                    + "tensor, and for a 2-D output its column from 0 (for example probabilities:1).");
        }
        return new ScoreOutput(output, column);
    }

    private static double threshold(String value) {
        double t;
        try {
            t = Double.parseDouble(value.strip());
        } catch (NumberFormatException e) {
            t = Double.NaN;
        }
        if (!(t >= 0 && t <= 1)) {
            throw CairnException.invalid("Invalid value '" + value + "' for tag " + THRESHOLD + ": use a number from 0 "
                    + "to 1 (the score at or above which the answer is the positive class).");
        }
        return t;
    }
}
