package io.cairn.tracking.mlflow;

import io.cairn.platform.search.Page;
import io.cairn.platform.error.CairnException;
import io.cairn.platform.error.MlflowApi;
import io.cairn.platform.security.Access;
import io.cairn.platform.security.Permission;
import io.cairn.platform.security.ResourceType;
import io.cairn.tracking.Metric;
import io.cairn.tracking.Run;
import io.cairn.tracking.RunLoggingService;
import io.cairn.tracking.RunLoggingService.KeyValue;
import io.cairn.tracking.RunService;
import io.cairn.tracking.mlflow.TrackingMessages.CreateRun;
import io.cairn.tracking.mlflow.TrackingMessages.DatasetInputJson;
import io.cairn.tracking.mlflow.TrackingMessages.DeleteTag;
import io.cairn.tracking.mlflow.TrackingMessages.LogBatch;
import io.cairn.tracking.mlflow.TrackingMessages.LogInputs;
import io.cairn.tracking.mlflow.TrackingMessages.LogMetric;
import io.cairn.tracking.mlflow.TrackingMessages.LogParam;
import io.cairn.tracking.mlflow.TrackingMessages.MetricHistoryResponse;
import io.cairn.tracking.mlflow.TrackingMessages.MetricJson;
import io.cairn.tracking.mlflow.TrackingMessages.RunIdRequest;
import io.cairn.tracking.mlflow.TrackingMessages.RunInfoJson;
import io.cairn.tracking.mlflow.TrackingMessages.RunJson;
import io.cairn.tracking.mlflow.TrackingMessages.RunResponse;
import io.cairn.tracking.mlflow.TrackingMessages.SearchRuns;
import io.cairn.tracking.mlflow.TrackingMessages.SearchRunsResponse;
import io.cairn.tracking.mlflow.TrackingMessages.SetTag;
import io.cairn.tracking.mlflow.TrackingMessages.UpdateRun;
import io.cairn.tracking.mlflow.TrackingMessages.UpdateRunResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** MLflow REST 2.0 run endpoints: lifecycle, logging, search and metric history. */
@RestController
@MlflowApi
@RequestMapping({"/api/2.0/mlflow", "/ajax-api/2.0/mlflow"})
class MlflowRunController {

    private final RunService runs;
    private final RunLoggingService logging;
    private final Access access;

    MlflowRunController(RunService runs, RunLoggingService logging, Access access) {
        this.runs = runs;
        this.logging = logging;
        this.access = access;
    }

    /** Runs share their experiment's permission, as in MLflow; the lookup runs only when security asks. */
    private void requireOnRun(String runId, Permission needed) {
        access.require(ResourceType.EXPERIMENT, () -> runId == null || runId.isEmpty() ? null
                : runs.getInfo(runId).experimentId(), needed);
    }

    @PostMapping("/runs/create")
    RunResponse create(@RequestBody CreateRun request) {
        access.require(ResourceType.EXPERIMENT, request.experiment_id() == null || request.experiment_id().isEmpty()
                ? "0" : request.experiment_id(), Permission.EDIT);
        Run run = runs.create(new RunService.NewRun(request.experiment_id(), request.user_id(), request.run_name(),
                request.start_time(), TrackingMessages.map(request.tags(), "tags")));
        return new RunResponse(RunJson.of(run));
    }

    @GetMapping("/runs/get")
    RunResponse get(@RequestParam(name = "run_id", required = false) String runId,
                    @RequestParam(name = "run_uuid", required = false) String runUuid) {
        String id = TrackingMessages.runId(runId, runUuid);
        requireOnRun(id, Permission.READ);
        return new RunResponse(RunJson.of(runs.get(id)));
    }

    @PostMapping("/runs/update")
    UpdateRunResponse update(@RequestBody UpdateRun request) {
        requireOnRun(TrackingMessages.runId(request.run_id(), request.run_uuid()), Permission.EDIT);
        return new UpdateRunResponse(RunInfoJson.of(runs.update(TrackingMessages.runId(request.run_id(), request.run_uuid()),
                request.status(), request.end_time(), request.run_name())));
    }

    @PostMapping("/runs/delete")
    Map<String, Object> delete(@RequestBody RunIdRequest request) {
        requireOnRun(TrackingMessages.runId(request.run_id(), request.run_uuid()), Permission.MANAGE);
        runs.delete(TrackingMessages.runId(request.run_id(), request.run_uuid()));
        return Map.of();
    }

    @PostMapping("/runs/restore")
    Map<String, Object> restore(@RequestBody RunIdRequest request) {
        requireOnRun(TrackingMessages.runId(request.run_id(), request.run_uuid()), Permission.MANAGE);
        runs.restore(TrackingMessages.runId(request.run_id(), request.run_uuid()));
        return Map.of();
    }

