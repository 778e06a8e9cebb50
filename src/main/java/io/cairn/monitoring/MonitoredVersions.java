package io.cairn.monitoring;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.cairn.platform.error.CairnException;
import io.cairn.registry.ModelVersion;
import io.cairn.registry.ModelVersions;
import io.cairn.registry.MonitoringTags;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * What monitoring needs to know of a model version, from its tags: its task and score output, and the feature names
 * of its input columns (the {@code cairn.features} tag, else the column names of its MLflow signature). Read from the registry at most every 30 seconds per version, because it is asked for every
 * batch of logged predictions; a tag changed in the registry applies to predictions logged after that.
 */
@Component
class MonitoredVersions {

    private static final Logger log = LoggerFactory.getLogger(MonitoredVersions.class);
    static final Duration FRESHNESS = Duration.ofSeconds(30);

    /**
     * A version's monitoring settings (empty when it names no task), its feature references in column order, and the
     * training-set column of its target ({@code cairn.label}, or null).
     */
    record Monitored(Optional<MonitoringTags.Settings> settings, List<String> features, String label) {
        static final Monitored NONE = new Monitored(Optional.empty(), List.of(), null);
    }

    private record Key(String model, int version) {
    }

    private final ModelVersions versions;
    private final Cache<Key, Monitored> cache = Caffeine.newBuilder().maximumSize(10_000)
            .expireAfterWrite(FRESHNESS).build();

    MonitoredVersions(ModelVersions versions) {
        this.versions = versions;
    }

    Monitored of(String model, int version) {
        return cache.get(new Key(model, version), this::read);
    }

    private Monitored read(Key key) {
        ModelVersion version;
        try {
            version = versions.get(key.model(), Integer.toString(key.version()));
        } catch (CairnException e) {
            return Monitored.NONE; // deleted since it answered
        }
        List<String> features = MonitoringTags.featureRefs(version.tags());
        if (features.isEmpty()) {
            features = versions.signatureColumns(key.model(), key.version());
        }
        String label = version.tags().get(MonitoringTags.LABEL);
        try {
            return new Monitored(MonitoringTags.of(version.tags()), features, label);
        } catch (CairnException e) {
            // Tags set before the registry checked them: the version is not scored rather than every batch failing.
            log.warn("Model {} version {} is not scored by monitoring: {}", key.model(), key.version(),
                    e.getMessage());
            return new Monitored(Optional.empty(), features, label);
        }
    }
}
