package io.cairn.registry;

import java.util.List;
import java.util.Map;

/** A registered model with its tags, aliases (alias → version) and latest version per stage. */
public record RegisteredModel(String name, long creationTimestamp, long lastUpdatedTimestamp, String description,
                              List<ModelVersion> latestVersions, Map<String, String> tags, Map<String, Integer> aliases) {
}