    @PostMapping("/runs/search")
    SearchRunsResponse search(@RequestBody SearchRuns request) {
        if (request.experiment_ids() != null) {
            request.experiment_ids().forEach(id -> access.require(ResourceType.EXPERIMENT, id, Permission.READ));
        }
        Page<Run> page = runs.search(request.experiment_ids(), request.filter(),
                TrackingMessages.viewType(request.run_view_type(), "run_view_type"), request.max_results(),
                request.order_by(), request.page_token());
        return new SearchRunsResponse(page.items().stream().map(RunJson::of).toList(), page.nextPageToken());
    }

    @PostMapping("/runs/log-metric")
    Map<String, Object> logMetric(@RequestBody LogMetric request) {
        requireOnRun(TrackingMessages.runId(request.run_id(), request.run_uuid()), Permission.EDIT);
        Metric metric = new MetricJson(request.key(), request.value(), request.timestamp(), request.step()).toMetric("metric");
        logging.logMetric(TrackingMessages.runId(request.run_id(), request.run_uuid()), metric);
        return Map.of();
    }

    @PostMapping("/runs/log-parameter")
    Map<String, Object> logParam(@RequestBody LogParam request) {
        requireOnRun(TrackingMessages.runId(request.run_id(), request.run_uuid()), Permission.EDIT);
        logging.logParam(TrackingMessages.runId(request.run_id(), request.run_uuid()), request.key(), request.value());
        return Map.of();
    }

    @PostMapping("/runs/set-tag")
    Map<String, Object> setTag(@RequestBody SetTag request) {
        requireOnRun(TrackingMessages.runId(request.run_id(), request.run_uuid()), Permission.EDIT);
        logging.setTag(TrackingMessages.runId(request.run_id(), request.run_uuid()), request.key(), request.value());
        return Map.of();
    }

    @PostMapping("/runs/delete-tag")
    Map<String, Object> deleteTag(@RequestBody DeleteTag request) {
        requireOnRun(request.run_id(), Permission.EDIT);
        logging.deleteTag(request.run_id(), request.key());
        return Map.of();
    }

    @PostMapping("/runs/log-batch")
    Map<String, Object> logBatch(@RequestBody LogBatch request) {
        requireOnRun(request.run_id(), Permission.EDIT);
        List<Metric> metrics = new ArrayList<>();
        if (request.metrics() != null) {
            for (int i = 0; i < request.metrics().size(); i++) {
                MetricJson m = request.metrics().get(i);
                if (m == null) {
                    throw CairnException.invalid("Missing value for required parameter 'metrics[" + i + "]'.");
                }
                metrics.add(m.toMetric("metrics[" + i + "]"));
            }
        }
        logging.logBatch(request.run_id(), metrics, keyValues(request.params(), "params"),
                keyValues(request.tags(), "tags"));
        return Map.of();
    }

    @PostMapping("/runs/log-inputs")
    Map<String, Object> logInputs(@RequestBody LogInputs request) {
        requireOnRun(request.run_id(), Permission.EDIT);
        List<DatasetInputJson> datasets = request.datasets() == null ? List.of() : request.datasets();
        logging.logInputs(request.run_id(), datasets.stream().map(DatasetInputJson::toInput).toList());
        return Map.of();
    }

    @GetMapping("/metrics/get-history")
    MetricHistoryResponse history(@RequestParam(name = "run_id", required = false) String runId,
                                  @RequestParam(name = "run_uuid", required = false) String runUuid,
                                  @RequestParam(name = "metric_key", required = false) String metricKey,
                                  @RequestParam(name = "max_results", required = false) Integer maxResults,
                                  @RequestParam(name = "page_token", required = false) String pageToken) {
        requireOnRun(TrackingMessages.runId(runId, runUuid), Permission.READ);
        Page<Metric> page = logging.history(TrackingMessages.runId(runId, runUuid), metricKey, maxResults, pageToken);
        return new MetricHistoryResponse(page.items().stream().map(MetricJson::of).toList(), page.nextPageToken());
    }

    private static List<KeyValue> keyValues(List<TrackingMessages.KeyValue> list, String field) {
        if (list == null) {
            return List.of();
        }
        List<KeyValue> out = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            TrackingMessages.KeyValue kv = list.get(i);
            if (kv == null || kv.key() == null) {
                throw CairnException.invalid("Missing value for required parameter '" + field + "[" + i + "].key'.");
            }
            out.add(new KeyValue(kv.key(), kv.value()));
        }
        return out;
    }
}
