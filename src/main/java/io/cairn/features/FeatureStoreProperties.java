package io.cairn.features;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Feature-store settings.
 *
 * @param trainingWorkMem PostgreSQL {@code work_mem} for sorting the point-in-time join into entity-row order, set for
 *                        that transaction only; large enough that a training set of a million entity rows sorts in
 *                        memory
 */
@ConfigurationProperties("cairn.features")
public record FeatureStoreProperties(@DefaultValue("1GB") String trainingWorkMem) {
}
