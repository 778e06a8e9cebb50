package io.cairn.tracking.mlflow;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.cairn.artifacts.ArtifactFile;
import io.cairn.platform.error.MlflowApi;
import io.cairn.platform.security.Access;
import io.cairn.platform.security.Permission;
import io.cairn.platform.security.ResourceType;
import io.cairn.tracking.RunService;
import io.cairn.tracking.RunArtifactService;
import io.cairn.tracking.RunArtifactService.RunArtifacts;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** MLflow REST 2.0 {@code artifacts/list}: the files of a run, read from the artifact store. */
@RestController
@MlflowApi
@RequestMapping({"/api/2.0/mlflow", "/ajax-api/2.0/mlflow"})
class MlflowRunArtifactController {

    private final RunArtifactService artifacts;
    private final RunService runs;
    private final Access access;

    MlflowRunArtifactController(RunArtifactService artifacts, RunService runs, Access access) {
        this.artifacts = artifacts;
        this.runs = runs;
        this.access = access;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record FileInfoJson(String path, boolean is_dir, Long file_size) {
        static FileInfoJson of(ArtifactFile f) {
            return new FileInfoJson(f.path(), f.isDir(), f.isDir() ? null : f.fileSize());
        }
    }

    /** MLflow's response; like MLflow's own server it returns the whole directory and never a next_page_token. */
    record ListArtifactsResponse(String root_uri, List<FileInfoJson> files) {
    }

    @GetMapping("/artifacts/list")
    ListArtifactsResponse list(@RequestParam(name = "run_id", required = false) String runId,
                               @RequestParam(name = "run_uuid", required = false) String runUuid,
                               @RequestParam(name = "path", required = false) String path,
                               @RequestParam(name = "page_token", required = false) String pageToken) {
        String id = TrackingMessages.runId(runId, runUuid);
        access.require(ResourceType.EXPERIMENT, () -> id == null || id.isEmpty() ? null
                : runs.getInfo(id).experimentId(), Permission.READ);
        RunArtifacts listing = artifacts.list(id, path);
        return new ListArtifactsResponse(listing.rootUri(), listing.files().stream().map(FileInfoJson::of).toList());
    }
}
