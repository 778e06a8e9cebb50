package io.cairn.web;

import io.cairn.tracking.Experiment;
import java.util.List;
import java.util.Map;

/** One page of experiments, with each one's number of active runs. */
public record ExperimentList(String query, List<Experiment> experiments, Map<String, Long> runCounts, int page,
                             boolean hasNext, String error) {

    public String pageLink(int n) {
        return new Query("/experiments").add("q", query).add("page", n == 1 ? null : n).toString();
    }

    public long runs(Experiment e) {
        return runCounts.getOrDefault(e.experimentId(), 0L);
    }
}
