package io.cairn.registry;

import java.util.List;
import java.util.Map;

/**
 * One version of a registered model. {@code storageLocation} is the artifact-store path of its files, resolved from
 * {@code source} when the version was created.
 */
public record ModelVersion(String name, int version, long creationTimestamp, long lastUpdatedTimestamp, String userId,
                           String currentStage, String description, String source, String runId, String runLink,
                           String status, String storageLocation, Map<String, String> tags, List<String> aliases) {
}
