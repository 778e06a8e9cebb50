package io.cairn.features;

import io.cairn.platform.db.CopyWriter;
import io.cairn.platform.error.CairnException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.json.JsonMapper;

/**
 * The entity rows of a training-set request and their columns: the join keys the requested views need (typed),
 * {@code event_timestamp}, and any other column (a label, an id), carried through untouched as its JSON text. Rows are
 * numbered from 1 in request order; the number is the row's {@code row_id} in the temporary table and fixes the output
 * order.
 */
final class EntityRows {

    /** What an input column is. */
    enum Kind { KEY, TIMESTAMP, EXTRA }

    /** An input column and where it goes in the temporary table. */
    record Column(String name, Kind kind, ValueType type, String tableColumn) {
    }

    private final Map<String, ValueType> keys;
    private final List<Column> columns = new ArrayList<>();
    private final Map<String, Integer> index = new HashMap<>();
    private final JsonMapper json;
    /** Table columns in COPY order after row_id: keys (in key order), ts, extras (in input order). */
    private final List<String> tableColumns = new ArrayList<>();
    private final List<String> tableDefinitions = new ArrayList<>();
    private final int[] slot;
    private long rows;

    /**
     * @param keys the join keys the requested views need, with their types
     * @param names the input's columns in order (CSV header, or the first JSON row's fields)
     */
    EntityRows(Map<String, ValueType> keys, List<String> names, JsonMapper json) {
        this.keys = keys;
        this.json = json;
        Map<String, String> keyColumns = new LinkedHashMap<>();
        int k = 0;
        for (Map.Entry<String, ValueType> key : keys.entrySet()) {
            String col = "k" + k++;
            keyColumns.put(key.getKey(), col);
            tableColumns.add(col);
            tableDefinitions.add(col + " " + key.getValue().sqlType());
        }
        tableColumns.add("ts");
        tableDefinitions.add("ts timestamptz NOT NULL");
        int x = 0;
        for (String name : names) {
            if (index.containsKey(name)) {
                throw CairnException.invalid("The entity rows name column '" + name + "' twice.");
            }
            Column column;
            if (keys.containsKey(name)) {
                column = new Column(name, Kind.KEY, keys.get(name), keyColumns.get(name));
            } else if (name.equals(Names.EVENT_TIMESTAMP)) {
                column = new Column(name, Kind.TIMESTAMP, null, "ts");
            } else {
                String col = "x" + x++;
                tableColumns.add(col);
                tableDefinitions.add(col + " text");
                column = new Column(name, Kind.EXTRA, null, col);
            }
            index.put(name, columns.size());
            columns.add(column);
        }
        List<String> missing = new ArrayList<>();
        keys.keySet().forEach(key -> {
            if (!index.containsKey(key)) {
                missing.add(key);
            }
        });
        if (!index.containsKey(Names.EVENT_TIMESTAMP)) {
            missing.add(Names.EVENT_TIMESTAMP);
        }
        if (!missing.isEmpty()) {
            throw CairnException.invalid("The entity rows lack column(s) " + missing + ": the requested feature views "
                    + "are keyed by " + keys.keySet() + ", and every row needs an event_timestamp.");
        }
        slot = new int[columns.size()];
        for (int i = 0; i < columns.size(); i++) {
            slot[i] = 1 + tableColumns.indexOf(columns.get(i).tableColumn());
        }
    }

    List<Column> columns() {
        return columns;
    }

    List<String> tableColumns() {
        return tableColumns;
    }

    List<String> tableDefinitions() {
        return tableDefinitions;
    }

    long count() {
        return rows;
    }

    /** A fresh row: slot 0 is the row_id. */
    Object[] newRow() {
        Object[] row = new Object[1 + tableColumns.size()];
        row[0] = ++rows;
        return row;
    }

    /** The column's position in the input, or a 400 when the first row (or header) did not have it. */
    int column(String name, long row) {
        Integer i = index.get(name);
        if (i == null) {
            throw CairnException.invalid("Entity row " + row + " has column '" + name + "', which the first row does "
                    + "not have; every entity row must have the same columns.");
        }
        return i;
    }

    /** Sets input column {@code i} from the JSON token under the parser. */
    void setJson(Object[] row, int i, JsonParser p) {
        Column c = columns.get(i);
        try {
            row[slot[i]] = switch (c.kind()) {
                case KEY -> c.type().fromJson(p);
                case TIMESTAMP -> {
                    if (p.currentToken() == JsonToken.VALUE_NULL) {
                        yield null;
                    }
                    if (p.currentToken() != JsonToken.VALUE_STRING) {
                        throw new IllegalArgumentException("expected an ISO-8601 timestamp string");
                    }
                    yield Timestamps.parse(p.getString());
                }
                case EXTRA -> rawJson(p);
            };
        } catch (IllegalArgumentException e) {
            throw bad(row, c, e.getMessage());
        }
    }

    /** Sets input column {@code i} from a CSV cell (null when empty). */
    void setText(Object[] row, int i, String text) {
        Column c = columns.get(i);
        try {
            row[slot[i]] = text == null ? null : switch (c.kind()) {
                case KEY -> c.type() != ValueType.STRING && text.isBlank() ? null : c.type().fromText(text);
                case TIMESTAMP -> Timestamps.parse(text);
                case EXTRA -> jsonString(text);
            };
        } catch (IllegalArgumentException e) {
            throw bad(row, c, e.getMessage());
        }
    }

    /**
     * The JSON text of a CSV cell carried through as is: the cell in quotes when nothing in it needs escaping (the
     * usual label or id), else Jackson's. Jackson per cell was a third of reading a million CSV entity rows.
     */
    String jsonString(String text) {
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (ch < 0x20 || ch > 0x7e || ch == '"' || ch == '\\' || ch == '/') {
                return json.writeValueAsString(text);
            }
        }
        return '"' + text + '"';
    }

    /** Checks the required columns and writes the row. */
    void write(Object[] row, CopyWriter copy) {
        for (int i = 0; i < columns.size(); i++) {
            Column c = columns.get(i);
            if (c.kind() != Kind.EXTRA && row[slot[i]] == null) {
                throw bad(row, c, c.kind() == Kind.KEY ? "the join key is missing or null"
                        : "event_timestamp is missing or null");
            }
        }
        for (Object v : row) {
            copy.value(v);
        }
        copy.endRow();
    }

    private String rawJson(JsonParser p) {
        return switch (p.currentToken()) {
            case VALUE_NULL -> null;
            case VALUE_STRING -> json.writeValueAsString(p.getString());
            case VALUE_TRUE -> "true";
            case VALUE_FALSE -> "false";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> p.isNaN() ? "\"" + p.getString() + "\"" : p.getString();
            default -> p.readValueAsTree().toString();
        };
    }

    private CairnException bad(Object[] row, Column c, String reason) {
        return CairnException.invalid("Entity row " + row[0] + ", column '" + c.name() + "': " + reason
                + ". No training set was built.");
    }

    Map<String, ValueType> keys() {
        return keys;
    }
}
