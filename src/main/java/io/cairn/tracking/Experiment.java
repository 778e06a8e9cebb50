package io.cairn.tracking;

import java.util.Map;

/** An experiment: a named group of runs. Ids are decimal strings, as in MLflow. */
public record Experiment(String experimentId, String name, String artifactLocation, String lifecycleStage,
                         long creationTime, long lastUpdateTime, Map<String, String> tags) {
}
