package io.cairn.platform.text;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads RFC 4180 CSV one record at a time, so a body of any size streams through: comma-separated, fields in double
 * quotes may hold commas, quotes ({@code ""}) and line breaks; CRLF or LF ends a record. An empty unquoted field is
 * read as null, a quoted empty field ({@code ""}) as the empty string. A UTF-8 byte order mark is skipped. Shared by
 * the feature store's CSV bodies and monitoring's ground-truth loads.
 */
public final class CsvReader {

    /**
     * The longest field and the longest record, in characters. Fields are held whole while they are read, so a 300 MB
     * field took the heap (and, failing, left its COPY open); real feature values are far below these.
     */
    public static final int MAX_FIELD_CHARS = 1 << 20;
    public static final int MAX_RECORD_CHARS = 8 << 20;

    private final Reader in;
    private long recordChars;
    private final char[] buf = new char[64 * 1024];
    private int pos;
    private int len;
    private long line = 1;
    private long recordLine;
    private boolean started;

    public CsvReader(Reader in) {
        this.in = in;
    }

    /** The line on which the record last returned by {@link #next()} started (1-based). */
    public long recordLine() {
        return recordLine;
    }

    /**
     * The next record, or null at the end of input. A blank line at the very end is not a record.
     *
     * @throws IllegalArgumentException on a quote that is never closed or text after a closing quote
     */
    public String[] next() {
        if (!started) {
            started = true;
            if (fill() && buf[pos] == '\uFEFF') {
                pos++;
            }
        }
        if (!fill()) {
            return null;
        }
        recordLine = line;
        recordChars = 0;
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        while (true) {
            // One field.
            field.setLength(0);
            boolean quoted = false;
            if (fill() && buf[pos] == '"') {
                quoted = true;
                pos++;
                while (true) {
                    if (!fill()) {
                        throw new IllegalArgumentException("a quoted field opened on line " + recordLine
                                + " is never closed");
                    }
                    char c = buf[pos++];
                    if (c == '"') {
                        if (fill() && buf[pos] == '"') {
                            field.append('"');
                            pos++;
                        } else {
                            break;
                        }
                    } else {
                        if (c == '\n') {
                            line++;
                        }
                        field.append(c);
                        if (field.length() > MAX_FIELD_CHARS) {
                            throw tooLong();
                        }
                    }
                }
            } else {
                int start = pos;
                while (true) {
                    if (pos == len) {
                        field.append(buf, start, pos - start);
                        if (field.length() > MAX_FIELD_CHARS) {
                            throw tooLong();
                        }
                        if (!fill()) {
                            break;
                        }
                        start = pos;
                    }
                    char c = buf[pos];
                    if (c == ',' || c == '\n' || c == '\r') {
                        field.append(buf, start, pos - start);
                        break;
                    }
                    if (c == '"') {
                        throw new IllegalArgumentException("line " + line + ": a quote inside an unquoted field; "
                                + "quote the whole field and double the quote (\"\")");
                    }
                    pos++;
                }
            }
            if (field.length() > MAX_FIELD_CHARS) {
                throw tooLong();
            }
            recordChars += field.length() + 1;
            if (recordChars > MAX_RECORD_CHARS) {
                throw new IllegalArgumentException("the record starting on line " + recordLine + " is longer than "
                        + MAX_RECORD_CHARS + " characters");
            }
            fields.add(!quoted && field.isEmpty() ? null : field.toString());
            if (!fill()) {
                return fields.toArray(String[]::new);
            }
            char c = buf[pos++];
            if (c == ',') {
                continue;
            }
            if (c == '\r') {
                if (fill() && buf[pos] == '\n') {
                    pos++;
                }
                line++;
                return fields.toArray(String[]::new);
            }
            if (c == '\n') {
                line++;
                return fields.toArray(String[]::new);
            }
            throw new IllegalArgumentException("line " + line + ": unexpected text after a closing quote");
        }
    }

    private IllegalArgumentException tooLong() {
        return new IllegalArgumentException("line " + line + ": a field is longer than " + MAX_FIELD_CHARS
                + " characters");
    }

    private boolean fill() {
        if (pos < len) {
            return true;
        }
        try {
            int n;
            do {
                n = in.read(buf, 0, buf.length);
            } while (n == 0);
            if (n < 0) {
                pos = len = 0;
                return false;
            }
            pos = 0;
            len = n;
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
