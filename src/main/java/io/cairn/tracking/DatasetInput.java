package io.cairn.tracking;

import java.util.Map;

/** A dataset used by a run, with the input's tags (e.g. {@code mlflow.data.context = training}). */
public record DatasetInput(Map<String, String> tags, Dataset dataset) {
}
