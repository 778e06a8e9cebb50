package io.cairn.web;

import io.cairn.tracking.Metric;
import io.cairn.tracking.RunBrowsing;
import java.util.regex.Pattern;

/**
 * A column of the runs table: a metric, param or tag key. Its name is the one MLflow's search grammar uses
 * ({@code metrics.acc}, or {@code metrics.`val loss`} when the key needs quoting), so the same text orders and filters.
 */
public record RunColumn(Kind kind, String key) {

    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_]+");

    public enum Kind {
        METRIC("metrics"), PARAM("params"), TAG("tags");

        final String prefix;

        Kind(String prefix) {
            this.prefix = prefix;
        }

        public String prefix() {
            return prefix;
        }
    }

    /** The column a {@code col} parameter names ({@code metrics.acc}); null when it names none. */
    static RunColumn parse(String text) {
        for (Kind kind : Kind.values()) {
            if (text.startsWith(kind.prefix + ".") && text.length() > kind.prefix.length() + 1) {
                return new RunColumn(kind, text.substring(kind.prefix.length() + 1));
            }
        }
        return null;
    }

    /** What the {@code col} parameter holds for this column. */
    public String id() {
        return kind.prefix + "." + key;
    }

    /** The column in MLflow's search grammar, for order_by. */
    public String searchName() {
        return kind.prefix + "." + (PLAIN.matcher(key).matches() ? key : "`" + key.replace("`", "") + "`");
    }

    /** The row's value in this column as the table shows it; empty when the run has none. */
    public String value(RunBrowsing.Row row) {
        return switch (kind) {
            case METRIC -> {
                Metric m = row.metrics().get(key);
                yield m == null ? "" : Format.number(m.value());
            }
            case PARAM -> row.params().getOrDefault(key, "");
            case TAG -> row.tags().getOrDefault(key, "");
        };
    }
}
