package io.cairn.features;

import io.cairn.platform.db.CopyWriter;
import io.cairn.platform.text.CsvReader;
import io.cairn.features.store.DefinitionStore;
import io.cairn.features.store.FeatureTables;
import io.cairn.platform.error.CairnException;
import io.cairn.platform.error.ErrorCode;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes feature rows into a view's offline table from JSON or CSV, streaming: each row is parsed, checked and
 * encoded as it arrives and goes straight into one COPY inside the request's transaction, so memory stays flat
 * whatever the size of the body. The COPY fills a temporary staging table, from which one sorted INSERT moves the
 * rows into the view's table (see {@link FeatureTables#insertStaged}). A bad row aborts the COPY and rolls the
 * transaction back: nothing of the request is stored. (Rows are checked here rather than in SQL after staging, which
 * could not name the offending row and column as precisely.)
 */
@Service
public class FeatureIngestion {

    private final DefinitionStore definitions;
    private final FeatureTables tables;
    private final JsonMapper json;
    private final Clock clock;
    private final FeatureStoreProperties properties;

    public FeatureIngestion(DefinitionStore definitions, FeatureTables tables, JsonMapper json, Clock clock,
                            FeatureStoreProperties properties) {
        this.definitions = definitions;
        this.tables = tables;
        this.json = json;
        this.clock = clock;
        this.properties = properties;
    }

    /** What one ingestion stored. */
    public record Ingested(String feature_view, long rows) {
    }

    /** A source of rows for one view: calls the sink once per row, numbering rows from 1. */
    interface RowSource {
        void rows(ViewRows layout, Instant ingestedAt, RowSink sink);
    }

    interface RowSink {
        void accept(Object[] row);
    }

    /** {@code {"rows": [{"driver_id": 1001, "event_timestamp": "...", "conv_rate": 0.5}, ...]}}. */
    @Transactional
    public Ingested ingestJson(String viewName, InputStream body) {
        return ingest(viewName, (layout, now, sink) -> readJson(body, layout, now, sink));
    }

    /** CSV with a header row naming the columns; empty cells are null. */
    @Transactional
    public Ingested ingestCsv(String viewName, InputStream body) {
        return ingest(viewName, (layout, now, sink) -> readCsv(body, layout, now, sink));
    }

    /**
     * Feast's column-oriented {@code df} ({@code {"driver_id": [1001, 1002], "event_timestamp": [...], ...}}), as
     * sent to {@code /push}: rows are checked, stored offline when {@code store} is set, and returned typed, each as
     * [join keys in the view's order..., event_timestamp, created_timestamp, features in the view's order...].
     */
    @Transactional
    public List<Object[]> ingestColumns(FeatureView view, Map<String, JsonNode> df, boolean store) {
        ViewRows layout = new ViewRows(view);
        List<Object[]> rows = new java.util.ArrayList<>();
        Instant now = now();
        readColumns(df, layout, now, rows::add);
        if (store) {
            FeatureView locked = definitions.viewForShare(view.name()).orElseThrow(() -> CairnException.notFound(
                    "Feature view '" + view.name() + "' does not exist."));
            try (CopyWriter copy = tables.copyInto(locked, layout.columns())) {
                rows.forEach(row -> write(copy, row));
                copy.finish();
            }
        }
        return rows;
    }

