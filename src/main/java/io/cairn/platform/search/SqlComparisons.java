package io.cairn.platform.search;

import io.cairn.platform.error.CairnException;
import java.util.Map;

/** Renders one filter comparison as a SQL predicate with named parameters. */
public final class SqlComparisons {

    private SqlComparisons() {
    }

    public static String compare(String column, Comparison c, String param, boolean numericColumn, Map<String, Object> params) {
        String op = c.comparator();
        if (numericColumn) {
            if (!c.isNumeric()) {
                throw CairnException.invalid("Expected a numeric value for '" + c.key() + "' but found '" + c.value()
                        + "'; write numbers unquoted, e.g. " + c.key() + " > 0.5.");
            }
            if (!(op.equals("=") || op.equals("!=") || op.equals("<") || op.equals("<=") || op.equals(">") || op.equals(">="))) {
                throw CairnException.invalid("Invalid comparator '" + op + "' for numeric '" + c.key()
                        + "'; use one of =, !=, <, <=, >, >=.");
            }
            params.put(param, c.value());
            return column + " " + op + " :" + param;
        }
        if (op.equals("IN") || op.equals("NOT IN")) {
            // One array parameter, not one per value: PostgreSQL takes at most 65,535 bind parameters a statement.
            params.put(param, c.values().toArray(String[]::new));
            return op.equals("IN") ? column + " = ANY(CAST(:" + param + " AS text[]))"
                    : column + " <> ALL(CAST(:" + param + " AS text[]))";
        }
        if (c.isNumeric()) {
            throw CairnException.invalid("Expected a quoted string value for '" + c.key() + "' but found " + c.value()
                    + "; quote string values, e.g. '" + c.key() + "' = 'value'.");
        }
        if (!(op.equals("=") || op.equals("!=") || op.equals("LIKE") || op.equals("ILIKE")
                || op.equals("NOT LIKE") || op.equals("NOT ILIKE"))) {
            throw CairnException.invalid("Invalid comparator '" + op + "' for string '" + c.key()
                    + "'; use one of =, !=, LIKE, ILIKE.");
        }
        params.put(param, c.value());
        return column + " " + op + " :" + param;
    }
}
