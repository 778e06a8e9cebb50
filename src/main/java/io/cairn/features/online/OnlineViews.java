package io.cairn.features.online;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.cairn.features.FeatureDefinitions;
import io.cairn.features.FeatureDefinitions.FeatureViewChanged;
import io.cairn.features.FeatureView;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionPhase;
import org.springframework.transaction.event.TransactionalEventListener;

/**
 * Feature-view definitions for the online read path, cached for {@code registry-ttl} so a read costs no database
 * round trip (Feast's feature server caches its registry the same way). Changes made through this server evict at
 * once; changes made through another replica show after at most the TTL.
 */
@Component
class OnlineViews {

    private final FeatureDefinitions definitions;
    /** Expires on the application's clock, so that tests can move it. */
    private final Cache<String, FeatureView> cache;

    OnlineViews(FeatureDefinitions definitions, OnlineStoreProperties properties, Clock clock) {
        this.definitions = definitions;
        this.cache = Caffeine.newBuilder()
                .expireAfterWrite(properties.registryTtl())
                .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
                .build();
    }

    /** The named views, in the order given; a 400 names any that does not exist. */
    Map<String, FeatureView> views(List<String> names) {
        // The answer is built from what getAll returns, never looked up again: an entry evicted meanwhile (a change
        // committed on another thread) cannot leave a hole in it.
        Map<String, FeatureView> loaded = cache.getAll(names, missing -> definitions.views(new ArrayList<>(missing)));
        Map<String, FeatureView> ordered = new LinkedHashMap<>();
        for (String name : names) {
            ordered.put(name, loaded.get(name));
        }
        return ordered;
    }

    /** The named views if the cache holds all of them, fresh; otherwise null (and nothing is read). */
    Map<String, FeatureView> cachedViews(List<String> names) {
        Map<String, FeatureView> found = new LinkedHashMap<>();
        for (String name : names) {
            FeatureView fresh = cache.getIfPresent(name);
            if (fresh == null) {
                return null;
            }
            found.put(name, fresh);
        }
        return found;
    }

    @TransactionalEventListener(phase = TransactionPhase.AFTER_COMMIT, fallbackExecution = true)
    void changed(FeatureViewChanged event) {
        cache.invalidate(event.name());
    }
}
