package io.cairn.features;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.List;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.StreamWriteFeature;
import tools.jackson.core.io.NumberOutput;
import tools.jackson.databind.json.JsonMapper;

/**
 * Renders training-set rows as they come from the database, one at a time: CSV with a header row, or JSON
 * {@code {"columns": [...], "rows": [[...], ...]}}. Result-set column i + 1 is training-set column i.
 */
abstract class TrainingSetWriter {

    static final String CSV = "text/csv";
    static final String JSON = "application/json";

    protected final List<TrainingSetColumn> columns;
    private final Kind[] kinds;
    private long rows;

    /** How a column is read from the result set. */
    enum Kind { INT64, INT32, FLOAT64, FLOAT32, STRING, BOOL, TIMESTAMP, JSON }

    TrainingSetWriter(List<TrainingSetColumn> columns) {
        this.columns = columns;
        this.kinds = columns.stream().map(c -> Kind.valueOf(c.type())).toArray(Kind[]::new);
    }

    static TrainingSetWriter of(String contentType, List<TrainingSetColumn> columns, OutputStream out, JsonMapper json) {
        return contentType.equals(CSV) ? new Csv(columns, out, json) : new Json(columns, out, json);
    }

    abstract void begin();

    /** Writes the current row of the result set. */
    void row(ResultSet rs) throws SQLException {
        rows++;
        beginRow();
        for (int i = 0; i < kinds.length; i++) {
            int c = i + 1;
            switch (kinds[i]) {
                case INT64 -> {
                    long v = rs.getLong(c);
                    if (rs.wasNull()) {
                        nul(i);
                    } else {
                        number(i, Long.toString(v));
                    }
                }
                case INT32 -> {
                    int v = rs.getInt(c);
                    if (rs.wasNull()) {
                        nul(i);
                    } else {
                        number(i, Integer.toString(v));
                    }
                }
                case FLOAT64 -> {
                    double v = rs.getDouble(c);
                    if (rs.wasNull()) {
                        nul(i);
                    } else {
                        floating(i, v);
                    }
                }
                case FLOAT32 -> {
                    float v = rs.getFloat(c);
                    if (rs.wasNull()) {
                        nul(i);
                    } else {
                        floating32(i, v);
                    }
                }
                case STRING -> {
                    String v = rs.getString(c);
                    if (v == null) {
                        nul(i);
                    } else {
                        string(i, v);
                    }
                }
                case BOOL -> {
                    boolean v = rs.getBoolean(c);
                    if (rs.wasNull()) {
                        nul(i);
                    } else {
                        bool(i, v);
                    }
                }
                case TIMESTAMP -> {
                    OffsetDateTime v = rs.getObject(c, OffsetDateTime.class);
                    if (v == null) {
                        nul(i);
                    } else {
                        string(i, Timestamps.format(v.toInstant()));
                    }
                }
                case JSON -> {
                    String v = rs.getString(c);
                    if (v == null) {
                        nul(i);
                    } else {
                        raw(i, v);
                    }
                }
            }
        }
        endRow();
    }

    long rows() {
        return rows;
    }

    abstract void beginRow();

    abstract void endRow();

    abstract void nul(int column);

    abstract void number(int column, String text);

    abstract void floating(int column, double v);

    abstract void floating32(int column, float v);

    abstract void string(int column, String v);

    abstract void bool(int column, boolean v);

    /** A value carried through from JSON entity rows, as its JSON text. */
    abstract void raw(int column, String jsonText);

    abstract void finish();

    /** RFC 4180 CSV: a header row, then one line per row; null is an empty cell, an empty string is {@code ""}. */
    static final class Csv extends TrainingSetWriter {

        private final Writer out;
        private final JsonMapper json;
        private boolean first;

        Csv(List<TrainingSetColumn> columns, OutputStream out, JsonMapper json) {
            super(columns);
            this.out = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 64 * 1024);
            this.json = json;
        }

        @Override
        void begin() {
            beginRow();
            for (int i = 0; i < columns.size(); i++) {
                string(i, columns.get(i).name());
            }
            endRow();
        }

        @Override
        void beginRow() {
            first = true;
        }

        @Override
        void endRow() {
            write("\n");
        }

        private void separator() {
            if (!first) {
                write(",");
            }
            first = false;
        }

        @Override
        void nul(int column) {
            separator();
        }

        @Override
        void number(int column, String text) {
            separator();
            write(text);
        }

        @Override
        void floating(int column, double v) {
            separator();
            // Schubfach (shortest exact text, as Double.toString from JDK 19 on): JDK 17's Double.toString was the
            // largest cost of writing a training set's numbers. Non-finite values keep Java's spelling.
            write(Double.isFinite(v) ? NumberOutput.toString(v, true) : Double.toString(v));
        }

        @Override
        void floating32(int column, float v) {
            separator();
            write(Float.isFinite(v) ? NumberOutput.toString(v, true) : Float.toString(v));
        }

        @Override
        void string(int column, String v) {
            separator();
            if (v.isEmpty()) {
                write("\"\"");
                return;
            }
            boolean quote = false;
            for (int i = 0; i < v.length() && !quote; i++) {
                char c = v.charAt(i);
                quote = c == ',' || c == '"' || c == '\n' || c == '\r';
            }
            if (quote) {
                write("\"" + v.replace("\"", "\"\"") + "\"");
            } else {
                write(v);
            }
        }

        @Override
        void bool(int column, boolean v) {
            separator();
            write(v ? "true" : "false");
        }

        @Override
        void raw(int column, String jsonText) {
            if (jsonText.startsWith("\"")) {
                string(column, json.readValue(jsonText, String.class));
            } else {
                string(column, jsonText);
            }
        }

        @Override
        void finish() {
            try {
                out.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private void write(String s) {
            try {
                out.write(s);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** {@code {"columns": ["driver_id", ...], "rows": [[1001, ...], ...]}}. */
    static final class Json extends TrainingSetWriter {

        private final JsonGenerator gen;

        Json(List<TrainingSetColumn> columns, OutputStream out, JsonMapper json) {
            super(columns);
            this.gen = json.writer().with(StreamWriteFeature.USE_FAST_DOUBLE_WRITER).createGenerator(out);
        }

        @Override
        void begin() {
            gen.writeStartObject();
            gen.writeName("columns");
            gen.writeStartArray();
            for (TrainingSetColumn c : columns) {
                gen.writeString(c.name());
            }
            gen.writeEndArray();
            gen.writeName("rows");
            gen.writeStartArray();
        }

        @Override
        void beginRow() {
            gen.writeStartArray();
        }

        @Override
        void endRow() {
            gen.writeEndArray();
        }

        @Override
        void nul(int column) {
            gen.writeNull();
        }

        @Override
        void number(int column, String text) {
            gen.writeNumber(text);
        }

        @Override
        void floating(int column, double v) {
            gen.writeNumber(v);
        }

        @Override
        void floating32(int column, float v) {
            gen.writeNumber(v);
        }

        @Override
        void string(int column, String v) {
            gen.writeString(v);
        }

        @Override
        void bool(int column, boolean v) {
            gen.writeBoolean(v);
        }

        @Override
        void raw(int column, String jsonText) {
            gen.writeRawValue(jsonText);
        }

        @Override
        void finish() {
            gen.writeEndArray();
            gen.writeEndObject();
            gen.close();
        }
    }
}
