package io.cairn.platform.db;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.jdbc.support.SQLExceptionSubclassTranslator;

/**
 * Streams rows into one {@code COPY ... FROM STDIN} (text format) on the current transaction's connection, encoding
 * values straight into a byte buffer that is handed to PostgreSQL every 256 KiB. Values are {@link Long},
 * {@link Integer}, {@link Double}, {@link Float}, {@link Boolean}, {@link String}, {@link Instant} or null.
 * Close with {@link #finish()} (returns the row count) or {@link #cancel()}; either releases the connection. Shared by
 * the feature store (offline rows, training sets) and monitoring (ground-truth loads).
 */
public final class CopyWriter implements AutoCloseable {

    private static final int FLUSH_AT = 256 * 1024;

    private final DataSource dataSource;
    private final Connection connection;
    private final CopyIn copy;
    private CopyIn mirror;
    private byte[] buf = new byte[FLUSH_AT + 4096];
    private int len;
    private boolean firstInRow = true;
    private boolean open = true;

    public CopyWriter(DataSource dataSource, String copySql) {
        this.dataSource = dataSource;
        this.connection = DataSourceUtils.getConnection(dataSource);
        try {
            this.copy = connection.unwrap(PGConnection.class).getCopyAPI().copyIn(copySql);
        } catch (SQLException e) {
            DataSourceUtils.releaseConnection(connection, dataSource);
            throw translate("COPY", e);
        }
    }

    /** Sends every byte to a second COPY too (on another connection); it is ended or cancelled with this one. */
    public void mirrorTo(CopyIn second) {
        this.mirror = second;
    }

    public void value(Object v) {
        if (!firstInRow) {
            put((byte) '\t');
        }
        firstInRow = false;
        if (v == null) {
            put((byte) '\\');
            put((byte) 'N');
        } else if (v instanceof Long l) {
            ascii(Long.toString(l));
        } else if (v instanceof Integer i) {
            ascii(Integer.toString(i));
        } else if (v instanceof Double d) {
            ascii(Double.toString(d));
        } else if (v instanceof Float f) {
            ascii(Float.toString(f));
        } else if (v instanceof Boolean b) {
            put((byte) (b ? 't' : 'f'));
        } else if (v instanceof Instant t) {
            timestamp(t);
        } else {
            text(v.toString());
        }
    }

    public void endRow() {
        put((byte) '\n');
        firstInRow = true;
        if (len >= FLUSH_AT) {
            flush();
        }
    }

    /** Ends the COPY and returns the number of rows PostgreSQL stored. */
    public long finish() {
        try {
            flush();
            open = false;
            long rows = copy.endCopy();
            if (mirror != null && mirror.endCopy() != rows) {
                throw new IllegalStateException("the mirrored COPY stored a different number of rows");
            }
            return rows;
        } catch (SQLException e) {
            throw translate("COPY", e);
        } finally {
            DataSourceUtils.releaseConnection(connection, dataSource);
        }
    }

    /** Abandons the COPY; the transaction stays usable for the caller to roll back. */
    public void cancel() {
        if (!open) {
            return;
        }
        open = false;
        try {
            if (mirror != null && mirror.isActive()) {
                mirror.cancelCopy();
            }
        } catch (SQLException e) {
            // As below.
        }
        try {
            if (copy.isActive()) {
                copy.cancelCopy();
            }
        } catch (SQLException e) {
            // The COPY is already gone; the caller is failing the request anyway.
        } finally {
            DataSourceUtils.releaseConnection(connection, dataSource);
        }
    }

    @Override
    public void close() {
        cancel();
    }

    private void flush() {
        if (len == 0) {
            return;
        }
        try {
            copy.writeToCopy(buf, 0, len);
            if (mirror != null) {
                mirror.writeToCopy(buf, 0, len);
            }
            len = 0;
        } catch (SQLException e) {
            throw translate("COPY", e);
        }
    }

    private void text(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                switch (c) {
                    case '\\' -> {
                        put((byte) '\\');
                        put((byte) '\\');
                    }
                    case '\n' -> {
                        put((byte) '\\');
                        put((byte) 'n');
                    }
                    case '\r' -> {
                        put((byte) '\\');
                        put((byte) 'r');
                    }
                    case '\t' -> {
                        put((byte) '\\');
                        put((byte) 't');
                    }
                    default -> put((byte) c);
                }
            } else {
                int end = i + 1;
                while (end < s.length() && s.charAt(end) >= 0x80) {
                    end++;
                }
                byte[] utf8 = s.substring(i, end).getBytes(StandardCharsets.UTF_8);
                ensure(utf8.length);
                System.arraycopy(utf8, 0, buf, len, utf8.length);
                len += utf8.length;
                i = end - 1;
            }
        }
    }

    /** {@code yyyy-MM-dd HH:mm:ss.ffffff+00}, which PostgreSQL reads without guessing. */
    private void timestamp(Instant t) {
        LocalDateTime d = LocalDateTime.ofEpochSecond(t.getEpochSecond(), t.getNano(), ZoneOffset.UTC);
        ensure(32);
        pad(d.getYear(), 4);
        put((byte) '-');
        pad(d.getMonthValue(), 2);
        put((byte) '-');
        pad(d.getDayOfMonth(), 2);
        put((byte) ' ');
        pad(d.getHour(), 2);
        put((byte) ':');
        pad(d.getMinute(), 2);
        put((byte) ':');
        pad(d.getSecond(), 2);
        put((byte) '.');
        pad(d.getNano() / 1000, 6);
        put((byte) '+');
        put((byte) '0');
        put((byte) '0');
    }

    private void pad(int v, int width) {
        for (int i = width - 1; i >= 0; i--) {
            buf[len + i] = (byte) ('0' + v % 10);
            v /= 10;
        }
        len += width;
    }

    private void ascii(String s) {
        ensure(s.length());
        for (int i = 0; i < s.length(); i++) {
            buf[len++] = (byte) s.charAt(i);
        }
    }

    private void put(byte b) {
        if (len == buf.length) {
            ensure(1);
        }
        buf[len++] = b;
    }

    private void ensure(int more) {
        if (len + more > buf.length) {
            buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
        }
    }

    public static DataAccessException translate(String task, SQLException e) {
        DataAccessException translated = new SQLExceptionSubclassTranslator().translate(task, null, e);
        return translated != null ? translated
                : new org.springframework.dao.DataAccessResourceFailureException(task + " failed", e);
    }
}
