package io.cairn.tracking;

/** A run's own attributes, without its logged data. */
public record RunInfo(String runId, String experimentId, String runName, String userId, String status,
                      Long startTime, Long endTime, String artifactUri, String lifecycleStage) {
}
