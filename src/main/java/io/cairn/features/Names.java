package io.cairn.features;

import io.cairn.platform.error.CairnException;
import java.util.Set;
import java.util.regex.Pattern;

/** The naming rules of the feature store, checked before anything reaches SQL or Redis keys. */
final class Names {

    /** Entities, feature views and saved training sets. */
    private static final Pattern OBJECT = Pattern.compile("[A-Za-z_][A-Za-z0-9_-]{0,127}");
    /** Join keys and features become column names, so they must be plain SQL identifiers. */
    private static final Pattern COLUMN = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");
    static final String EVENT_TIMESTAMP = "event_timestamp";
    static final String CREATED_TIMESTAMP = "created_timestamp";
    private static final Set<String> RESERVED = Set.of(EVENT_TIMESTAMP, CREATED_TIMESTAMP);
    /** PostgreSQL's system columns: every table has them, so a column of that name cannot be created. */
    private static final Set<String> SYSTEM_COLUMNS = Set.of("xmin", "xmax", "cmin", "cmax", "ctid", "tableoid", "oid");

    private Names() {
    }

    static String object(String kind, String name) {
        if (name == null || !OBJECT.matcher(name).matches()) {
            throw CairnException.invalid("Invalid " + kind + " name '" + name + "': use 1 to 128 letters, digits, '_' "
                    + "or '-', starting with a letter or '_'.");
        }
        return name;
    }

    /** Refuses fields a request body does not know (Jackson is lenient here, so a typo would be silently lost). */
    static void noUnknownFields(String where, java.util.Map<String, Object> unknown, String known) {
        if (unknown != null && !unknown.isEmpty()) {
            throw CairnException.invalid("Unknown field(s) " + new java.util.TreeSet<>(unknown.keySet()) + " in "
                    + where + "; known fields are " + known + ".");
        }
    }

    static String column(String kind, String name) {
        if (name == null || !COLUMN.matcher(name).matches()) {
            throw CairnException.invalid("Invalid " + kind + " '" + name + "': use 1 to 63 letters, digits or '_', "
                    + "starting with a letter or '_'.");
        }
        if (SYSTEM_COLUMNS.contains(name.toLowerCase(java.util.Locale.ROOT))) {
            throw CairnException.invalid("Invalid " + kind + " '" + name + "': " + SYSTEM_COLUMNS
                    + " are PostgreSQL's system column names; choose another name.");
        }
        if (RESERVED.contains(name)) {
            throw CairnException.invalid("Invalid " + kind + " '" + name + "': " + RESERVED
                    + " are reserved for the row timestamps.");
        }
        return name;
    }
}
