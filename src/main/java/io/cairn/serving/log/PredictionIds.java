package io.cairn.serving.log;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Prediction ids: time-ordered UUIDs (version 7, RFC 9562): 48 bits of Unix milliseconds, then random bits from
 * {@link ThreadLocalRandom}. Time order keeps prediction_log's primary key appending at its right edge; the ids only
 * need to be unique, not unguessable, so {@link UUID#randomUUID()}'s shared SecureRandom stays off the request path.
 */
public final class PredictionIds {

    private PredictionIds() {
    }

    public static UUID next() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high = (System.currentTimeMillis() << 16) | 0x7000L | (random.nextInt() & 0x0FFFL);
        long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(high, low);
    }
}