    private Ingested ingest(String viewName, RowSource source) {
        FeatureView view = definitions.viewForShare(viewName)
                .orElseThrow(() -> CairnException.notFound("Feature view '" + viewName + "' does not exist."));
        ViewRows layout = new ViewRows(view);
        Instant now = now();
        CopyWriter copy = tables.copyIntoStage(view, layout.columns());
        try {
            source.rows(layout, now, row -> write(copy, row));
            copy.finish();
            long rows = tables.insertStaged(view, properties.trainingWorkMem());
            if (properties.vacuumAfterRows() > 0 && rows >= properties.vacuumAfterRows()) {
                TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                    @Override
                    public void afterCommit() {
                        tables.vacuum(view);
                    }
                });
            }
            return new Ingested(view.name(), rows);
        } catch (Throwable e) {
            // Any failure, an Error included: a COPY left open keeps its connection and its locks on the view (and
            // on feature_views) until the server restarts, and deleting the view hangs behind it.
            copy.cancel();
            throw e;
        }
    }

    private static void write(CopyWriter copy, Object[] row) {
        for (Object v : row) {
            copy.value(v);
        }
        copy.endRow();
    }

    // ---- JSON --------------------------------------------------------------------------------------------------

    private void readJson(InputStream body, ViewRows layout, Instant now, RowSink sink) {
        long row = 0;
        try (JsonParser p = json.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw CairnException.invalid("The body must be a JSON object {\"rows\": [...]}.");
            }
            boolean sawRows = false;
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (!field.equals("rows")) {
                    throw CairnException.invalid("Unknown field '" + field + "' in the body; send {\"rows\": [...]}.");
                }
                if (value != JsonToken.START_ARRAY) {
                    throw CairnException.invalid("'rows' must be an array of objects.");
                }
                sawRows = true;
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    row++;
                    if (p.currentToken() != JsonToken.START_OBJECT) {
                        throw CairnException.invalid("Row " + row + " is not a JSON object. Nothing from this "
                                + "request was stored.");
                    }
                    Object[] values = new Object[layout.size()];
                    while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                        int column = layout.column(p.currentName(), "Row " + row);
                        p.nextToken();
                        values[column] = layout.fromJson(column, p, row);
                    }
                    layout.complete(values, row, now);
                    sink.accept(values);
                }
            }
            if (!sawRows) {
                throw CairnException.invalid("The body has no 'rows' array; send {\"rows\": [...]}.");
            }
        } catch (JacksonException e) {
            throw malformedJson(e, row);
        }
    }

    /** A 400 for a body that is not well-formed JSON, with where it broke and (when known) the row it was in. */
    public static CairnException malformedJson(JacksonException e, long row) {
        var where = e.getLocation();
        return new CairnException(ErrorCode.MALFORMED_REQUEST, "Malformed JSON"
                + (where == null ? "" : " at line " + where.getLineNr() + ", column " + where.getColumnNr())
                + (row > 0 ? " (in row " + row + ")" : "") + ": " + e.getOriginalMessage()
                + ". Nothing from this request was stored.");
    }

    // ---- CSV ---------------------------------------------------------------------------------------------------

    private void readCsv(InputStream body, ViewRows layout, Instant now, RowSink sink) {
        CsvReader csv = new CsvReader(new InputStreamReader(body, StandardCharsets.UTF_8));
        try {
            String[] header = csv.next();
            if (header == null) {
                throw CairnException.invalid("The CSV body is empty: send a header row naming the columns, then rows.");
            }
            int[] columns = new int[header.length];
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < header.length; i++) {
                String name = header[i] == null ? "" : header[i].trim();
                if (!seen.add(name)) {
                    throw CairnException.invalid("The CSV header names column '" + name + "' twice.");
                }
                columns[i] = layout.column(name, "CSV header");
            }
            long row = 0;
            String[] record;
            while ((record = csv.next()) != null) {
                if (record.length == 1 && record[0] == null && header.length > 1) {
                    continue; // a blank line
                }
                row++;
                if (record.length != header.length) {
                    throw CairnException.invalid("Row " + row + " (line " + csv.recordLine() + ") has "
                            + record.length + " fields but the header has " + header.length
                            + ". Nothing from this request was stored.");
                }
                Object[] values = new Object[layout.size()];
                for (int i = 0; i < record.length; i++) {
                    values[columns[i]] = layout.fromText(columns[i], record[i], row);
                }
                layout.complete(values, row, now);
                sink.accept(values);
            }
        } catch (IllegalArgumentException e) {
            throw new CairnException(ErrorCode.MALFORMED_REQUEST, "Malformed CSV: " + e.getMessage()
                    + ". Nothing from this request was stored.");
        } catch (UncheckedIOException e) {
            throw new CairnException(ErrorCode.MALFORMED_REQUEST, "Could not read the request body: "
                    + e.getCause().getMessage());
        }
    }

    // ---- Feast's column-oriented df ----------------------------------------------------------------------------

    private void readColumns(Map<String, JsonNode> df, ViewRows layout, Instant now, RowSink sink) {
        if (df == null || df.isEmpty()) {
            throw CairnException.invalid("'df' is empty: send the columns, e.g. {\"driver_id\": [1001], "
                    + "\"event_timestamp\": [\"2026-01-01T00:00:00Z\"], \"conv_rate\": [0.5]}.");
        }
        int rows = -1;
        int[] columns = new int[df.size()];
        JsonNode[] arrays = new JsonNode[df.size()];
        int c = 0;
        for (Map.Entry<String, JsonNode> e : df.entrySet()) {
            columns[c] = layout.column(e.getKey(), "df");
            if (e.getValue() == null || !e.getValue().isArray()) {
                throw CairnException.invalid("df column '" + e.getKey() + "' must be an array of values.");
            }
            if (rows >= 0 && e.getValue().size() != rows) {
                throw CairnException.invalid("df columns differ in length: '" + e.getKey() + "' has "
                        + e.getValue().size() + " values, earlier columns " + rows + ".");
            }
            rows = e.getValue().size();
            arrays[c++] = e.getValue();
        }
        for (int r = 0; r < rows; r++) {
            Object[] values = new Object[layout.size()];
            for (int i = 0; i < columns.length; i++) {
                values[columns[i]] = layout.fromJson(columns[i], arrays[i].get(r), r + 1);
            }
            layout.complete(values, r + 1, now);
            sink.accept(values);
        }
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }
}
