package io.cairn.tracking;

import io.cairn.artifacts.ArtifactFile;
import io.cairn.artifacts.ArtifactLocations;
import io.cairn.artifacts.ArtifactPaths;
import io.cairn.artifacts.ArtifactStore;
import io.cairn.platform.error.CairnException;
import java.util.List;
import org.springframework.stereotype.Service;

/** A run's artifacts as MLflow's {@code artifacts/list} shows them: paths relative to the run's artifact root. */
@Service
public class RunArtifactService {

    private final RunService runs;
    private final ArtifactStore store;
    private final ArtifactLocations locations;

    public RunArtifactService(RunService runs, ArtifactStore store, ArtifactLocations locations) {
        this.runs = runs;
        this.store = store;
        this.locations = locations;
    }

    /** A listing: the run's artifact URI and the entries of the listed directory, paths relative to that URI. */
    public record RunArtifacts(String rootUri, List<ArtifactFile> files) {
    }

    /** Lists the directory {@code path} (empty or null: the root) of the run's artifacts. */
    public RunArtifacts list(String runId, String path) {
        RunInfo run = runs.getInfo(runId);
        String relative = ArtifactPaths.normalize(path);
        String root = locations.storePath(run.artifactUri()).orElseThrow(() -> CairnException.invalid(
                "The artifacts of run " + run.runId() + " live at " + run.artifactUri() + ", outside this server's "
                        + "artifact store; list them there."));
        List<ArtifactFile> files = store.list(ArtifactPaths.join(root, relative)).stream()
                .map(f -> new ArtifactFile(ArtifactPaths.join(relative, f.name()), f.isDir(), f.fileSize()))
                .toList();
        return new RunArtifacts(run.artifactUri(), files);
    }

    /** Opens one artifact file of the run for reading, or empty when there is none at {@code path}. */
    public java.util.Optional<io.cairn.artifacts.ArtifactContent> open(String runId, String path) {
        RunInfo run = runs.getInfo(runId);
        String relative = ArtifactPaths.normalize(path);
        String root = locations.storePath(run.artifactUri()).orElseThrow(() -> CairnException.invalid(
                "The artifacts of run " + run.runId() + " live at " + run.artifactUri() + ", outside this server's "
                        + "artifact store; read them there."));
        return store.open(ArtifactPaths.join(root, relative));
    }
}
