package io.cairn.registry.mlflow;

import io.cairn.platform.error.MlflowApi;
import io.cairn.platform.search.Page;
import io.cairn.platform.security.Access;
import io.cairn.platform.security.Permission;
import io.cairn.platform.security.ResourceType;
import io.cairn.registry.ModelRegistry;
import io.cairn.registry.ModelVersion;
import io.cairn.registry.ModelVersions;
import io.cairn.tracking.RunService;
import io.cairn.registry.RegisteredModel;
import io.cairn.registry.mlflow.RegistryMessages.CreateModelVersion;
import io.cairn.registry.mlflow.RegistryMessages.CreateRegisteredModel;
import io.cairn.registry.mlflow.RegistryMessages.DeleteAlias;
import io.cairn.registry.mlflow.RegistryMessages.DownloadUriResponse;
import io.cairn.registry.mlflow.RegistryMessages.GetLatestVersions;
import io.cairn.registry.mlflow.RegistryMessages.ModelTag;
import io.cairn.registry.mlflow.RegistryMessages.ModelVersionJson;
import io.cairn.registry.mlflow.RegistryMessages.ModelVersionResponse;
import io.cairn.registry.mlflow.RegistryMessages.ModelVersionsResponse;
import io.cairn.registry.mlflow.RegistryMessages.NameOnly;
import io.cairn.registry.mlflow.RegistryMessages.RegisteredModelJson;
import io.cairn.registry.mlflow.RegistryMessages.RegisteredModelResponse;
import io.cairn.registry.mlflow.RegistryMessages.Rename;
import io.cairn.registry.mlflow.RegistryMessages.SearchModelVersionsResponse;
import io.cairn.registry.mlflow.RegistryMessages.SearchRegisteredModelsResponse;
import io.cairn.registry.mlflow.RegistryMessages.SetAlias;
import io.cairn.registry.mlflow.RegistryMessages.TransitionStage;
import io.cairn.registry.mlflow.RegistryMessages.UpdateModelVersion;
import io.cairn.registry.mlflow.RegistryMessages.UpdateRegisteredModel;
import io.cairn.registry.mlflow.RegistryMessages.VersionRef;
import io.cairn.registry.mlflow.RegistryMessages.VersionTag;
import java.util.List;
import java.util.Map;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * MLflow REST 2.0 model registry endpoints. DELETE endpoints take their fields from a JSON body (MLflow's clients)
 * or from query parameters (curl users), whichever is present.
 */
@RestController
@MlflowApi
@RequestMapping({"/api/2.0/mlflow", "/ajax-api/2.0/mlflow"})
class MlflowRegistryController {

    private final ModelRegistry registry;
    private final ModelVersions versions;
    private final Access access;
    private final RunService runs;

    MlflowRegistryController(ModelRegistry registry, ModelVersions versions, Access access, RunService runs) {
        this.registry = registry;
        this.versions = versions;
        this.access = access;
        this.runs = runs;
    }

    /**
     * Registering files as a version makes them servable by whoever may read the model, so the caller must be able
     * to read them itself: READ on the experiment of the run named, and on the experiment whose artifacts the source
     * points into ({@code mlflow-artifacts:/<experiment_id>/...}, the proxy's layout).
     */
    private void requireReadableSource(String source, String runId) {
        if (!access.enabled()) {
            return;
        }
        if (runId != null && !runId.isEmpty()) {
            access.require(ResourceType.EXPERIMENT, () -> runs.getInfo(runId).experimentId(), Permission.READ);
        }
        String prefix = "mlflow-artifacts:";
        if (source != null && source.startsWith(prefix)) {
            access.requireOnArtifactPath(source.substring(prefix.length()).replaceFirst("^/+", ""), Permission.READ);
        }
    }

    /** Versions, aliases and tags share their registered model's permission, as in MLflow. */
    private void require(String name, Permission needed) {
        access.require(ResourceType.REGISTERED_MODEL, name, needed);
    }

    // ---- registered models -------------------------------------------------------------------------------------

    @PostMapping("/registered-models/create")
    RegisteredModelResponse create(@RequestBody CreateRegisteredModel request) {
        return new RegisteredModelResponse(RegisteredModelJson.of(
                registry.create(request.name(), request.description(), RegistryMessages.map(request.tags()))));
    }

    @GetMapping("/registered-models/get")
    RegisteredModelResponse get(@RequestParam(name = "name", required = false) String name) {
        require(name, Permission.READ);
        return new RegisteredModelResponse(RegisteredModelJson.of(registry.get(name)));
    }

    @PostMapping("/registered-models/rename")
    RegisteredModelResponse rename(@RequestBody Rename request) {
        require(request.name(), Permission.EDIT);
        return new RegisteredModelResponse(RegisteredModelJson.of(registry.rename(request.name(), request.new_name())));
    }

    @PatchMapping("/registered-models/update")
    RegisteredModelResponse update(@RequestBody UpdateRegisteredModel request) {
        require(request.name(), Permission.EDIT);
        return new RegisteredModelResponse(RegisteredModelJson.of(
                registry.updateDescription(request.name(), request.description())));
    }

    @DeleteMapping("/registered-models/delete")
    Map<String, Object> delete(@RequestBody(required = false) NameOnly body,
                               @RequestParam(name = "name", required = false) String name) {
        require(body != null && body.name() != null ? body.name() : name, Permission.MANAGE);
        registry.delete(body != null && body.name() != null ? body.name() : name);
        return Map.of();
    }

    @GetMapping("/registered-models/search")
    SearchRegisteredModelsResponse search(@RequestParam(name = "filter", required = false) String filter,
                                          @RequestParam(name = "max_results", required = false) Integer maxResults,
                                          @RequestParam(name = "order_by", required = false) List<String> orderBy,
                                          @RequestParam(name = "page_token", required = false) String pageToken) {
        Page<RegisteredModel> page = registry.search(filter, orderBy, maxResults, pageToken);
        List<RegisteredModel> visible = access.readable(ResourceType.REGISTERED_MODEL, page.items(),
                RegisteredModel::name);
        return new SearchRegisteredModelsResponse(visible.stream().map(RegisteredModelJson::of).toList(),
                page.nextPageToken());
    }

    @PostMapping("/registered-models/set-tag")
    Map<String, Object> setTag(@RequestBody ModelTag request) {
        require(request.name(), Permission.EDIT);
        registry.setTag(request.name(), request.key(), request.value());
        return Map.of();
    }

    @DeleteMapping("/registered-models/delete-tag")
    Map<String, Object> deleteTag(@RequestBody(required = false) ModelTag body,
                                  @RequestParam(name = "name", required = false) String name,
                                  @RequestParam(name = "key", required = false) String key) {
        require(body != null ? body.name() : name, Permission.EDIT);
        registry.deleteTag(body != null ? body.name() : name, body != null ? body.key() : key);
        return Map.of();
    }

    @PostMapping("/registered-models/alias")
    Map<String, Object> setAlias(@RequestBody SetAlias request) {
        require(request.name(), Permission.EDIT);
        registry.setAlias(request.name(), request.alias(), request.version());
        return Map.of();
    }

    @DeleteMapping("/registered-models/alias")
    Map<String, Object> deleteAlias(@RequestBody(required = false) DeleteAlias body,
                                    @RequestParam(name = "name", required = false) String name,
                                    @RequestParam(name = "alias", required = false) String alias) {
        require(body != null ? body.name() : name, Permission.EDIT);
        registry.deleteAlias(body != null ? body.name() : name, body != null ? body.alias() : alias);
        return Map.of();
    }

    @GetMapping("/registered-models/alias")
    ModelVersionResponse getByAlias(@RequestParam(name = "name", required = false) String name,
                                    @RequestParam(name = "alias", required = false) String alias) {
        require(name, Permission.READ);
        return new ModelVersionResponse(ModelVersionJson.of(registry.byAlias(name, alias)));
    }

    @PostMapping("/registered-models/get-latest-versions")
    ModelVersionsResponse latest(@RequestBody GetLatestVersions request) {
        return latest(request.name(), request.stages());
    }

    @GetMapping("/registered-models/get-latest-versions")
    ModelVersionsResponse latestByGet(@RequestParam(name = "name", required = false) String name,
                                      @RequestParam(name = "stages", required = false) List<String> stages) {
        return latest(name, stages);
    }

    private ModelVersionsResponse latest(String name, List<String> stages) {
        require(name, Permission.READ);
        return new ModelVersionsResponse(versions.latest(name, stages).stream().map(ModelVersionJson::of).toList());
    }

    // ---- model versions ----------------------------------------------------------------------------------------

    @PostMapping("/model-versions/create")
    ModelVersionResponse createVersion(@RequestBody CreateModelVersion request) {
        require(request.name(), Permission.EDIT);
        requireReadableSource(request.source(), request.run_id());
        ModelVersion created = versions.create(new ModelVersions.NewVersion(request.name(), request.source(),
                request.run_id(), request.run_link(), request.description(), RegistryMessages.map(request.tags()), null));
        return new ModelVersionResponse(ModelVersionJson.of(created));
    }

    @GetMapping("/model-versions/get")
    ModelVersionResponse getVersion(@RequestParam(name = "name", required = false) String name,
                                    @RequestParam(name = "version", required = false) String version) {
        require(name, Permission.READ);
        return new ModelVersionResponse(ModelVersionJson.of(versions.get(name, version)));
    }

    @PatchMapping("/model-versions/update")
    ModelVersionResponse updateVersion(@RequestBody UpdateModelVersion request) {
        require(request.name(), Permission.EDIT);
        return new ModelVersionResponse(ModelVersionJson.of(
                versions.updateDescription(request.name(), request.version(), request.description())));
    }

    @DeleteMapping("/model-versions/delete")
    Map<String, Object> deleteVersion(@RequestBody(required = false) VersionRef body,
                                      @RequestParam(name = "name", required = false) String name,
                                      @RequestParam(name = "version", required = false) String version) {
        require(body != null ? body.name() : name, Permission.MANAGE);
        versions.delete(body != null ? body.name() : name, body != null ? body.version() : version);
        return Map.of();
    }

    @GetMapping("/model-versions/search")
    SearchModelVersionsResponse searchVersions(@RequestParam(name = "filter", required = false) String filter,
                                               @RequestParam(name = "max_results", required = false) Integer maxResults,
                                               @RequestParam(name = "order_by", required = false) List<String> orderBy,
                                               @RequestParam(name = "page_token", required = false) String pageToken) {
        Page<ModelVersion> page = versions.search(filter, orderBy, maxResults, pageToken);
        List<ModelVersion> visible = access.readable(ResourceType.REGISTERED_MODEL, page.items(), ModelVersion::name);
        return new SearchModelVersionsResponse(visible.stream().map(ModelVersionJson::of).toList(),
                page.nextPageToken());
    }

    @PostMapping("/model-versions/set-tag")
    Map<String, Object> setVersionTag(@RequestBody VersionTag request) {
        require(request.name(), Permission.EDIT);
        versions.setTag(request.name(), request.version(), request.key(), request.value());
        return Map.of();
    }

    @DeleteMapping("/model-versions/delete-tag")
    Map<String, Object> deleteVersionTag(@RequestBody(required = false) VersionTag body,
                                         @RequestParam(name = "name", required = false) String name,
                                         @RequestParam(name = "version", required = false) String version,
                                         @RequestParam(name = "key", required = false) String key) {
        require(body != null ? body.name() : name, Permission.EDIT);
        versions.deleteTag(body != null ? body.name() : name, body != null ? body.version() : version,
                body != null ? body.key() : key);
        return Map.of();
    }

    @PostMapping("/model-versions/transition-stage")
    ModelVersionResponse transition(@RequestBody TransitionStage request) {
        require(request.name(), Permission.EDIT);
        return new ModelVersionResponse(ModelVersionJson.of(versions.transitionStage(request.name(), request.version(),
                request.stage(), Boolean.TRUE.equals(request.archive_existing_versions()))));
    }

    @GetMapping("/model-versions/get-download-uri")
    DownloadUriResponse downloadUri(@RequestParam(name = "name", required = false) String name,
                                    @RequestParam(name = "version", required = false) String version) {
        require(name, Permission.READ);
        return new DownloadUriResponse(versions.downloadUri(name, version));
    }
}
