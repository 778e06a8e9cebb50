package io.cairn.tracking;

import io.cairn.platform.search.Page;
import io.cairn.platform.error.CairnException;
import io.cairn.platform.search.PageToken;
import io.cairn.tracking.store.RunDataStore;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Logs metrics, params, tags and dataset inputs to runs; every call is one transaction, all or nothing. */
@Service
public class RunLoggingService {

    private final RunService runs;
    private final RunDataStore data;

    public RunLoggingService(RunService runs, RunDataStore data) {
        this.runs = runs;
        this.data = data;
    }

    /** A param or tag as sent, in request order (duplicates kept so they can be reported). */
    public record KeyValue(String key, String value) {
    }

    @Transactional
    public void logMetric(String runId, Metric metric) {
        logBatch(runId, List.of(metric), List.of(), List.of());
    }

    @Transactional
    public void logParam(String runId, String key, String value) {
        logBatch(runId, List.of(), List.of(new KeyValue(key, value)), List.of());
    }

    @Transactional
    public void setTag(String runId, String key, String value) {
        logBatch(runId, List.of(), List.of(), List.of(new KeyValue(key, value)));
    }

    @Transactional
    public void deleteTag(String runId, String key) {
        TrackingLimits.required("key", key);
        RunInfo run = runs.requireActive(runId);
        if (!data.deleteTag(run.runId(), key)) {
            throw CairnException.notFound("No tag with name: " + key + " in run with id " + runId);
        }
    }

    /**
     * Validates the whole batch first (MLflow's order: items, counts, duplicate params), then writes params, metrics
     * and tags in one transaction; a param whose stored value differs rolls everything back.
     */
    @Transactional
    public void logBatch(String runId, List<Metric> metrics, List<KeyValue> params, List<KeyValue> tags) {
        TrackingLimits.required("run_id", runId);
        // A batch repeats a few keys over many steps: check each distinct key once, not once per point.
        Set<String> metricKeys = new HashSet<>();
        for (Metric m : metrics) {
            if (metricKeys.add(m.key())) {
                TrackingLimits.key("metric", m.key());
            }
        }
        for (KeyValue p : params) {
            TrackingLimits.key("param", p.key());
            TrackingLimits.value("param", p.key(), p.value(), TrackingLimits.MAX_PARAM_VALUE_LENGTH);
        }
        for (KeyValue t : tags) {
            TrackingLimits.key("tag", t.key());
            TrackingLimits.value("tag", t.key(), t.value(), TrackingLimits.MAX_TAG_VALUE_LENGTH);
        }
        batchLimit("metrics", metrics.size(), TrackingLimits.MAX_METRICS_PER_BATCH);
        batchLimit("params", params.size(), TrackingLimits.MAX_PARAMS_TAGS_PER_BATCH);
        batchLimit("tags", tags.size(), TrackingLimits.MAX_PARAMS_TAGS_PER_BATCH);
        batchLimit("metrics, params, and tags", metrics.size() + params.size() + tags.size(),
                TrackingLimits.MAX_ENTITIES_PER_BATCH);
        Map<String, String> paramMap = new LinkedHashMap<>();
        Set<String> duplicates = new LinkedHashSet<>();
        for (KeyValue p : params) {
            if (paramMap.put(p.key(), p.value()) != null) {
                duplicates.add(p.key());
            }
        }
        if (!duplicates.isEmpty()) {
            throw CairnException.invalid("Duplicate parameter keys have been submitted: " + duplicates
                    + ". Please ensure the request contains only one param value per param key.");
        }

        RunInfo run = runs.requireActive(runId);
        if (!paramMap.isEmpty()) {
            Map<String, String> stored = data.insertParams(run.runId(), paramMap);
            List<String> changed = new ArrayList<>();
            paramMap.forEach((k, v) -> {
                String old = stored.get(k);
                if (old != null && !old.equals(v)) {
                    changed.add("{'key': '" + k + "', 'old_value': '" + old + "', 'new_value': '" + v + "'}");
                }
            });
            if (!changed.isEmpty()) {
                throw CairnException.invalid("Changing param values is not allowed. Params were already logged='"
                        + changed + "' for run ID='" + run.runId() + "'.");
            }
        }
        data.appendMetrics(run.runId(), metrics);
        if (!tags.isEmpty()) {
            Map<String, String> tagMap = new LinkedHashMap<>();
            tags.forEach(t -> tagMap.put(t.key(), t.value()));
            data.upsertTags(run.runId(), tagMap);
            String newName = tagMap.get(RunService.RUN_NAME_TAG);
            if (newName != null) {
                runs.rename(run.runId(), newName);
            }
        }
    }

