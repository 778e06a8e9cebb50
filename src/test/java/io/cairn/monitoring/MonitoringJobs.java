package io.cairn.monitoring;

import java.time.Instant;
import org.springframework.context.ApplicationContext;

/** For tests outside this package: runs monitoring's background work now instead of waiting for its schedule. */
public final class MonitoringJobs {

    private MonitoringJobs() {
    }

    /** Flushes the live sketches and evaluates every window that closes before {@code until}; returns how many. */
    public static int flushAndEvaluateUntil(ApplicationContext context, Instant until) {
        context.getBean(LiveSketches.class).flush();
        return context.getBean(MonitoringEvaluation.class).evaluateUntil(until);
    }
}
