package io.cairn.registry;

import io.cairn.platform.error.CairnException;
import io.cairn.platform.text.NulCheck;
import java.util.Locale;
import java.util.regex.Pattern;

/** MLflow's registry validation rules: names, aliases, tags. */
final class RegistryLimits {

    static final int MAX_NAME_LENGTH = 256;
    static final int MAX_TAG_KEY_LENGTH = 250;
    static final int MAX_TAG_VALUE_LENGTH = 100_000;
    static final int MAX_ALIAS_LENGTH = 255;
    static final int MAX_DESCRIPTION_LENGTH = 100_000;
    static final int SEARCH_MODELS_DEFAULT = 100;
    static final int SEARCH_MODELS_MAX = 1000;
    static final int SEARCH_VERSIONS_DEFAULT = 10_000;
    static final int SEARCH_VERSIONS_MAX = 200_000;

    private static final Pattern ALIAS = Pattern.compile("^[\\w\\-]+$");
    private static final Pattern VERSION_LIKE = Pattern.compile("^v\\d+$", Pattern.CASE_INSENSITIVE);
    private static final Pattern TAG_KEY = Pattern.compile("^[\\w.\\- /:]+$", Pattern.UNICODE_CHARACTER_CLASS);

    private RegistryLimits() {
    }

    static String modelName(String name) {
        if (name == null || name.isBlank()) {
            throw CairnException.invalid("Registered model name cannot be empty.");
        }
        NulCheck.noNul("name", name);
        if (name.length() > MAX_NAME_LENGTH) {
            throw CairnException.invalid("Registered model name '" + name.substring(0, 40) + "...' is " + name.length()
                    + " characters long; the limit is " + MAX_NAME_LENGTH + ".");
        }
        return name;
    }

    static void alias(String alias) {
        if (alias == null || alias.isEmpty()) {
            throw CairnException.invalid("Missing value for required parameter 'alias'.");
        }
        NulCheck.noNul("alias", alias);
        if (alias.length() > MAX_ALIAS_LENGTH) {
            throw CairnException.invalid("Alias '" + alias.substring(0, 40) + "...' exceeds the maximum length of "
                    + MAX_ALIAS_LENGTH + " characters.");
        }
        if (!ALIAS.matcher(alias).matches()) {
            throw CairnException.invalid("Invalid alias name: '" + alias + "'. Names may only contain alphanumerics, "
                    + "underscores (_), and dashes (-).");
        }
        if (VERSION_LIKE.matcher(alias).matches()) {
            throw CairnException.invalid("Invalid alias name: '" + alias + "'. Aliases in the format 'v<number>' are "
                    + "reserved for version references.");
        }
        if (alias.toLowerCase(Locale.ROOT).equals("latest")) {
            throw CairnException.invalid("'" + alias + "' alias name (case insensitive) is reserved.");
        }
    }

    static void tag(String key, String value) {
        if (key == null || key.isEmpty()) {
            throw CairnException.invalid("Missing value for required parameter 'key'.");
        }
        NulCheck.noNul("key", key);
        if (key.length() > MAX_TAG_KEY_LENGTH) {
            throw CairnException.invalid("Tag key '" + key.substring(0, 40) + "...' had length " + key.length()
                    + ", which exceeded length limit of " + MAX_TAG_KEY_LENGTH + ".");
        }
        if (!TAG_KEY.matcher(key).matches() || key.startsWith("/") || key.contains("..")) {
            throw CairnException.invalid("Invalid tag name: '" + key + "'. Names may only contain alphanumerics, "
                    + "underscores (_), dashes (-), periods (.), spaces ( ), colons (:) and slashes (/).");
        }
        if (value == null) {
            throw CairnException.invalid("Missing value for required parameter 'value' of tag '" + key + "'.");
        }
        NulCheck.noNul("value of tag '" + key + "'", value);
        if (value.length() > MAX_TAG_VALUE_LENGTH) {
            throw CairnException.invalid("Tag value for '" + key + "' had length " + value.length()
                    + ", which exceeded length limit of " + MAX_TAG_VALUE_LENGTH + ".");
        }
    }

    static void description(String description) {
        NulCheck.noNul("description", description);
        if (description != null && description.length() > MAX_DESCRIPTION_LENGTH) {
            throw CairnException.invalid("Description had length " + description.length()
                    + ", which exceeded length limit of " + MAX_DESCRIPTION_LENGTH + ".");
        }
    }

    static int maxResults(Integer requested, int defaultValue, int limit) {
        if (requested == null || requested == 0) {
            return defaultValue;
        }
        if (requested < 0 || requested > limit) {
            throw CairnException.invalid("Invalid value " + requested + " for parameter 'max_results' supplied: "
                    + "it must be between 1 and " + limit + ".");
        }
        return requested;
    }

    static int version(String version) {
        if (version == null || version.isEmpty()) {
            throw CairnException.invalid("Missing value for required parameter 'version'.");
        }
        try {
            int v = Integer.parseInt(version);
            if (v < 1) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw CairnException.invalid("Invalid value '" + version + "' for parameter 'version': a model version is "
                    + "a positive integer.");
        }
    }
}
