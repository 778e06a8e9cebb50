package io.cairn.serving.log;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Prediction ids: random (version 4) UUIDs drawn from {@link ThreadLocalRandom}. They only need to be unique, not
 * unguessable, and this keeps {@link UUID#randomUUID()}'s shared SecureRandom off the request path.
 */
public final class PredictionIds {

    private PredictionIds() {
    }

    public static UUID next() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high = (random.nextLong() & ~0xF000L) | 0x4000L;
        long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(high, low);
    }
}
