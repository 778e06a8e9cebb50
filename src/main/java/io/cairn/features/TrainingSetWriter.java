package io.cairn.features;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.List;
import org.postgresql.PGResultSetMetaData;
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
    private int[] source;
    private int[] index;

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

    /**
     * Where each training-set column comes from when a row is read from more than one result set (the views' probes
     * split across two backends): result set {@code source[i]}, column {@code index[i]}. Without it, column i + 1 of
     * the one result set.
     */
    void layout(int[] source, int[] index) {
        this.source = source.clone();
        this.index = index.clone();
    }

    int source(int column) {
        return source == null ? 0 : source[column];
    }

    int index(int column) {
        return index == null ? column + 1 : index[column];
    }

    /** Writes the current row of the result set(s). */
    void row(ResultSet... sets) throws SQLException {
        rows++;
        beginRow();
        for (int i = 0; i < kinds.length; i++) {
            column(sets, i);
        }
        endRow();
    }

    /** Writes column {@code i} of the current row from its typed value. */
    final void column(ResultSet[] sets, int i) throws SQLException {
        ResultSet rs = sets[source(i)];
        int c = index(i);
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

    long rows() {
        return rows;
    }

    void countRow() {
        rows++;
    }

    Kind kind(int column) {
        return kinds[column];
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

    /**
     * RFC 4180 CSV: a header row, then one line per row; null is an empty cell, an empty string is {@code ""}.
     *
     * <p>Written as bytes. Where PostgreSQL sent a column as text (it does unless a statement was prepared for binary
     * transfer), the value's bytes are used as they came when they already are this writer's text, and rewritten in
     * place when they are close to it ({@link PostgresText}); anything else goes through the typed value. Parsing
     * every number and timestamp into a Java value only to print it again was most of the CPU of streaming a large
     * training set (measured: half of it in {@code getDouble} and the double's text alone).
     */
    static final class Csv extends TrainingSetWriter {

        private final OutputStream out;
        private final JsonMapper json;
        private final byte[] buf = new byte[64 * 1024];
        private int pos;
        private boolean first;
        private boolean[] textual;

        Csv(List<TrainingSetColumn> columns, OutputStream out, JsonMapper json) {
            super(columns);
            this.out = out;
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
        void row(ResultSet... sets) throws SQLException {
            if (textual == null) {
                textual = textual(sets);
            }
            countRow();
            beginRow();
            for (int i = 0; i < textual.length; i++) {
                if (!textual[i] || !textColumn(sets[source(i)], index(i), i)) {
                    column(sets, i);
                }
            }
            endRow();
        }

        /** Which columns PostgreSQL sends as text (format 0); none when the driver cannot tell. */
        private boolean[] textual(ResultSet[] sets) throws SQLException {
            boolean[] text = new boolean[columns.size()];
            for (int i = 0; i < text.length; i++) {
                ResultSetMetaData md = sets[source(i)].getMetaData();
                text[i] = md.isWrapperFor(PGResultSetMetaData.class)
                        && md.unwrap(PGResultSetMetaData.class).getFormat(index(i)) == 0;
            }
            return text;
        }

        /** Writes a text column from its bytes; false, having written nothing, where the typed value must do it. */
        private boolean textColumn(ResultSet rs, int c, int i) throws SQLException {
            Kind kind = kind(i);
            if (kind == Kind.STRING) {
                byte[] v = rs.getBytes(c);
                if (v == null) {
                    nul(i);
                } else {
                    separator();
                    quoted(v, 0, v.length);
                }
                return true;
            }
            byte[] v = rs.getBytes(c);
            if (v == null) {
                nul(i);
                return true;
            }
            switch (kind) {
                case INT64, INT32 -> {
                    separator();
                    put(v, 0, v.length);
                }
                case FLOAT64, FLOAT32 -> {
                    int shape = PostgresText.javaFloatingShape(v);
                    if (shape == PostgresText.OTHER) {
                        return false;
                    }
                    separator();
                    put(v, 0, v.length);
                    if (shape == PostgresText.INTEGRAL) {
                        put('.');
                        put('0');
                    }
                }
                case BOOL -> {
                    if (v.length != 1 || (v[0] != 't' && v[0] != 'f')) {
                        return false;
                    }
                    bool(i, v[0] == 't');
                }
                case TIMESTAMP -> {
                    int fraction = PostgresText.utcTimestampFraction(v);
                    if (fraction < 0) {
                        return false;
                    }
                    separator();
                    ensure(32);
                    System.arraycopy(v, 0, buf, pos, 19);
                    buf[pos + 10] = 'T';
                    pos += 19;
                    if (fraction > 0) {
                        System.arraycopy(v, 19, buf, pos, fraction + 1);
                        pos += fraction + 1;
                        for (int pad = fraction <= 3 ? 3 - fraction : 6 - fraction; pad > 0; pad--) {
                            buf[pos++] = '0';
                        }
                    }
                    buf[pos++] = 'Z';
                }
                case JSON -> {
                    if (v.length >= 2 && v[0] == '"') {
                        if (PostgresText.indexOf(v, (byte) '\\') >= 0) {
                            return false;
                        }
                        separator();
                        quoted(v, 1, v.length - 1);
                    } else {
                        separator();
                        quoted(v, 0, v.length);
                    }
                }
                default -> {
                    return false;
                }
            }
            return true;
        }

        @Override
        void beginRow() {
            first = true;
        }

        @Override
        void endRow() {
            put('\n');
        }

        private void separator() {
            if (!first) {
                put(',');
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
            ascii(text);
        }

        @Override
        void floating(int column, double v) {
            separator();
            // Schubfach (shortest exact text, as Double.toString from JDK 19 on): JDK 17's Double.toString was the
            // largest cost of writing a training set's numbers. Non-finite values keep Java's spelling.
            ascii(Double.isFinite(v) ? NumberOutput.toString(v, true) : Double.toString(v));
        }

        @Override
        void floating32(int column, float v) {
            separator();
            ascii(Float.isFinite(v) ? NumberOutput.toString(v, true) : Float.toString(v));
        }

        @Override
        void string(int column, String v) {
            separator();
            byte[] utf8 = v.getBytes(StandardCharsets.UTF_8);
            quoted(utf8, 0, utf8.length);
        }

        /** UTF-8 text as a cell: quoted (quotes doubled) when it holds a comma, quote or line break; "" when empty. */
        private void quoted(byte[] v, int from, int to) {
            if (from == to) {
                put('"');
                put('"');
                return;
            }
            boolean quote = false;
            for (int i = from; i < to && !quote; i++) {
                byte c = v[i];
                quote = c == ',' || c == '"' || c == '\n' || c == '\r';
            }
            if (!quote) {
                put(v, from, to - from);
                return;
            }
            put('"');
            for (int i = from; i < to; i++) {
                if (v[i] == '"') {
                    put('"');
                }
                put(v[i]);
            }
            put('"');
        }

        @Override
        void bool(int column, boolean v) {
            separator();
            ascii(v ? "true" : "false");
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
                out.write(buf, 0, pos);
                pos = 0;
                out.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private void ascii(String s) {
            ensure(s.length());
            for (int i = 0; i < s.length(); i++) {
                buf[pos++] = (byte) s.charAt(i);
            }
        }

        private void put(int b) {
            if (pos == buf.length) {
                drain();
            }
            buf[pos++] = (byte) b;
        }

        private void put(byte[] b, int from, int length) {
            if (length > buf.length - pos) {
                drain();
                if (length > buf.length) {
                    write(b, from, length);
                    return;
                }
            }
            System.arraycopy(b, from, buf, pos, length);
            pos += length;
        }

        private void ensure(int length) {
            if (length > buf.length - pos) {
                drain();
            }
        }

        private void drain() {
            write(buf, 0, pos);
            pos = 0;
        }

        private void write(byte[] b, int from, int length) {
            try {
                out.write(b, from, length);
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
