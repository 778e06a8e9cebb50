package io.cairn.platform.search;

import java.util.List;

/**
 * One clause of an MLflow search filter, e.g. {@code metrics.acc > 0.9} or {@code attributes.run_id IN ('a','b')}.
 *
 * @param entity     what the key names: metric, param, tag, attribute or dataset
 * @param key        the metric/param/tag key or the attribute name, unquoted
 * @param comparator upper-case comparator: = != &lt; &lt;= &gt; &gt;= LIKE ILIKE IN NOT IN
 * @param value      a {@link Double} for numbers, a {@link String} for strings, a {@code List<String>} for IN
 */
public record Comparison(Entity entity, String key, String comparator, Object value) {

    public enum Entity { METRIC, PARAM, TAG, ATTRIBUTE, DATASET }

    public boolean isNumeric() {
        return value instanceof Double;
    }

    @SuppressWarnings("unchecked")
    public List<String> values() {
        return (List<String>) value;
    }
}
