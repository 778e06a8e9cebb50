package io.cairn.web;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A dataset's source as a page shows it. MLflow stores a source as its source class's JSON
 * ({@code {"uri": "s3://..."}}, {@code {"url": "https://..."}}, {@code {"path": ..., "delta_table_name": ...}}),
 * which read raw is noise; a page shows the location it names, a link when it is a web address, and a Cairn
 * training set as its name linked to its page.
 */
public final class DatasetSource {

    /** What to show: the text, and where it links (null for plain text). */
    public record Shown(String text, String href) {
    }

    private static final Pattern TRAINING_SET = Pattern.compile("^cairn:/api/v1/training-sets/([0-9a-f]+)$");
    /** The fields of MLflow's source classes that name where the data is, in the order they are looked for. */
    private static final List<String> LOCATION_FIELDS = List.of("uri", "url", "path", "table_name",
            "delta_table_name", "sql");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private DatasetSource() {
    }

    /**
     * @param name the dataset's name (a training set's name)
     * @param sourceType MLflow's source type ({@code cairn_training_set}, {@code s3}, {@code http}, ...)
     * @param source the source as stored: usually JSON, sometimes (older clients, hand-made inputs) a plain string
     */
    public static Shown of(String name, String sourceType, String source) {
        if (source == null || source.isBlank()) {
            return new Shown("", null);
        }
        String location = source.strip();
        JsonNode json = parse(location);
        if (json != null && json.isObject()) {
            location = null;
            for (String field : LOCATION_FIELDS) {
                JsonNode value = json.get(field);
                if (value != null && value.isString() && !value.asString().isBlank()) {
                    location = value.asString();
                    break;
                }
            }
            if (location == null) {
                // A source class with other fields (code, a Hugging Face config): its fields as "key: value".
                StringBuilder text = new StringBuilder();
                for (Map.Entry<String, JsonNode> field : json.properties()) {
                    text.append(text.isEmpty() ? "" : ", ").append(field.getKey()).append(": ")
                            .append(field.getValue().isString() ? field.getValue().asString() : field.getValue().toString());
                }
                return new Shown(text.toString(), null);
            }
        }
        Matcher set = TRAINING_SET.matcher(location);
        if (TrainingSetSource.TYPE.equals(sourceType) && set.matches()) {
            return new Shown("training set " + (name == null || name.isBlank() ? set.group(1) : name),
                    "/features/training-sets/" + set.group(1));
        }
        // Only web addresses become links: a javascript: or data: source stays text.
        String lower = location.toLowerCase(java.util.Locale.ROOT);
        boolean web = lower.startsWith("https://") || lower.startsWith("http://");
        return new Shown(location, web ? location : null);
    }

    private static JsonNode parse(String text) {
        if (!text.startsWith("{")) {
            return null;
        }
        try {
            return JSON.readTree(text);
        } catch (JacksonException e) {
            return null;
        }
    }
}
