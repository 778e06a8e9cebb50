package io.cairn.tracking;

import java.util.List;
import java.util.Map;

/** A run with its latest metrics, params, tags and dataset inputs. */
public record Run(RunInfo info, List<Metric> latestMetrics, Map<String, String> params, Map<String, String> tags,
                  List<DatasetInput> inputs) {
}
