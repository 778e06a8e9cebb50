package io.cairn.platform.text;

import de.siegmar.fastcsv.reader.AbstractBaseCsvCallbackHandler;
import de.siegmar.fastcsv.reader.CloseableIterator;
import de.siegmar.fastcsv.reader.CsvParseException;
import java.io.FilterReader;
import java.io.IOException;
import java.io.PushbackReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.util.Arrays;

/**
 * Reads RFC 4180 CSV one record at a time, so a body of any size streams through: comma-separated, fields in double
 * quotes may hold commas, quotes ({@code ""}) and line breaks; CRLF or LF ends a record. An empty unquoted field is
 * read as null, a quoted empty field ({@code ""}) as the empty string. A UTF-8 byte order mark is skipped. Shared by
 * the feature store's CSV bodies and monitoring's ground-truth loads.
 *
 * <p>The parsing is FastCSV's: with the checks below this class reads ingestion-shaped CSV at 1.4 times the rate of the
 * hand-written parser it used to be (bare FastCSV: 1.6 times; Commons CSV was slower than either; bench/csv.sh,
 * docs/benchmarks.md "CSV parsing"). What FastCSV leaves lenient is strict here, with
 * the line in the message: a quote inside an unquoted field, text after a closing quote, a quote never closed, and
 * fields and records over {@link #MAX_FIELD_CHARS} / {@link #MAX_RECORD_CHARS}.
 */
public final class CsvReader {

    /**
     * The longest field and the longest record, in characters. Fields are held whole while they are read, so a 300 MB
     * field took the heap (and, failing, left its COPY open); real feature values are far below these.
     */
    public static final int MAX_FIELD_CHARS = 1 << 20;
    public static final int MAX_RECORD_CHARS = 8 << 20;

    /**
     * FastCSV's buffer holds the record being read; past this it gives up instead of growing, so a huge field or
     * record costs at most this much memory. Larger than a record may be, so our own, clearer limits speak first.
     */
    private static final int MAX_BUFFER_CHARS = MAX_RECORD_CHARS + MAX_FIELD_CHARS;

    private final Reader source;
    private final Fields handler = new Fields();
    private QuoteCounter in;
    private CloseableIterator<String[]> records;
    private long recordLine;

    public CsvReader(Reader in) {
        this.source = in;
    }

    /** Opens the parser on the first read, so nothing is read (and no read fails) before {@link #next()}. */
    private void open() {
        in = new QuoteCounter(skipByteOrderMark(source));
        records = de.siegmar.fastcsv.reader.CsvReader.builder()
                .skipEmptyLines(false)
                .allowExtraFields(true)
                .allowMissingFields(true)
                .allowExtraCharsAfterClosingQuote(false)
                .maxBufferSize(MAX_BUFFER_CHARS)
                .build(handler, in)
                .iterator();
    }

    private static Reader skipByteOrderMark(Reader in) {
        PushbackReader pushback = new PushbackReader(in, 1);
        try {
            int first = pushback.read();
            if (first >= 0 && first != '\uFEFF') {
                pushback.unread(first);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return pushback;
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
        if (records == null) {
            open();
        }
        String[] record;
        try {
            if (!records.hasNext()) {
                return null;
            }
            record = records.next();
        } catch (CsvParseException e) {
            throw translate(e);
        }
        recordLine = handler.line;
        // Every quote of well-formed CSV comes in a pair (a quoted field's opening and closing one, or "" inside it),
        // and a quote in an unquoted field is refused; so an odd count at the end means the last quote never closed.
        // FastCSV reads such a field to the end of the input.
        if (in.ended && (in.quotes & 1) == 1) {
            throw new IllegalArgumentException("a quoted field opened on line " + recordLine + " is never closed");
        }
        return record;
    }

    private IllegalArgumentException translate(CsvParseException e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof IllegalArgumentException ours) {
                return ours;
            }
            if (cause instanceof UncheckedIOException io) {
                throw io;
            }
            if (cause instanceof IOException io) {
                throw new UncheckedIOException(io);
            }
        }
        String message = deepest(e).getMessage();
        if (message != null && message.contains("after closing quote")) {
            return new IllegalArgumentException("line " + handler.line + ": unexpected text after a closing quote");
        }
        if (message != null && message.contains("buffer size")) {
            return new IllegalArgumentException("the record starting on line " + handler.line + " is longer than "
                    + MAX_RECORD_CHARS + " characters");
        }
        return new IllegalArgumentException("line " + handler.line + ": " + message);
    }

    private static Throwable deepest(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }

    /** Builds each record as a String[]: null for an empty unquoted field; checks the limits and stray quotes. */
    private static final class Fields extends AbstractBaseCsvCallbackHandler<String[]> {
        private static final String[] BLANK_LINE = {null};
        private String[] fields = new String[16];
        private long recordChars;
        long line;

        private boolean blank;

        @Override
        protected void handleBegin(long startingLineNumber) {
            line = startingLineNumber;
            recordChars = 0;
            blank = false;
        }

        @Override
        protected void handleEmpty() {
            blank = true;
        }

        @Override
        protected void handleField(int index, char[] buf, int offset, int len, boolean quoted) {
            if (len > MAX_FIELD_CHARS) {
                throw new IllegalArgumentException("line " + line + ": a field is longer than " + MAX_FIELD_CHARS
                        + " characters");
            }
            recordChars += len + 1;
            if (recordChars > MAX_RECORD_CHARS) {
                throw new IllegalArgumentException("the record starting on line " + line + " is longer than "
                        + MAX_RECORD_CHARS + " characters");
            }
            if (!quoted) {
                for (int i = offset; i < offset + len; i++) {
                    if (buf[i] == '"') {
                        throw new IllegalArgumentException("line " + line + ": a quote inside an unquoted field; "
                                + "quote the whole field and double the quote (\"\")");
                    }
                }
            }
            if (index == fields.length) {
                fields = Arrays.copyOf(fields, fields.length * 2);
            }
            fields[index] = len == 0 && !quoted ? null : new String(buf, offset, len);
        }

        @Override
        protected String[] buildRecord() {
            // A blank line is a record of one empty field, as RFC 4180 reads it.
            return blank || getFieldCount() == 0 ? BLANK_LINE.clone() : Arrays.copyOf(fields, getFieldCount());
        }
    }

    /** Counts the quote characters that pass and whether the input has ended (see {@link #next()}). */
    private static final class QuoteCounter extends FilterReader {
        long quotes;
        boolean ended;

        QuoteCounter(Reader in) {
            super(in);
        }

        @Override
        public int read(char[] buf, int off, int len) throws IOException {
            int n = super.read(buf, off, len);
            if (n < 0) {
                ended = true;
                return n;
            }
            long q = 0;
            for (int i = off; i < off + n; i++) {
                if (buf[i] == '"') {
                    q++;
                }
            }
            quotes += q;
            return n;
        }

        @Override
        public int read() throws IOException {
            int c = super.read();
            if (c < 0) {
                ended = true;
            } else if (c == '"') {
                quotes++;
            }
            return c;
        }
    }
}
