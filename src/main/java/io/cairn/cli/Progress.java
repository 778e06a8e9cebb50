package io.cairn.cli;

import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress of long work (bytes sent or received, views materialized) with its rate and ETA, drawn on stderr by
 * me.tongfei:progressbar when stderr is a terminal, and nothing at all otherwise, so CI logs stay free of redraws.
 */
interface Progress extends AutoCloseable {

    Progress NONE = new Progress() {
        @Override
        public void stepBy(long n) {
        }

        @Override
        public void close() {
        }
    };

    void stepBy(long n);

    @Override
    void close();

    /**
     * A bar for {@code total} units ({@code -1}: unknown, rate only), counted in {@code unit} of {@code unitSize}
     * (e.g. "MB", 1,000,000), or {@link #NONE} when not on a terminal.
     */
    static Progress start(boolean terminal, String task, long total, String unit, long unitSize) {
        if (!terminal) {
            return NONE;
        }
        ProgressBarBuilder builder = new ProgressBarBuilder().setTaskName(task).setInitialMax(total)
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250).showSpeed()
                .setConsumer(new ConsoleProgressBarConsumer(System.err));
        builder.setUnit(" " + unit, Math.max(1, unitSize));
        ProgressBar bar = builder.build();
        return new Progress() {
            @Override
            public void stepBy(long n) {
                bar.stepBy(n);
            }

            @Override
            public void close() {
                bar.close();
            }
        };
    }

    /** Whether this process writes to a terminal (Java 22 and later answer a console even when redirected). */
    static boolean onTerminal() {
        java.io.Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }

    /** {@code in}, counting what is read into this progress. */
    default InputStream counting(InputStream in) {
        return new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) {
                    stepBy(1);
                }
                return b;
            }

            @Override
            public int read(byte[] buf, int off, int len) throws IOException {
                int n = super.read(buf, off, len);
                if (n > 0) {
                    stepBy(n);
                }
                return n;
            }
        };
    }

    /** {@code out}, counting what is written into this progress. */
    default OutputStream counting(OutputStream out) {
        return new FilterOutputStream(out) {
            @Override
            public void write(int b) throws IOException {
                out.write(b);
                stepBy(1);
            }

            @Override
            public void write(byte[] buf, int off, int len) throws IOException {
                out.write(buf, off, len);
                stepBy(len);
            }
        };
    }
}
