package io.cairn.web;

import java.util.List;

/**
 * One metric of several runs on a shared x axis (the union of their downsampled steps), as uPlot takes it: a run's
 * value is null at a step it has no point for.
 */
public record CompareSeriesJson(String key, long[] steps, List<RunSeries> runs) {

    /** One run's line. */
    public record RunSeries(String runId, String name, Double[] values) {
    }
}
