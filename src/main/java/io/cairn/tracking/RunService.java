package io.cairn.tracking;

import io.cairn.platform.search.Page;
import io.cairn.platform.error.CairnException;
import io.cairn.platform.search.PageToken;
import io.cairn.platform.search.OrderBy;
import io.cairn.platform.search.SearchSyntax;
import io.cairn.platform.text.NulCheck;
import io.cairn.tracking.store.RunDataStore;
import io.cairn.tracking.store.RunStore;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Run lifecycle: create, read, update, delete, restore and search. */
@Service
public class RunService {

    static final String RUN_NAME_TAG = "mlflow.runName";
    private static final Set<String> STATUSES = Set.of("RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED");

    private final RunStore runs;
    private final RunDataStore data;
    private final ExperimentService experiments;
    private final Clock clock;

    public RunService(RunStore runs, RunDataStore data, ExperimentService experiments, Clock clock) {
        this.runs = runs;
        this.data = data;
        this.experiments = experiments;
        this.clock = clock;
    }

    /** A run to create; null fields take MLflow's defaults. */
    public record NewRun(String experimentId, String userId, String runName, Long startTime, Map<String, String> tags) {
    }

    @Transactional
    public Run create(NewRun request) {
        String experimentId = request.experimentId() == null || request.experimentId().isEmpty() ? "0" : request.experimentId();
        Map<String, String> tags = new LinkedHashMap<>(request.tags() == null ? Map.of() : request.tags());
        tags.forEach((k, v) -> {
            TrackingLimits.key("tag", k);
            TrackingLimits.value("tag", k, v, TrackingLimits.MAX_TAG_VALUE_LENGTH);
        });
        String tagName = tags.get(RUN_NAME_TAG);
        String runName = request.runName();
        if (runName != null && !runName.isEmpty() && tagName != null && !tagName.equals(runName)) {
            throw CairnException.invalid("Both 'run_name' argument and 'mlflow.runName' tag are specified, but with "
                    + "different values (run_name='" + runName + "', mlflow.runName='" + tagName + "').");
        }
        if (runName == null || runName.isEmpty()) {
            runName = tagName != null && !tagName.isEmpty() ? tagName : RunNames.generate();
        }
        TrackingLimits.length("run_name", runName, TrackingLimits.MAX_RUN_NAME_LENGTH);
        NulCheck.noNul("user_id", request.userId());
        tags.put(RUN_NAME_TAG, runName);

        Experiment experiment = experiments.requireActive(experimentId);
        String runId = UUID.randomUUID().toString().replace("-", "");
        String location = experiment.artifactLocation();
        String artifactUri = (location.endsWith("/") ? location : location + "/") + runId + "/artifacts";
        long startTime = request.startTime() == null ? clock.millis() : request.startTime();
        RunInfo info = new RunInfo(runId, experiment.experimentId(), runName, request.userId(), "RUNNING",
                startTime, null, artifactUri, "active");
        runs.insert(info);
        data.upsertTags(runId, tags);
        return get(runId);
    }

    @Transactional(readOnly = true)
    public Run get(String runId) {
        RunInfo info = runs.find(TrackingLimits.required("run_id", runId)).orElseThrow(() -> notFound(runId));
        return assemble(List.of(info)).get(0);
    }

    /** Several runs with everything logged to them, in the order given, read with one query per kind of data. */
    @Transactional(readOnly = true)
    public List<Run> getAll(List<String> runIds) {
        List<RunInfo> infos = runs.findAll(runIds);
        if (infos.size() < runIds.size()) {
            java.util.Set<String> found = new java.util.HashSet<>();
            infos.forEach(i -> found.add(i.runId()));
            throw notFound(runIds.stream().filter(id -> !found.contains(id)).findFirst().orElse("?"));
        }
        return assemble(infos);
    }

    @Transactional(readOnly = true)
    public RunInfo getInfo(String runId) {
        return runs.find(TrackingLimits.required("run_id", runId)).orElseThrow(() -> notFound(runId));
    }

