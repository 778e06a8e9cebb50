package io.cairn.features;

import io.cairn.platform.error.CairnException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.JsonNode;

/**
 * The row shape of one feature view's offline table (join keys, event_timestamp, created_timestamp, features, in
 * that order), and how input values become typed row values. Every error names the row (1-based) and the column.
 */
final class ViewRows {

    private final FeatureView view;
    private final List<String> columns = new ArrayList<>();
    /** Null for the two timestamp columns. */
    private final List<ValueType> types = new ArrayList<>();
    private final Map<String, Integer> index = new HashMap<>();
    private final int keyCount;
    private final int eventColumn;
    private final int createdColumn;

    ViewRows(FeatureView view) {
        this.view = view;
        for (JoinKey key : view.join_keys()) {
            add(key.name(), key.type());
        }
        keyCount = columns.size();
        eventColumn = add(Names.EVENT_TIMESTAMP, null);
        createdColumn = add(Names.CREATED_TIMESTAMP, null);
        for (Feature f : view.features()) {
            add(f.name(), f.type());
        }
    }

    private int add(String name, ValueType type) {
        index.put(name, columns.size());
        columns.add(name);
        types.add(type);
        return columns.size() - 1;
    }

    FeatureView view() {
        return view;
    }

    /** The table's columns in row order. */
    List<String> columns() {
        return columns;
    }

    int size() {
        return columns.size();
    }

    int eventColumn() {
        return eventColumn;
    }

    int createdColumn() {
        return createdColumn;
    }

    /** The column's position in a row, or a 400 naming what the view does have. */
    int column(String name, String where) {
        Integer i = index.get(name);
        if (i == null) {
            throw CairnException.invalid(where + ": '" + name + "' is not a column of feature view '" + view.name()
                    + "'; its columns are " + columns + ". Nothing from this request was stored.");
        }
        return i;
    }

    /** The JSON token under the parser as the column's value. */
    Object fromJson(int column, JsonParser p, long row) {
        try {
            ValueType type = types.get(column);
            if (type != null) {
                return type.fromJson(p);
            }
            JsonToken t = p.currentToken();
            if (t == JsonToken.VALUE_NULL) {
                return null;
            }
            if (t != JsonToken.VALUE_STRING) {
                throw new IllegalArgumentException("expected an ISO-8601 timestamp string, got " + p.getString());
            }
            return Timestamps.parse(p.getString());
        } catch (IllegalArgumentException e) {
            throw bad(row, column, e.getMessage());
        }
    }

    /** A tree value (Feast's column-oriented {@code df}) as the column's value. */
    Object fromJson(int column, JsonNode node, long row) {
        try {
            ValueType type = types.get(column);
            if (type != null) {
                return type.fromJson(node);
            }
            if (node == null || node.isNull()) {
                return null;
            }
            if (!node.isString()) {
                throw new IllegalArgumentException("expected an ISO-8601 timestamp string, got " + node);
            }
            return Timestamps.parse(node.asString());
        } catch (IllegalArgumentException e) {
            throw bad(row, column, e.getMessage());
        }
    }

    /** A CSV cell (null when empty and unquoted) as the column's value. */
    Object fromText(int column, String text, long row) {
        if (text == null) {
            return null;
        }
        try {
            ValueType type = types.get(column);
            if (type == null) {
                return Timestamps.parse(text);
            }
            if (type != ValueType.STRING && text.isBlank()) {
                return null;
            }
            return type.fromText(text);
        } catch (IllegalArgumentException e) {
            throw bad(row, column, e.getMessage());
        }
    }

    /** Checks the required columns and fills created_timestamp with the time of ingestion where it is missing. */
    void complete(Object[] row, long rowNumber, Instant ingestedAt) {
        for (int i = 0; i < keyCount; i++) {
            if (row[i] == null) {
                throw bad(rowNumber, i, "the join key is missing or null");
            }
        }
        if (row[eventColumn] == null) {
            throw bad(rowNumber, eventColumn, "event_timestamp is missing or null");
        }
        if (row[createdColumn] == null) {
            row[createdColumn] = ingestedAt;
        }
    }

    CairnException bad(long row, int column, String reason) {
        return CairnException.invalid("Row " + row + ", column '" + columns.get(column) + "': " + reason
                + ". Nothing from this request was stored.");
    }
}