    @Transactional
    public void logInputs(String runId, List<DatasetInput> inputs) {
        TrackingLimits.required("run_id", runId);
        for (DatasetInput input : inputs) {
            Dataset d = input.dataset();
            if (d == null) {
                throw CairnException.invalid("Missing value for required parameter 'datasets[].dataset'.");
            }
            TrackingLimits.required("dataset.name", d.name());
            TrackingLimits.required("dataset.digest", d.digest());
            TrackingLimits.required("dataset.source_type", d.sourceType());
            TrackingLimits.required("dataset.source", d.source());
            TrackingLimits.length("dataset.name", d.name(), TrackingLimits.MAX_DATASET_NAME_LENGTH);
            TrackingLimits.length("dataset.digest", d.digest(), TrackingLimits.MAX_DATASET_DIGEST_LENGTH);
            TrackingLimits.length("dataset.source", d.source(), TrackingLimits.MAX_DATASET_SOURCE_LENGTH);
            TrackingLimits.length("dataset.schema", d.schema(), TrackingLimits.MAX_DATASET_SCHEMA_LENGTH);
            TrackingLimits.length("dataset.profile", d.profile(), TrackingLimits.MAX_DATASET_PROFILE_LENGTH);
            input.tags().forEach((k, v) -> {
                TrackingLimits.length("input tag key", k, 255);
                TrackingLimits.length("input tag value", v, 500);
            });
        }
        RunInfo run = runs.requireActive(runId);
        for (DatasetInput input : inputs) {
            data.addInput(run.runId(), Long.parseLong(run.experimentId()), input);
        }
    }

    /**
     * A run's history of one metric in step order. A page size below {@link TrackingLimits#MAX_RESULTS_HISTORY} pages;
     * without one, or at that maximum, the whole history comes back at once, as MLflow's server does. MLflow's Java
     * client always asks for exactly the maximum and fails on a next_page_token, so that value must not page.
     */
    @Transactional(readOnly = true)
    public Page<Metric> history(String runId, String key, Integer maxResults, String pageToken) {
        TrackingLimits.required("metric_key", key);
        RunInfo run = runs.getInfo(runId);
        int offset = PageToken.offset(pageToken);
        if (maxResults == null || maxResults == TrackingLimits.MAX_RESULTS_HISTORY) {
            return new Page<>(data.history(run.runId(), key, Integer.MAX_VALUE, offset), null);
        }
        int limit = TrackingLimits.maxResults(maxResults, 0, TrackingLimits.MAX_RESULTS_HISTORY);
        List<Metric> rows = data.history(run.runId(), key, limit + 1, offset);
        boolean more = rows.size() > limit;
        List<Metric> items = more ? rows.subList(0, limit) : rows;
        return new Page<>(List.copyOf(items), PageToken.next(offset, items.size(), more));
    }

    private static void batchLimit(String entity, int count, int limit) {
        if (count > limit) {
            throw CairnException.invalid("A batch logging request can contain at most " + limit + " " + entity
                    + ". Got " + count + " " + entity + ". Please split up " + entity
                    + " across multiple requests and try again.");
        }
    }
}
