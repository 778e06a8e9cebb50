package io.cairn.tracking;

import io.cairn.platform.error.CairnException;
import io.cairn.platform.text.NulCheck;
import java.util.regex.Pattern;

/** MLflow's validation rules (mlflow/utils/validation.py), applied before anything is written. */
final class TrackingLimits {

    static final int MAX_ENTITY_KEY_LENGTH = 250;
    static final int MAX_PARAM_VALUE_LENGTH = 6000;
    static final int MAX_TAG_VALUE_LENGTH = 8000;
    static final int MAX_EXPERIMENT_TAG_VALUE_LENGTH = 5000;
    static final int MAX_EXPERIMENT_NAME_LENGTH = 500;
    static final int MAX_RUN_NAME_LENGTH = 250;
    static final int MAX_METRICS_PER_BATCH = 1000;
    static final int MAX_PARAMS_TAGS_PER_BATCH = 100;
    static final int MAX_ENTITIES_PER_BATCH = 1000;
    static final int MAX_DATASET_NAME_LENGTH = 500;
    static final int MAX_DATASET_DIGEST_LENGTH = 36;
    static final int MAX_DATASET_SOURCE_LENGTH = 65535;
    static final int MAX_DATASET_SCHEMA_LENGTH = 1_048_575;
    static final int MAX_DATASET_PROFILE_LENGTH = 16_384;
    static final int MAX_RESULTS_SEARCH = 50_000;
    static final int MAX_RESULTS_HISTORY = 25_000;

    private static final Pattern KEY = Pattern.compile("^[\\w.\\- /:]*$", Pattern.UNICODE_CHARACTER_CLASS);

    private TrackingLimits() {
    }

    static void key(String kind, String key) {
        if (key == null || key.isEmpty()) {
            throw CairnException.invalid("Missing value for required parameter 'key' of the " + kind + ".");
        }
        NulCheck.noNul(kind + " key", key);
        if (key.length() > MAX_ENTITY_KEY_LENGTH) {
            throw CairnException.invalid(capitalize(kind) + " name '" + abbreviate(key) + "' had length "
                    + key.length() + ", which exceeded length limit of " + MAX_ENTITY_KEY_LENGTH + ".");
        }
        if (!KEY.matcher(key).matches()) {
            throw CairnException.invalid("Invalid " + kind + " name: '" + key + "'. Names may only contain "
                    + "alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), colons (:) and slashes (/).");
        }
        if (key.startsWith("/") || key.equals("..") || key.startsWith("../") || key.endsWith("/..")
                || key.contains("/../") || key.contains("//")) {
            throw CairnException.invalid("Invalid " + kind + " name: '" + key
                    + "'. Names may be treated as files in certain cases, and must not resolve to other names "
                    + "when treated as such (no leading '/', no '..' segments, no '//').");
        }
    }

    static void value(String kind, String key, String value, int limit) {
        if (value == null) {
            throw CairnException.invalid("Missing value for required parameter 'value' of " + kind + " '" + key + "'.");
        }
        NulCheck.noNul(kind + " '" + key + "'", value);
        if (value.length() > limit) {
            throw CairnException.invalid(capitalize(kind) + " value '" + abbreviate(value) + "' had length "
                    + value.length() + ", which exceeded length limit of " + limit + ".");
        }
    }

    static void length(String field, String value, int limit) {
        NulCheck.noNul(field, value);
        if (value != null && value.length() > limit) {
            throw CairnException.invalid("'" + field + "' had length " + value.length()
                    + ", which exceeded length limit of " + limit + ".");
        }
    }

    static int maxResults(Integer requested, int defaultValue, int limit) {
        if (requested == null) {
            return defaultValue;
        }
        if (requested <= 0 || requested > limit) {
            throw CairnException.invalid("Invalid value " + requested + " for parameter 'max_results' supplied: "
                    + "it must be between 1 and " + limit + ".");
        }
        return requested;
    }

    static String required(String field, String value) {
        if (value == null || value.isEmpty()) {
            throw CairnException.invalid("Missing value for required parameter '" + field
                    + "'. See the API docs for more information about request parameters.");
        }
        return NulCheck.noNul(field, value);
    }

    private static String abbreviate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 61) + "...";
    }

    private static String capitalize(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
