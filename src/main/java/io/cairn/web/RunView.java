package io.cairn.web;

import io.cairn.artifacts.ArtifactFile;
import io.cairn.registry.ModelVersion;
import io.cairn.tracking.Experiment;
import io.cairn.tracking.Metric;
import io.cairn.tracking.Run;
import java.util.List;

/**
 * A run's page: its attributes, params, tags, latest metrics (charted ones first), datasets, the listed directory of
 * its artifacts and the model versions registered from it.
 *
 * @param artifactsError why the artifacts could not be listed (they live outside this server's store), else null
 */
public record RunView(Run run, Experiment experiment, List<Metric> metrics, List<String> charted,
                      String artifactDirectory, List<ArtifactFile> artifacts, String artifactsError,
                      List<ModelVersion> versions) {

    public String name() {
        return Format.runName(run.info());
    }

    public String path() {
        return "/runs/" + Format.segment(run.info().runId());
    }

    public String seriesUrl(String key) {
        return new Query(path() + "/series").add("key", key).toString();
    }

    public String directoryLink(String directory) {
        return new Query(path()).add("artifacts", directory).toString() + "#artifacts";
    }

    public String artifactLink(String file) {
        return new Query(path() + "/artifact").add("path", file).toString();
    }

    /** The directory above the listed one ("" for the root), or null at the root. */
    public String parentDirectory() {
        if (artifactDirectory.isEmpty()) {
            return null;
        }
        int slash = artifactDirectory.lastIndexOf('/');
        return slash < 0 ? "" : artifactDirectory.substring(0, slash);
    }
}
