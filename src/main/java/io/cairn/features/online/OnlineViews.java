package io.cairn.features.online;

import io.cairn.features.FeatureDefinitions;
import io.cairn.features.FeatureDefinitions.FeatureViewChanged;
import io.cairn.features.FeatureView;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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

    private record Cached(FeatureView view, long loadedAtMillis) {
    }

    private final FeatureDefinitions definitions;
    private final OnlineStoreProperties properties;
    private final Clock clock;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    OnlineViews(FeatureDefinitions definitions, OnlineStoreProperties properties, Clock clock) {
        this.definitions = definitions;
        this.properties = properties;
        this.clock = clock;
    }

    /** The named views, in the order given; a 400 names any that does not exist. */
    Map<String, FeatureView> views(List<String> names) {
        long now = clock.millis();
        long ttl = properties.registryTtl().toMillis();
        Map<String, FeatureView> found = new LinkedHashMap<>();
        List<String> missing = new ArrayList<>();
        for (String name : names) {
            FeatureView fresh = fresh(name, now, ttl);
            if (fresh != null) {
                found.put(name, fresh);
            } else if (!missing.contains(name)) {
                missing.add(name);
            }
        }
        if (!missing.isEmpty()) {
            definitions.views(missing).forEach((name, view) -> cache.put(name, new Cached(view, now)));
            Map<String, FeatureView> ordered = new LinkedHashMap<>();
            for (String name : names) {
                ordered.put(name, found.containsKey(name) ? found.get(name) : cache.get(name).view());
            }
            return ordered;
        }
        return found;
    }

    /** The named views if the cache holds all of them, fresh; otherwise null (and nothing is read). */
    Map<String, FeatureView> cachedViews(List<String> names) {
        long now = clock.millis();
        long ttl = properties.registryTtl().toMillis();
        Map<String, FeatureView> found = new LinkedHashMap<>();
        for (String name : names) {
            FeatureView fresh = fresh(name, now, ttl);
            if (fresh == null) {
                return null;
            }
            found.put(name, fresh);
        }
        return found;
    }

    private FeatureView fresh(String name, long now, long ttl) {
        Cached c = cache.get(name);
        return c != null && now - c.loadedAtMillis() < ttl ? c.view() : null;
    }

    @TransactionalEventListener(phase = TransactionPhase.AFTER_COMMIT, fallbackExecution = true)
    void changed(FeatureViewChanged event) {
        cache.remove(event.name());
    }
}
