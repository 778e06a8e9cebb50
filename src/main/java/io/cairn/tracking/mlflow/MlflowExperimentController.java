package io.cairn.tracking.mlflow;

import io.cairn.platform.search.Page;
import io.cairn.platform.error.MlflowApi;
import io.cairn.platform.security.Access;
import io.cairn.platform.security.Permission;
import io.cairn.platform.security.ResourceType;
import io.cairn.tracking.Experiment;
import io.cairn.tracking.ExperimentService;
import io.cairn.tracking.mlflow.TrackingMessages.CreateExperiment;
import io.cairn.tracking.mlflow.TrackingMessages.CreateExperimentResponse;
import io.cairn.tracking.mlflow.TrackingMessages.ExperimentId;
import io.cairn.tracking.mlflow.TrackingMessages.ExperimentJson;
import io.cairn.tracking.mlflow.TrackingMessages.ExperimentTag;
import io.cairn.tracking.mlflow.TrackingMessages.GetExperimentResponse;
import io.cairn.tracking.mlflow.TrackingMessages.SearchExperiments;
import io.cairn.tracking.mlflow.TrackingMessages.SearchExperimentsResponse;
import io.cairn.tracking.mlflow.TrackingMessages.UpdateExperiment;
import java.util.List;
import java.util.Map;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** MLflow REST 2.0 experiment endpoints, also served under MLflow UI's /ajax-api prefix. */
@RestController
@MlflowApi
@RequestMapping({"/api/2.0/mlflow/experiments", "/ajax-api/2.0/mlflow/experiments"})
class MlflowExperimentController {

    private final ExperimentService experiments;
    private final Access access;

    MlflowExperimentController(ExperimentService experiments, Access access) {
        this.experiments = experiments;
        this.access = access;
    }

    @PostMapping("/create")
    CreateExperimentResponse create(@RequestBody CreateExperiment request) {
        return new CreateExperimentResponse(experiments.create(request.name(), request.artifact_location(),
                TrackingMessages.map(request.tags(), "tags")));
    }

    @GetMapping("/get")
    GetExperimentResponse get(@RequestParam(name = "experiment_id", required = false) String experimentId) {
        access.require(ResourceType.EXPERIMENT, experimentId, Permission.READ);
        return new GetExperimentResponse(ExperimentJson.of(experiments.get(experimentId)));
    }

    @GetMapping("/get-by-name")
    GetExperimentResponse getByName(@RequestParam(name = "experiment_name", required = false) String name) {
        Experiment experiment = experiments.getByName(name);
        access.require(ResourceType.EXPERIMENT, experiment.experimentId(), Permission.READ);
        return new GetExperimentResponse(ExperimentJson.of(experiment));
    }

    @PostMapping("/search")
    SearchExperimentsResponse search(@RequestBody SearchExperiments request) {
        return search(request.filter(), request.order_by(), request.view_type(), request.max_results(), request.page_token());
    }

    @GetMapping("/search")
    SearchExperimentsResponse searchByGet(@RequestParam(name = "filter", required = false) String filter,
                                          @RequestParam(name = "order_by", required = false) List<String> orderBy,
                                          @RequestParam(name = "view_type", required = false) String viewType,
                                          @RequestParam(name = "max_results", required = false) Integer maxResults,
                                          @RequestParam(name = "page_token", required = false) String pageToken) {
        return search(filter, orderBy, viewType, maxResults, pageToken);
    }

    private SearchExperimentsResponse search(String filter, List<String> orderBy, String viewType, Integer maxResults,
                                             String pageToken) {
        Page<Experiment> page = experiments.search(filter, orderBy, TrackingMessages.viewType(viewType, "view_type"),
                maxResults, pageToken);
        // Hidden experiments are dropped from the page (MLflow filters the same way): a page may then be shorter than
        // max_results while next_page_token still continues after it.
        List<Experiment> visible = access.readable(ResourceType.EXPERIMENT, page.items(), Experiment::experimentId);
        return new SearchExperimentsResponse(visible.stream().map(ExperimentJson::of).toList(), page.nextPageToken());
    }

    @PostMapping("/update")
    Map<String, Object> update(@RequestBody UpdateExperiment request) {
        access.require(ResourceType.EXPERIMENT, request.experiment_id(), Permission.EDIT);
        experiments.rename(request.experiment_id(), request.new_name());
        return Map.of();
    }

    @PostMapping("/delete")
    Map<String, Object> delete(@RequestBody ExperimentId request) {
        access.require(ResourceType.EXPERIMENT, request.experiment_id(), Permission.MANAGE);
        experiments.delete(request.experiment_id());
        return Map.of();
    }

    @PostMapping("/restore")
    Map<String, Object> restore(@RequestBody ExperimentId request) {
        access.require(ResourceType.EXPERIMENT, request.experiment_id(), Permission.MANAGE);
        experiments.restore(request.experiment_id());
        return Map.of();
    }

    @PostMapping("/set-experiment-tag")
    Map<String, Object> setTag(@RequestBody ExperimentTag request) {
        access.require(ResourceType.EXPERIMENT, request.experiment_id(), Permission.EDIT);
        experiments.setTag(request.experiment_id(), request.key(), request.value());
        return Map.of();
    }

    @PostMapping("/delete-experiment-tag")
    Map<String, Object> deleteTag(@RequestBody ExperimentTag request) {
        access.require(ResourceType.EXPERIMENT, request.experiment_id(), Permission.EDIT);
        experiments.deleteTag(request.experiment_id(), request.key());
        return Map.of();
    }
}
