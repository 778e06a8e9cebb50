package io.cairn.serving;

import java.time.Instant;
import java.util.Map;

/**
 * How a deployment's requests ended, across every replica: each replica adds its counts to PostgreSQL every few
 * seconds, per version and minute. For modules that judge a version by its error rate (monitoring's canary guard).
 */
public interface ServingOutcomes {

    /** Requests that were answered, and those that failed on the server (5xx); bad requests are neither. */
    record Outcomes(long succeeded, long failed) {
        public long total() {
            return succeeded + failed;
        }
    }

    /** A deployment's outcomes per version in the minutes from {@code from} (rounded down) to {@code to}. */
    Map<Integer, Outcomes> counts(String deployment, Instant from, Instant to);
}
