package io.cairn.features.online;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cairn.features.FeatureDefinitions;
import io.cairn.features.FeatureDefinitions.FeatureViewChanged;
import io.cairn.features.FeatureView;
import io.cairn.platform.error.CairnException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The online read path's cache of view definitions: read once per TTL, evicted by a change, never a hole. */
class OnlineViewsTest {

    /** A clock the test moves by hand. */
    private static final class MovableClock extends Clock {
        private volatile Instant now = Instant.parse("2025-01-01T00:00:00Z");

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    /**
     * The definitions as the database would answer them, counting the reads (the cache's behaviour is what is under
     * test here; reading definitions from PostgreSQL is FeatureDefinitionsIT's).
     */
    private static final class CountingDefinitions extends FeatureDefinitions {
        final AtomicInteger reads = new AtomicInteger();
        final List<List<String>> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
        volatile int version = 1;

        CountingDefinitions() {
            super(null, null, null, null, null, null);
        }

        @Override
        public Map<String, FeatureView> views(List<String> names) {
            reads.incrementAndGet();
            asked.add(List.copyOf(names));
            Map<String, FeatureView> found = new LinkedHashMap<>();
            for (String name : names) {
                if (name.startsWith("missing")) {
                    throw CairnException.invalid("Feature view '" + name + "' does not exist.");
                }
                found.put(name, view(name, version));
            }
            return found;
        }

        static FeatureView view(String name, int version) {
            return new FeatureView(version, "k" + name, name, List.of(), List.of(), List.of(), 0, true,
                    "v" + version, Map.of(), null, null, null, null, null);
        }
    }

    private final MovableClock clock = new MovableClock();
    private final CountingDefinitions definitions = new CountingDefinitions();
    private final OnlineViews views = new OnlineViews(definitions,
            new OnlineStoreProperties(Duration.ofSeconds(2), 500, 8, Duration.ofSeconds(5)), clock);

    @Test
    void viewsAreReadOnceAndServedFromTheCacheUntilTheTtlEnds() {
        assertThat(views.cachedViews(List.of("a"))).isNull();
        assertThat(views.views(List.of("b", "a", "b")).keySet()).containsExactly("b", "a");
        assertThat(definitions.reads).hasValue(1);
        assertThat(views.cachedViews(List.of("a", "b")).keySet()).containsExactly("a", "b");

        clock.advance(Duration.ofMillis(4_999));
        definitions.version = 2;
        assertThat(views.views(List.of("a")).get("a").description()).isEqualTo("v1");
        assertThat(definitions.reads).hasValue(1);

        clock.advance(Duration.ofMillis(1));
        assertThat(views.cachedViews(List.of("a"))).as("stale after the TTL").isNull();
        assertThat(views.views(List.of("a")).get("a").description()).isEqualTo("v2");
        assertThat(definitions.reads).hasValue(2);
    }

    @Test
    void onlyTheViewsNotCachedAreRead() {
        views.views(List.of("a"));
        views.views(List.of("a", "b", "c"));
        assertThat(definitions.asked).hasSize(2);
        assertThat(definitions.asked.get(1)).containsExactlyInAnyOrder("b", "c");
    }

    @Test
    void aChangeEvictsAtOnce() {
        views.views(List.of("a", "b"));
        definitions.version = 2;
        views.changed(new FeatureViewChanged("a", "ka", false));
        assertThat(views.cachedViews(List.of("a", "b"))).isNull();
        Map<String, FeatureView> read = views.views(List.of("a", "b"));
        assertThat(read.get("a").description()).isEqualTo("v2");
        assertThat(read.get("b").description()).as("b was not changed").isEqualTo("v1");
    }

    @Test
    void anUnknownViewIsA400AndCachesNothing() {
        assertThatThrownBy(() -> views.views(List.of("a", "missing1"))).isInstanceOf(CairnException.class)
                .hasMessageContaining("missing1");
        assertThat(views.cachedViews(List.of("a"))).isNull();
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void readsRacingEvictionsNeverComeBackWithAHole() throws Exception {
        // Before, a read put what it loaded into the cache and then looked it up again: an eviction in between
        // gave a NullPointerException.
        AtomicBoolean reading = new AtomicBoolean(true);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            Future<?> evictions = pool.submit(() -> {
                while (reading.get()) {
                    views.changed(new FeatureViewChanged("a", "ka", false));
                }
            });
            List<Future<?>> readers = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                readers.add(pool.submit(() -> {
                    for (int i = 0; i < 50_000; i++) {
                        Map<String, FeatureView> read = views.views(List.of("a", "b"));
                        assertThat(read.get("a")).isNotNull();
                        assertThat(read.get("b")).isNotNull();
                    }
                    return null;
                }));
            }
            for (Future<?> reader : readers) {
                reader.get();
            }
            reading.set(false);
            evictions.get();
        } finally {
            reading.set(false);
            pool.shutdownNow();
        }
    }
}