    @Transactional
    public RunInfo update(String runId, String status, Long endTime, String runName) {
        RunInfo run = requireActive(runId);
        if (status != null && !STATUSES.contains(status)) {
            throw CairnException.invalid("Invalid value \"" + status + "\" for parameter 'status' supplied: "
                    + "use one of RUNNING, SCHEDULED, FINISHED, FAILED, KILLED.");
        }
        String name = runName == null || runName.isEmpty() ? null : runName;
        if (name != null) {
            TrackingLimits.length("run_name", name, TrackingLimits.MAX_RUN_NAME_LENGTH);
            data.upsertTags(run.runId(), Map.of(RUN_NAME_TAG, name));
        }
        runs.update(run.runId(), status, endTime, name);
        return getInfo(run.runId());
    }

    @Transactional
    public void delete(String runId) {
        RunInfo run = getInfoForWrite(runId);
        runs.setLifecycleStage(run.runId(), "deleted", clock.millis());
    }

    @Transactional
    public void restore(String runId) {
        RunInfo run = getInfoForWrite(runId);
        runs.setLifecycleStage(run.runId(), "active", null);
    }

    @Transactional(readOnly = true)
    public Page<Run> search(List<String> experimentIds, String filter, ViewType view, Integer maxResults,
                            List<String> orderBy, String pageToken) {
        int limit = TrackingLimits.maxResults(maxResults, 1000, TrackingLimits.MAX_RESULTS_SEARCH);
        int offset = PageToken.offset(pageToken);
        if (experimentIds == null || experimentIds.isEmpty()) {
            throw CairnException.invalid("Missing value for required parameter 'experiment_ids': name at least one experiment.");
        }
        List<Long> ids = new ArrayList<>();
        for (String id : experimentIds) {
            try {
                ids.add(Long.parseLong(id));
            } catch (NumberFormatException e) {
                throw CairnException.invalid("Invalid value \"" + id + "\" for parameter 'experiment_ids' supplied: "
                        + "experiment ids are decimal numbers.");
            }
        }
        List<OrderBy> order = orderBy == null ? List.of() : orderBy.stream().map(SearchSyntax::parseOrderBy).toList();
        List<String> found = runs.search(ids, SearchSyntax.parseFilter(filter), order,
                view == null ? ViewType.ACTIVE_ONLY : view, limit, offset);
        boolean more = found.size() > limit;
        List<String> page = more ? found.subList(0, limit) : found;
        return new Page<>(assemble(runs.findAll(page)), PageToken.next(offset, page.size(), more));
    }

    /** Locks the run against deletion and checks it is active; every write to a run goes through here. */
    RunInfo requireActive(String runId) {
        RunInfo run = getInfoForWrite(runId);
        if (!run.lifecycleStage().equals("active")) {
            throw CairnException.invalid("The run " + run.runId() + " must be in the 'active' state. Current state is "
                    + run.lifecycleStage() + ".");
        }
        return run;
    }

    /** Keeps the run_name column in step with the mlflow.runName tag, which clients may set directly. */
    void rename(String runId, String runName) {
        TrackingLimits.length("run_name", runName, TrackingLimits.MAX_RUN_NAME_LENGTH);
        runs.update(runId, null, null, runName);
    }

    private RunInfo getInfoForWrite(String runId) {
        return runs.findForWrite(TrackingLimits.required("run_id", runId)).orElseThrow(() -> notFound(runId));
    }

    private List<Run> assemble(List<RunInfo> infos) {
        Map<String, RunDataStore.RunData> logged = data.load(infos.stream().map(RunInfo::runId).toList());
        List<Run> out = new ArrayList<>(infos.size());
        for (RunInfo info : infos) {
            RunDataStore.RunData d = logged.get(info.runId());
            out.add(new Run(info, d.metrics(), d.params(), d.tags(), d.inputs()));
        }
        return out;
    }

    static CairnException notFound(String runId) {
        return CairnException.notFound("Run with id=" + runId + " not found");
    }
}
