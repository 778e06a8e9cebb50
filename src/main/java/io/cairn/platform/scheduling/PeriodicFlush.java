package io.cairn.platform.scheduling;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A replica's own periodic write of what it gathered in memory (drift sketches, request outcomes): one daemon thread
 * runs the flush every period, and {@link #stop()} waits for a running one, then flushes once more, so what was
 * gathered up to shutdown is written. A flush that throws, an Error included, is logged and the next one runs. Not a
 * scheduled job in the lock library's sense: every replica flushes its own state.
 */
public final class PeriodicFlush {

    private static final Logger log = LoggerFactory.getLogger(PeriodicFlush.class);

    private final String name;
    private final Duration every;
    private final Runnable flush;
    private ScheduledExecutorService thread;

    /** @param name the thread's name, and what log lines call the flush */
    public PeriodicFlush(String name, Duration every, Runnable flush) {
        this.name = name;
        this.every = every;
        this.flush = flush;
    }

    public void start() {
        thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
        long millis = Math.max(100, every.toMillis());
        thread.scheduleWithFixedDelay(this::flushSafely, millis, millis, TimeUnit.MILLISECONDS);
    }

    /** Stops the schedule (waiting up to 10 s for a flush in progress), then flushes what is left. */
    public void stop() {
        if (thread != null) {
            thread.shutdown();
            try {
                thread.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        flushSafely();
    }

    private void flushSafely() {
        try {
            flush.run();
        } catch (Throwable e) {
            log.warn("{} failed; the next flush tries again", name, e);
        }
    }
}
