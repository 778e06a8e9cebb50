package io.cairn.features;

import io.cairn.features.store.TrainingSetStore;
import io.cairn.platform.db.CopyWriter;
import io.cairn.platform.error.CairnException;
import io.cairn.platform.error.ErrorCode;
import io.cairn.platform.text.CsvReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Streams a training-set request's entity rows, JSON objects or CSV records, into the request's temporary entity
 * table with one COPY, checking join keys and timestamps as they pass; the first row (or the CSV header) names the
 * columns and fixes the plan's {@link EntityRows}.
 */
@Component
class EntityRowLoader {

    private final TrainingSetStore store;
    private final JsonMapper json;

    EntityRowLoader(TrainingSetStore store, JsonMapper json) {
        this.store = store;
        this.json = json;
    }

    /** Reads a JSON array of entity-row objects, the parser standing on its START_ARRAY; returns the rows read. */
    long json(JsonParser p, TrainingSetPlan plan) {
        CopyWriter copy = null;
        long row = 0;
        try {
            while (p.nextToken() != JsonToken.END_ARRAY) {
                row++;
                if (p.currentToken() != JsonToken.START_OBJECT) {
                    throw CairnException.invalid("Entity row " + row + " is not a JSON object.");
                }
                Object[] values;
                if (plan.rows == null) {
                    // The first row names the columns; buffer its values until the table exists.
                    Map<String, JsonNode> first = new LinkedHashMap<>();
                    while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                        String name = p.currentName();
                        p.nextToken();
                        first.put(name, (JsonNode) p.readValueAsTree());
                    }
                    plan.rows = new EntityRows(plan.keys, List.copyOf(first.keySet()), json);
                    copy = store.createEntityTable(plan.rows.tableDefinitions(), plan.rows.tableColumns(), plan.second());
                    values = plan.rows.newRow();
                    int i = 0;
                    for (JsonNode node : first.values()) {
                        try (JsonParser one = json.createParser(node.toString())) {
                            one.nextToken();
                            plan.rows.setJson(values, i++, one);
                        }
                    }
                } else {
                    values = plan.rows.newRow();
                    while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                        int i = plan.rows.column(p.currentName(), row);
                        p.nextToken();
                        plan.rows.setJson(values, i, p);
                    }
                }
                plan.rows.write(values, copy);
            }
            if (copy != null) {
                copy.finish();
            }
        } catch (RuntimeException e) {
            if (copy != null) {
                copy.cancel();
            }
            throw e;
        }
        if (plan.rows == null) {
            // No entity rows at all: an empty table with just the key and timestamp columns.
            List<String> names = new ArrayList<>(plan.keys.keySet());
            names.add(Names.EVENT_TIMESTAMP);
            plan.rows = new EntityRows(plan.keys, names, json);
            store.createEntityTable(plan.rows.tableDefinitions(), plan.rows.tableColumns(), plan.second()).finish();
        }
        return row;
    }

    /** Reads CSV entity rows: a header naming the columns, then one record per row. */
    void csv(InputStream body, TrainingSetPlan plan) {
        CsvReader csv = new CsvReader(new InputStreamReader(body, StandardCharsets.UTF_8));
        try {
            String[] header = csv.next();
            if (header == null) {
                throw CairnException.invalid("The CSV body is empty: send a header row, then the entity rows.");
            }
            List<String> names = new ArrayList<>();
            for (String h : header) {
                names.add(h == null ? "" : h.trim());
            }
            plan.rows = new EntityRows(plan.keys, names, json);
            try (CopyWriter copy = store.createEntityTable(plan.rows.tableDefinitions(), plan.rows.tableColumns(),
                    plan.second())) {
                String[] record;
                while ((record = csv.next()) != null) {
                    if (record.length == 1 && record[0] == null && header.length > 1) {
                        continue;
                    }
                    Object[] row = plan.rows.newRow();
                    if (record.length != header.length) {
                        throw CairnException.invalid("Entity row " + row[0] + " (line " + csv.recordLine() + ") has "
                                + record.length + " fields but the header has " + header.length + ".");
                    }
                    for (int i = 0; i < record.length; i++) {
                        plan.rows.setText(row, i, record[i]);
                    }
                    plan.rows.write(row, copy);
                }
                copy.finish();
            }
        } catch (IllegalArgumentException e) {
            throw new CairnException(ErrorCode.MALFORMED_REQUEST, "Malformed CSV: " + e.getMessage() + ".");
        } catch (UncheckedIOException e) {
            throw new CairnException(ErrorCode.MALFORMED_REQUEST, "Could not read the request body: "
                    + e.getCause().getMessage());
        }
    }
}
