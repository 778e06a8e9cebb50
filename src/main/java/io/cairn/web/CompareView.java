package io.cairn.web;

import io.cairn.tracking.Experiment;
import io.cairn.tracking.Metric;
import io.cairn.tracking.Run;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Several runs side by side: every param (those that differ marked), every metric's latest value, one metric's
 * histories overlaid, and a scatter of one param against one metric.
 */
public record CompareView(Experiment experiment, List<Run> runs, String chartMetric, String scatterParam,
                          String scatterMetric, Scatter scatter) {

    public static String name(Run run) {
        return Format.runName(run.info());
    }

    public Set<String> paramKeys() {
        Set<String> keys = new TreeSet<>();
        runs.forEach(r -> keys.addAll(r.params().keySet()));
        return keys;
    }

    public Set<String> metricKeys() {
        Set<String> keys = new TreeSet<>();
        runs.forEach(r -> r.latestMetrics().forEach(m -> keys.add(m.key())));
        return keys;
    }

    public String param(Run run, String key) {
        return run.params().getOrDefault(key, "");
    }

    public String metric(Run run, String key) {
        for (Metric m : run.latestMetrics()) {
            if (m.key().equals(key)) {
                return Format.number(m.value());
            }
        }
        return "";
    }

    /** Whether the runs disagree on this param (one lacking it counts as different). */
    public boolean paramDiffers(String key) {
        String first = runs.get(0).params().get(key);
        return runs.stream().anyMatch(r -> !Objects.equals(first, r.params().get(key)));
    }

    public String seriesUrl() {
        return new Query("/experiments/" + Format.segment(experiment.experimentId()) + "/compare/series")
                .add("key", chartMetric).addAll("run", runs.stream().map(r -> r.info().runId()).toList()).toString();
    }

    public String path() {
        return "/experiments/" + Format.segment(experiment.experimentId()) + "/compare";
    }
}
