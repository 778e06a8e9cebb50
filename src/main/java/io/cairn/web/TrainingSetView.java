package io.cairn.web;

import io.cairn.features.SavedTrainingSet;
import io.cairn.registry.ModelVersion;
import io.cairn.tracking.RunInfo;
import java.util.List;

/** One saved training set: what it holds, the runs that logged it and the model versions registered from them. */
public record TrainingSetView(SavedTrainingSet set, List<RunInfo> runs, List<ModelVersion> versions) {
}
